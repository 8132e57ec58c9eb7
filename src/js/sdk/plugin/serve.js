// In Node.js, createServeCommand(plugin).parse() starts the plugin's gRPC
// server. In Sluice there is no server to start: parse() hands the plugin to
// the engine, which runs it in this realm.
import { registerPlugin } from '../host.js';

export const createServeCommand = (plugin) => {
  const command = {
    parse: () => { registerPlugin(plugin); return {}; },
    parseAsync: () => { registerPlugin(plugin); return Promise.resolve({}); },
    // yargs' chainable configuration calls are accepted and ignored.
    command: () => command, option: () => command, options: () => command, strict: () => command,
    help: () => command, version: () => command, scriptName: () => command, usage: () => command,
    demandCommand: () => command, env: () => command, epilogue: () => command,
  };
  return command;
};
