// newPlugin and friends, with the SDK's names. The plugin object is what
// Sluice drives: init(spec), tables(options), sync(options), close().
const unimplemented = (method) => () => Promise.reject(new Error(`unimplemented: ${method}`));

export const newUnimplementedSource = () => ({ tables: unimplemented('tables'), sync: unimplemented('sync') });
export const newUnimplementedDestination = () => ({ read: unimplemented('read'), write: unimplemented('write') });

const defaultBuildTargets = [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64' }];
const notInitialized = () => new Error('client not initialized: plugin.init(spec) has not run');

export const newPlugin = (name, version, newClient, options) => {
  const plugin = {
    client: undefined,
    logger: undefined,
    name: () => name,
    version: () => version,
    team: () => options?.team,
    kind: () => options?.kind,
    jsonSchema: () => options?.jsonSchema,
    dockerFile: () => options?.dockerFile || 'Dockerfile',
    buildTargets: () => options?.buildTargets || defaultBuildTargets,
    getLogger: () => plugin.logger,
    setLogger: (logger) => { plugin.logger = logger; },
    init: async (spec, initOptions) => { plugin.client = await newClient(plugin.logger, spec, initOptions); },
    tables: (tableOptions) => (plugin.client ? plugin.client.tables(tableOptions) : Promise.reject(notInitialized())),
    sync: (syncOptions) => (plugin.client ? plugin.client.sync(syncOptions) : Promise.reject(notInitialized())),
    read: (stream) => (plugin.client ? plugin.client.read(stream) : Promise.reject(notInitialized())),
    write: (stream) => (plugin.client ? plugin.client.write(stream) : Promise.reject(notInitialized())),
    close: () => (plugin.client ? plugin.client.close() : Promise.resolve()),
  };
  return plugin;
};
