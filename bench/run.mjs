// The benchmark driver (`make bench`; not part of CI): Sluice against what a
// user would write instead (Node.js scripts, bench/node) and against the
// limit (bare libcurl and SQLite, bench/limit.cc), every figure measured in
// the same run on the same local API (bench/bench_api_server.cc). Prints a
// markdown table and writes it to bench/results/latest.md.
//
//   node bench/run.mjs [BUILD_DIR]        (BENCH_RUNS=3, BENCH_ROWS=1000000, BENCH_BIG_ROWS=5000000,
//                                          BENCH_ONLY=section,… among scan, sync, incremental, pg
//                                          (PostgreSQL), fanout, cold, cloudquery, memory, distributed)
//
// Each figure is the median of BENCH_RUNS runs, with min–max. Ratios are
// what compares across machines; absolute times are for information.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const build = resolve(process.argv[2] || join(root, 'build'));
const runs = Number(process.env.BENCH_RUNS || 3);
const rows = Number(process.env.BENCH_ROWS || 1_000_000);
const bigRows = Number(process.env.BENCH_BIG_ROWS || 5_000_000);
const pageSize = 1000;
const work = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
const sluice = join(build, 'sluice');
const children = [];
// BENCH_ONLY=scan,fanout: only those sections (all when unset).
const only = new Set((process.env.BENCH_ONLY || '').split(',').map((x) => x.trim()).filter(Boolean));
const want = (section) => only.size === 0 || only.has(section);

const log = (text) => process.stderr.write(`${text}\n`);
const cleanup = () => {
  for (const child of children) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

// --- processes -----------------------------------------------------------

// Runs a command under bench_measure: {wall_ms, max_rss_kib, stdout}.
const measure = (command, args, options = {}) => {
  const out = join(work, 'measure.json');
  const result = spawnSync(join(build, 'bench_measure'), [out, '--', command, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, ...options.env }, cwd: options.cwd ?? root,
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...JSON.parse(readFileSync(out, 'utf8')), stdout: result.stdout, stderr: result.stderr };
};

// The last line of a tool's output that is JSON.
const jsonOf = (stdout) => {
  const line = stdout.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
  return line ? JSON.parse(line) : {};
};

let servers = 0;
const startServer = async (args) => {
  const portFile = join(work, `port-${++servers}`);
  const child = spawn(join(build, 'bench_api_server'), [...args, '--port-file', portFile, '--exit-on-stdin-eof'],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  for (let waited = 0; !existsSync(portFile); waited += 50) {
    if (waited > 120_000) throw new Error('bench_api_server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
};

// A TCP port nobody listens on now, and a wait until someone does.
const freePort = () => new Promise((resolvePort) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolvePort(port));
  });
});
const waitForPort = async (port) => {
  for (let waited = 0; ; waited += 100) {
    const open = await new Promise((done) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => { socket.end(); done(true); });
      socket.on('error', () => done(false));
    });
    if (open) return;
    if (waited > 60_000) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

// A POST to the bench server. A kept-alive connection the server has closed
// meanwhile fails a POST (fetch does not retry it): try once more.
const post = async (url) => {
  let response;
  try {
    response = await fetch(url, { method: 'POST', body: '' });
  } catch {
    response = await fetch(url, { method: 'POST', body: '' });
  }
  if (!response.ok) throw new Error(`POST ${url}: ${response.status}`);
  return response.json();
};

// A throwaway PostgreSQL cluster (tests/servers/start_postgres.bash); null
// when there is no server to start.
const startPostgres = async () => {
  const child = spawn('bash', ['-c', `source "${root}/tests/servers/start_postgres.bash" && start_postgres >/dev/null &&
    echo "$PG_URL" && cat >/dev/null`], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const url = await new Promise((resolveUrl) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolveUrl(text.trim());
    });
    child.on('exit', () => resolveUrl(null));
  });
  return url;
};

// --- statistics ------------------------------------------------------------

const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
};
const repeat = (fn) => Array.from({ length: runs }, (_, i) => fn(i));

// --- Sluice ------------------------------------------------------------------

const connector = (url) => `
CREATE CONNECTOR TYPE 'bench' CONFIG_SCHEMA {"url": {"type": "string", "required": true}};
CREATE CONNECTOR ENTITY 'bench.rows'
  FIELDS {"id": {"type": "integer", "primary_key": true}, "name": {"type": "string"},
          "email": {"type": "string"}, "amount": {"type": "number"}, "active": {"type": "boolean"},
          "quantity": {"type": "integer"}, "created_at": {"type": "timestamp"},
          "updated_at": {"type": "timestamp"}, "meta": {"type": "document"}}
  CURSOR 'updated_at'
  QUERY_HANDLER '''
async function* query(config, filters, options) {
  const since = options.cursor ? "&updated_since=" + encodeURIComponent(options.cursor.value) : "";
  for (let cursor = "0"; cursor !== null; ) {
    const response = await fetch(config.url + "/rows?cursor=" + cursor + since);
    const page = await response.json();
    yield page.items;
    cursor = page.next_cursor;
  }
}''';
CREATE CONNECTOR b TYPE 'bench' CONFIG {"url": "${url}"};
`;

// A workspace with the connector, copied fresh for each run that writes.
const workspace = (name, url, extra = '') => {
  const path = join(work, `${name}.db`);
  rmSync(path, { force: true });
  const setup = spawnSync(sluice, ['-w', path, '-c', connector(url) + extra], { encoding: 'utf8', env: benchEnv });
  if (setup.status !== 0) throw new Error(`setting up ${name}: ${setup.stderr}`);
  return path;
};
const copyOf = (path, name) => {
  const copy = join(work, `${name}.db`);
  rmSync(copy, { force: true });
  cpSync(path, copy);
  return copy;
};
const benchEnv = { XDG_CONFIG_HOME: join(work, 'config') };
const runSluice = (ws, sql, format = 'csv') => measure(sluice, ['-w', ws, '-f', format, '-c', sql], { env: benchEnv });

// --- the scenarios -----------------------------------------------------------

const results = [];
const notes = [];
const add = (scenario) => {
  results.push(scenario);
  log(`  ${scenario.name}: Sluice ${fmt(scenario.sluice)}${scenario.baseline ? `, Node.js ${fmt(scenario.baseline)}` : ''}` +
      `${scenario.limit ? `, limit ${fmt(scenario.limit)}` : ''}`);
};
const fmt = (s) => (s ? `${(s.median / 1000).toFixed(3)} s` : '—');
const times = (list) => summary(list.map((r) => r.wall_ms));
const rss = (list) => summary(list.map((r) => r.max_rss_kib / 1024));
const limitSeconds = (list) => summary(list.map((r) => jsonOf(r.stdout).seconds * 1000));

// The issue's targets (issue 18), each a text and a check of the figures.
const ofBaseline = (r) => (r.baseline ? r.baseline.median / r.sluice.median : 0);
const ofLimit = (r) => (r.limit ? r.limit.median / r.sluice.median : 0);
const targets = {
  fast: { text: '≥ 3× Node.js, ≥ 50 % of limit', met: (r) => ofBaseline(r) >= 3 && ofLimit(r) >= 0.5 },
  incremental: { text: '≥ 2× Node.js', met: (r) => ofBaseline(r) >= 2 },
  pg: { text: 'within 2× of the PostgreSQL limit', met: (r) => ofLimit(r) >= 0.5 },
  fanout: { text: 'within 1.15× of the libcurl limit', met: (r) => r.sluice.median <= 1.15 * r.limit.median },
  selectOne: { text: '< 30 ms', met: (r) => r.sluice.median < 30 },
  onePage: { text: '< 60 ms', met: (r) => r.sluice.median < 60 },
  memory: { text: `peak RSS flat from ${rows} to ${bigRows} rows (≤ 1.2×)`, met: (r) => r.flat },
};
// PostgreSQL rows that name no target of their own.
// (`target: null`: none.)
const targetOf = (r) => (r.target !== undefined ? r.target : /PostgreSQL/.test(r.name) && !/incremental/i.test(r.name) ? targets.pg : null);

// 7. The CloudQuery plugin protocol, against the bench API at `url`.
const cloudquerySection = async (url) => {
  log('7. the CloudQuery plugin protocol');
  // The SDK row joins the main table; the protocol rows follow it.
  const firstCloudquery = results.length;
  // The same integration (bench/integration) served by `sluice plugin serve`
  // and by the real JavaScript SDK, each read through gRPC by a Node client
  // that replays the CloudQuery CLI's calls (bench/node/cq_read.mjs).
  const cqDir = join(work, 'cq-integration');
  cpSync(join(root, 'bench/integration'), cqDir, { recursive: true });
  symlinkSync(join(root, 'tests/compat/node_modules'), join(cqDir, 'node_modules'));
  const spec = JSON.stringify({ url });
  const served = async (command, args) => {
    const port = await freePort();
    const child = spawn(command, [...args(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    const target = `127.0.0.1:${port}`;
    await waitForPort(port);
    return { target, stop: () => child.kill('SIGINT') };
  };
  const readThrough = (target, specText, extra = []) => measure('node', ['bench/node/cq_read.mjs', target, specText, ...extra]);
  const sluiceServe = await served(sluice, (port) => ['plugin', 'serve', cqDir, '--address', `127.0.0.1:${port}`]);
  const sdkServe = await served('node', (port) => [join(cqDir, 'main.js'), 'serve', '--address', `127.0.0.1:${port}`]);
  const sluiceReads = repeat(() => readThrough(sluiceServe.target, spec));
  // The SDK sends one message per row and reads at about 2,000 rows/s:
  // it reads sdkRows rows of their own server, and its time is scaled to
  // `rows` (the scenario compares rates).
  const sdkRows = Math.min(rows, Number(process.env.BENCH_CQ_SDK_ROWS || 100_000));
  const sdkSpec = sdkRows === rows ? spec
    : JSON.stringify({ url: await startServer(['--rows', String(sdkRows), '--page-size', String(pageSize)]) });
  const sdkReads = repeat(() => readThrough(sdkServe.target, sdkSpec));
  // What an integration author runs today: the SDK's rows, as Arrow
  // records over gRPC, written into SQLite by the client (a CLI with a
  // SQLite destination, in one process).
  const sdkSyncs = repeat((i) => readThrough(sdkServe.target, sdkSpec, ['--sqlite', join(work, `sdk-${i}.db`)]));
  const perThousand = (r) => (jsonOf(r.stdout).inserts / jsonOf(r.stdout).rows) * 1000;
  const rate = (r) => Math.round(jsonOf(r.stdout).rows / (r.wall_ms / 1000));
  for (const [r, expected] of [...sluiceReads.map((r) => [r, rows]), ...[...sdkReads, ...sdkSyncs].map((r) => [r, sdkRows])]) {
    if (jsonOf(r.stdout).rows !== expected) throw new Error(`a gRPC read gave ${r.stdout}, not ${expected} rows`);
  }
  const scale = (list) => list.map((r) => ({ ...r, wall_ms: r.wall_ms * (rows / sdkRows) }));
  const scaled = scale(sdkReads);
  add({ name: `gRPC Sync of ${rows} rows read by a Node client: sluice plugin serve`, sluice: times(sluiceReads),
        rss: rss(sluiceReads), baseline: times(scaled),
        note: `baseline: the same integration served by the real JS SDK 0.1.25` +
              (sdkRows === rows ? '' : `, measured on ${sdkRows} rows and scaled to ${rows}`) +
              `; rows/s: Sluice ${rate(sluiceReads[0])}, SDK ${rate(sdkReads[0])}; messages per 1000 rows: Sluice ` +
              `${perThousand(sluiceReads[0]).toFixed(2)}, SDK ${perThousand(sdkReads[0]).toFixed(2)}; RSS is the client's` });
  sdkServe.stop();
  // Hosting: Sluice syncs that plugin into SQLite through gRPC, against
  // Sluice loading the integration itself.
  const hostWs = join(work, 'host.db');
  const hosted = spawnSync(sluice, ['-w', hostWs, '-c', `CREATE CONNECTOR TYPE 'hb' FROM PLUGIN '${sluiceServe.target}';
    CREATE CONNECTOR h TYPE 'hb' CONFIG ${spec};
    CREATE CONNECTOR TYPE 'nb' FROM INTEGRATION '${cqDir}';
    CREATE CONNECTOR n TYPE 'nb' CONFIG ${spec};`], { encoding: 'utf8', env: benchEnv });
  if (hosted.status !== 0) throw new Error(hosted.stderr);
  const hostRuns = repeat((i) => runSluice(copyOf(hostWs, `host-${i}`), 'SYNC CONNECTOR h FULL', 'table'));
  const nativeRuns = repeat((i) => runSluice(copyOf(hostWs, `native-${i}`), 'SYNC CONNECTOR n FULL', 'table'));
  results.splice(firstCloudquery, 0, {
    name: `full sync of ${rows} rows of the table integration into SQLite, against the CloudQuery JS SDK`,
    sluice: times(nativeRuns), rss: rss(nativeRuns), baseline: times(scale(sdkSyncs)),
    note: 'Sluice: bench/integration loaded natively (FROM INTEGRATION), SYNC CONNECTOR n FULL; baseline: the same ' +
          'integration under Node.js, served by the real JS SDK 0.1.25 (`node main.js serve`) and read by ' +
          'node/cq_read.mjs --sqlite (rows decoded from Arrow, inserted with better-sqlite3, 1000-row transactions)' +
          `; the SDK sends one gRPC message per row (${rate(sdkSyncs[0])} rows/s here)` +
          (sdkRows === rows ? '' : `, so it syncs ${sdkRows} rows (BENCH_CQ_SDK_ROWS) and its time is scaled to ${rows}`) });
  add({ name: `full sync of ${rows} rows from a hosted plugin (sluice plugin serve over gRPC) into SQLite`,
        sluice: times(hostRuns), rss: rss(hostRuns), baseline: times(nativeRuns),
        note: 'baseline: the same integration loaded natively (FROM INTEGRATION); baseline ÷ Sluice below 1 is the hosting overhead' });
  sluiceServe.stop();
};

// 8. Distributed sync (docs/distributed.md): the fan-out scenario of the
// forge integration against the test API server — many accounts, a work
// unit each, 50 ms a request — synced by 1, 2 and 4 `sluice worker`
// processes (one unit at a time each, OPTIONS.concurrency 1: on 2 cores the
// speed-up is requests overlapping, not CPU), against the same SYNC in one
// process; then the coordination cost of a unit alone: 200 units whose
// partitions are empty.
const distributedSection = async () => {
  log('8. distributed sync');
  const pg = await startPostgres();
  if (!pg) {
    log('    skipped: no PostgreSQL server to start');
    return;
  }
  const accounts = Number(process.env.BENCH_DIST_ACCOUNTS || 16), repos = 8, latency = 50;
  const portFile = join(work, 'forge-port');
  const api = spawn(join(build, 'test_api_server'), ['--forge-accounts', String(accounts), '--forge-repos', String(repos),
    '--api-latency-ms', String(latency), '--port-file', portFile, '--exit-on-stdin-eof'], { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(api);
  for (let waited = 0; !existsSync(portFile); waited += 50) {
    if (waited > 30_000) throw new Error('test_api_server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const forgeUrl = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
  const names = Array.from({ length: accounts }, (_, a) => ['acme', 'globex', 'initech'][a] ?? `org-${a + 1}`);
  let schemas = 0;
  const destination = () => {
    const name = `d${++schemas}`;
    return { name, sql: `CREATE DESTINATION ${name} TYPE 'postgresql' CONFIG {"connection_string": "${pg}", "schema": "${name}"};` };
  };
  const distWs = join(work, 'distributed.db');
  const setup = spawnSync(sluice, ['-w', distWs, '-c', `
    CREATE CONNECTOR TYPE 'forge' FROM INTEGRATION '${join(root, 'examples/integrations/forge')}';
    CREATE CONNECTOR f1 TYPE 'forge' CONFIG {"base_url": "${forgeUrl}", "accounts": ${JSON.stringify(names)}}
      OPTIONS {"concurrency": 1};
    CREATE CONNECTOR f4 TYPE 'forge' CONFIG {"base_url": "${forgeUrl}", "accounts": ${JSON.stringify(names)}}
      OPTIONS {"concurrency": 4};
    CREATE CONNECTOR TYPE 'empty' CONFIG_SCHEMA {};
    CREATE CONNECTOR ENTITY 'empty.parts' FIELDS {"id": {"type": "integer", "primary_key": true}}
      QUERY_HANDLER '''
async function partitions(config) { return Array.from({length: 200}, (_, i) => ({id: "p" + i})); }
async function query(config, filters, options) { return []; }''';
    CREATE CONNECTOR e TYPE 'empty' CONFIG {};`], { encoding: 'utf8', env: benchEnv });
  if (setup.status !== 0) throw new Error(`setting up the distributed workspace: ${setup.stderr}`);
  const psql = (sql) => spawnSync('psql', [pg, '-Atq', '-c', sql], { encoding: 'utf8' }).stdout.trim();

  // A worker under bench_measure (its peak RSS), until SIGTERM.
  let measured = 0;
  const startWorkers = (n) => Array.from({ length: n }, () => {
    const out = join(work, `worker-${++measured}.json`);
    const child = spawn(join(build, 'bench_measure'), [out, '--', sluice, 'worker', '--coordinator', pg, '--poll-ms', '50'],
      { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...benchEnv } });
    children.push(child);
    return { child, out };
  });
  const stopWorkers = async (workers) => {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r() : w.child.on('exit', r)))));
    return Math.max(...workers.map((w) => JSON.parse(readFileSync(w.out, 'utf8')).max_rss_kib));
  };
  // One distributed run: the submitter's wall time (stored → every unit
  // ended → finalized), the workers' largest peak RSS.
  const distributed = async (connector, n, check = true) => {
    const d = destination();
    const workers = startWorkers(n);
    const r = runSluice(distWs, `${d.sql} SYNC CONNECTOR ${connector} TO DESTINATION ${d.name} FULL DISTRIBUTED`, 'table');
    const workerRss = await stopWorkers(workers);
    if (check && psql(`SELECT count(*) FROM ${d.name}.${connector}_forge_repos`) !== String(accounts * repos)) {
      throw new Error(`${n} workers: ${d.name}.${connector}_forge_repos does not have ${accounts * repos} rows:\n${r.stdout}`);
    }
    return { ...r, max_rss_kib: Math.max(r.max_rss_kib, workerRss), schema: d.name };
  };
  const single = (connector) => {
    const d = destination();
    return runSluice(distWs, `${d.sql} SYNC CONNECTOR ${connector} TO DESTINATION ${d.name} FULL`, 'table');
  };

  const scenario = `fan-out into PostgreSQL: ${accounts} forge accounts (a unit per account: its repos and their issues) × ${latency} ms a request`;
  const byWorkers = {};
  for (const n of [1, 2, 4]) {
    byWorkers[n] = [];
    for (let i = 0; i < runs; i++) byWorkers[n].push(await distributed('f1', n));
  }
  const oneWorker = byWorkers[1];
  const singleOne = repeat(() => single('f1'));
  const singleFour = repeat(() => single('f4'));
  // Requests per account: the repo pages (2 a page) and each repo's issue pages (at least one).
  const requests = accounts * (Math.ceil(repos / 2) + repos);
  add({ name: `${scenario}: SYNC in one process, concurrency 1`, sluice: times(singleOne), rss: rss(singleOne), target: null,
        baseline: times(oneWorker),
        note: `baseline: the same run DISTRIBUTED to 1 worker (baseline ÷ Sluice: what distributing costs); ` +
              `≥ ${requests} requests, ≥ ${(requests * latency / 1000).toFixed(1)} s of latency one after another` });
  for (const n of [1, 2, 4]) {
    add({ name: `${scenario}: DISTRIBUTED, ${n} worker${n > 1 ? 's' : ''} (concurrency 1 each)`,
          sluice: times(byWorkers[n]), rss: rss(byWorkers[n]), baseline: times(oneWorker), target: null,
          note: 'baseline: 1 worker (baseline ÷ Sluice: the speed-up); RSS: the largest of the submitter and the workers' });
  }
  add({ name: `${scenario}: SYNC in one process, concurrency 4`, sluice: times(singleFour), rss: rss(singleFour), target: null,
        baseline: times(byWorkers[4]), note: 'baseline: 4 workers of concurrency 1 (4 units at once either way)' });

  // Coordination: 200 units that read nothing, one worker.
  const emptyRuns = [];
  for (let i = 0; i < runs; i++) emptyRuns.push(await distributed('e', 1, false));
  const perUnit = emptyRuns.map((r) => {
    const [n, median] = psql(`SELECT count(*) || ' ' || coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY
      extract(epoch FROM u.finished_at - u.started_at) * 1000), 0) FROM _sluice.units u JOIN _sluice.runs r USING (run_id)
      WHERE r.schema_name = '${r.schema}'`).split(' ').map(Number);
    return { units: n, wallPerUnit: r.wall_ms / Math.max(n, 1), median };
  });
  add({ name: `coordination: ${perUnit[0].units} empty units (partitions()), 1 worker`, sluice: times(emptyRuns),
        rss: rss(emptyRuns), target: null,
        note: `per unit: ${summary(perUnit.map((u) => u.wallPerUnit)).median.toFixed(1)} ms of the run's wall time ` +
              `(claim → sync → complete, one after another); ${summary(perUnit.map((u) => u.median)).median.toFixed(1)} ms ` +
              "median from a unit's start to its end (_sluice.units started_at → finished_at)" });
  api.kill('SIGTERM');
};

// 2b. PostgreSQL, against the bench API at `url`; `fetchSeconds`: the fetch
// limit of each run (ms).
const postgresSection = async (url, fetchSeconds) => {
  log('2b. sync into PostgreSQL');
  const pg = await startPostgres();
  if (pg) {
    // A schema per run, so every full run starts from a new table, as a
    // first sync does; and one per incremental run, synced in full first.
    const destinations = Array.from({ length: runs }, (_, i) => `
      CREATE DESTINATION pg${i} TYPE 'postgresql' CONFIG {"connection_string": "${pg}", "schema": "full_${i}"};
      CREATE DESTINATION pginc${i} TYPE 'postgresql' CONFIG {"connection_string": "${pg}", "schema": "inc_${i}"};`);
    const pgWs = workspace('pg', url, destinations.join(''));
    const pgRuns = repeat((i) => runSluice(pgWs, `SYNC CONNECTOR b TO DESTINATION pg${i} FULL`, 'table'));
    // The limit: the fetch, then the same rows loaded by bare libpq with one
    // binary COPY into a new table of the same shape (bench_limit pg-copy-binary;
    // pg-copy, the text format, is slower).
    const pgCopySeconds = repeat(() => jsonOf(measure(join(build, 'bench_limit'), ['pg-copy-binary', pg, String(rows)]).stdout).seconds * 1000);
    add({ name: `full sync of ${rows} rows into PostgreSQL (new table)`, sluice: times(pgRuns), rss: rss(pgRuns),
          note: 'no Node.js baseline (better-sqlite3 only); limit: fetch + bench_limit pg-copy-binary',
          limit: summary(fetchSeconds.map((f, i) => f + pgCopySeconds[i])), target: targets.pg });

    for (let i = 0; i < runs; i++) {
      const based = spawnSync(sluice, ['-w', pgWs, '-c', `SYNC CONNECTOR b TO DESTINATION pginc${i} FULL`],
        { encoding: 'utf8', env: benchEnv, maxBuffer: 1 << 30 });
      if (based.status !== 0) throw new Error(`the full sync before the incremental one failed (${based.status ?? based.error}): ${based.stderr}`);
    }
    const { changed: pgChanged } = await post(`${url}/change?percent=1`);
    const pgMark = new Date(Date.UTC(2026, 0, 1) + rows * 1000).toISOString().replace('.000Z', 'Z');
    const pgIncRuns = repeat((i) => runSluice(pgWs, `SYNC CONNECTOR b TO DESTINATION pginc${i}`, 'table'));
    if (!pgIncRuns[0].stdout.includes(` ${pgChanged} |`)) {
      log(`    (check: the incremental sync's summary does not show ${pgChanged} rows)\n${pgIncRuns[0].stdout}`);
    }
    // The limit: the changed pages fetched, then the rows upserted by bare
    // libpq into a table of all the rows (COPY into a stage, one INSERT …
    // ON CONFLICT; bench_limit pg-upsert).
    const pgIncLimit = repeat(() => {
      const fetched = jsonOf(measure(join(build, 'bench_limit'),
        ['fetch', `${url}/rows?updated_since=${pgMark}`, String(Math.ceil(pgChanged / pageSize))]).stdout);
      const upserted = jsonOf(measure(join(build, 'bench_limit'), ['pg-upsert', pg, String(rows), String(pgChanged)]).stdout);
      return (fetched.seconds + upserted.seconds) * 1000;
    });
    add({ name: `incremental sync into PostgreSQL: ${pgChanged} changed of ${rows}`, sluice: times(pgIncRuns),
          rss: rss(pgIncRuns), note: 'limit: fetch of the changed pages + bench_limit pg-upsert',
          limit: summary(pgIncLimit) });
    await post(`${url}/reset`);
  } else {
    log('    skipped: no PostgreSQL server to start');
  }
};

const main = async () => {
  log(`bench: ${runs} runs of each, ${rows} rows (${bigRows} for memory), work dir ${work}`);
  const url = await startServer(['--rows', String(rows), '--page-size', String(pageSize)]);
  const pages = Math.ceil(rows / pageSize);
  const ws = workspace('base', url);

  // The limits (bench_limit, bench/README.md): the work a scan or a sync
  // must really do — fetch, simdjson parse, prepared inserts — with no
  // engine in the way. The bare fetch (no parsing) is the old limit, kept
  // for the notes and the one-page cold start.
  const limit = (args) => measure(join(build, 'bench_limit'), args);
  const fetchLimit = repeat(() => limit(['fetch', `${url}/rows`, String(pages)]));
  const needSync = want('sync') || want('pg') || want('incremental');
  const syncLimitRuns = needSync ? repeat((i) => limit(['sync', `${url}/rows`, String(pages), join(work, `limit-${i}.db`)])) : [];
  const syncLimit = needSync ? limitSeconds(syncLimitRuns) : null;
  notes.push(`bare fetch of the ${pages} pages (bench_limit fetch, no parsing; the limit before issue 18): ` +
             `${fmt(limitSeconds(fetchLimit))}` +
             (needSync ? `; the sync limit's fetch + parse thread was done after ${fmt(summary(syncLimitRuns.map((r) =>
               jsonOf(r.stdout).fetch_parse_seconds * 1000)))} (it waits when the inserts are behind)` : ''));

  if (want('scan')) {
    log('1. live scan');
    const countRuns = repeat(() => runSluice(ws, 'SELECT count(*) AS n FROM b.rows'));
    if (!countRuns[0].stdout.includes(String(rows))) throw new Error(`count(*) gave ${countRuns[0].stdout}`);
    add({ name: `scan: SELECT count(*) over ${rows} rows`, sluice: times(countRuns), rss: rss(countRuns),
          baseline: times(repeat(() => measure('node', ['bench/node/scan.mjs', `${url}/rows`]))),
          limit: limitSeconds(repeat(() => limit(['scan', `${url}/rows`, String(pages)]))), target: targets.fast });
    const filterRuns = repeat(() => runSluice(ws, 'SELECT id, name FROM b.rows WHERE active AND quantity > 500'));
    add({ name: 'scan: SELECT id, name … WHERE active AND quantity > 500', sluice: times(filterRuns), rss: rss(filterRuns),
          baseline: times(repeat(() => measure('node', ['bench/node/scan.mjs', `${url}/rows`, '--filter']))),
          limit: limitSeconds(repeat(() => limit(['scan', `${url}/rows`, String(pages), '--filter']))), target: targets.fast });
  }

  let syncRuns = null;
  if (want('sync') || want('memory')) {
    log('2. full sync into SQLite');
    syncRuns = repeat((i) => runSluice(copyOf(ws, `sync-${i}`), 'SYNC CONNECTOR b FULL', 'table'));
    add({ name: `full sync of ${rows} rows into the workspace (SQLite)`, sluice: times(syncRuns), rss: rss(syncRuns),
          baseline: times(repeat((i) => measure('node', ['bench/node/sync.mjs', `${url}/rows`, join(work, `node-${i}.db`)]))),
          limit: syncLimit, target: targets.fast });
  }

  if (want('incremental')) {
    log('3. incremental re-sync after 1% changed');
    const synced = copyOf(ws, 'incremental-base');
    spawnSync(sluice, ['-w', synced, '-c', 'SYNC CONNECTOR b FULL'], { env: benchEnv });
    const nodeBase = join(work, 'node-incremental.db');
    spawnSync('node', ['bench/node/sync.mjs', `${url}/rows`, nodeBase], { cwd: root });
    const { changed } = await post(`${url}/change?percent=1`);
    const mark = new Date(Date.UTC(2026, 0, 1) + rows * 1000).toISOString().replace('.000Z', 'Z');
    const incrementalRuns = repeat((i) => runSluice(copyOf(synced, `incremental-${i}`), 'SYNC CONNECTOR b', 'table'));
    if (!incrementalRuns[0].stdout.includes(`| ${changed} `) && !incrementalRuns[0].stdout.includes(` ${changed} |`)) {
      log(`    (check: the incremental sync's summary does not show ${changed} rows)\n${incrementalRuns[0].stdout}`);
    }
    const changedPages = Math.ceil(changed / pageSize);
    // The limit: the changed pages fetched, parsed and upserted into a copy
    // of the limit's own full sync.
    const incrementalLimit = repeat((i) => limit(['sync', `${url}/rows?updated_since=${mark}`, String(changedPages),
      copyOf(join(work, 'limit-0.db'), `limit-inc-${i}`), '--upsert']));
    add({ name: `incremental sync: ${changed} changed of ${rows}`, sluice: times(incrementalRuns), rss: rss(incrementalRuns),
          baseline: times(repeat((i) => {
            const db = join(work, `node-inc-${i}.db`);
            cpSync(nodeBase, db);
            return measure('node', ['bench/node/sync.mjs', `${url}/rows`, db, '--since', mark]);
          })),
          limit: limitSeconds(incrementalLimit), target: targets.incremental });
    await post(`${url}/reset`);
  }

  if (want('pg')) await postgresSection(url, fetchLimit.map((r) => jsonOf(r.stdout).seconds * 1000));

  if (want('fanout')) {
    log('4. fan-out');
    // Small pages, as child tables' usually are: the scenario measures
    // requests in flight, not parsing (the scans and syncs measure that).
    const fanPages = 400, latency = 50, concurrency = 32, fanPageSize = 100;
    const slowUrl = await startServer(['--rows', String(fanPages * fanPageSize), '--page-size', String(fanPageSize),
      '--latency-ms', String(latency)]);
    const fanWs = join(work, 'fanout.db');
    const made = spawnSync(sluice, ['-w', fanWs, '-c', `CREATE CONNECTOR TYPE 'fanout' FROM INTEGRATION '${join(root, 'bench/fanout')}';
      CREATE CONNECTOR f TYPE 'fanout' CONFIG {"url": "${slowUrl}", "pages": ${fanPages}, "concurrency": ${concurrency}};`],
      { encoding: 'utf8', env: benchEnv });
    if (made.status !== 0) throw new Error(made.stderr);
    const fanRuns = repeat(() => runSluice(fanWs, 'SELECT count(*) FROM f.pages'));
    const ideal = fanPages * latency / concurrency;
    add({ name: `fan-out: ${fanPages} pages of ${fanPageSize} rows × ${latency} ms, concurrency ${concurrency}`,
          sluice: times(fanRuns), rss: rss(fanRuns),
          baseline: times(repeat(() => measure('node', ['bench/node/fanout.mjs', `${slowUrl}/rows`, String(fanPages), String(concurrency)]))),
          // The whole bare-libcurl program's wall time, as Sluice's is.
          limit: times(repeat(() => limit(['fetch-concurrent', `${slowUrl}/rows`, String(fanPages), String(concurrency)]))),
          ideal, target: targets.fanout,
          note: `limit: bench_limit fetch-concurrent, the whole process (as for Sluice); ideal (pages × latency ÷ ` +
                `concurrency) ${(ideal / 1000).toFixed(3)} s` });
  }

  if (want('cold')) {
    log('5. cold start');
    const empty = join(work, 'empty.db');
    const selectOne = repeat(() => measure(sluice, ['-w', ':memory:', '-c', 'SELECT 1'], { env: benchEnv }));
    add({ name: 'cold start: sluice -c "SELECT 1"', sluice: times(selectOne), rss: rss(selectOne),
          baseline: times(repeat(() => measure('node', ['-e', 'console.log(1)']))), note: 'baseline: node -e',
          target: targets.selectOne });
    const onePage = repeat(() => runSluice(ws, 'SELECT id FROM b.rows LIMIT 10'));
    add({ name: 'cold start: a one-page connector query (LIMIT 10)', sluice: times(onePage), rss: rss(onePage),
          baseline: times(repeat(() => measure('node', ['-e',
            `fetch(${JSON.stringify(`${url}/rows?cursor=0`)}).then(r => r.json()).then(p => console.log(p.items.slice(0, 10).length))`]))),
          limit: limitSeconds(repeat(() => limit(['fetch', `${url}/rows`, '1']))), target: targets.onePage,
          note: 'limit: one bare fetch of the page, in-process (no process start)' });
    void empty;
  }

  if (want('cloudquery')) await cloudquerySection(url);
  if (want('distributed')) await distributedSection();

  if (want('memory')) {
    log('6. memory');
    for (const child of children.splice(0)) child.kill('SIGTERM');
    const bigUrl = await startServer(['--rows', String(bigRows), '--page-size', String(pageSize)]);
    const bigWs = workspace('big', bigUrl);
    const bigRuns = repeat((i) => runSluice(copyOf(bigWs, `big-${i}`), 'SYNC CONNECTOR b FULL', 'table'));
    add({ name: `full sync of ${bigRows} rows into the workspace (memory)`, sluice: times(bigRuns), rss: rss(bigRuns),
          flat: rss(bigRuns).median <= 1.2 * rss(syncRuns).median, target: targets.memory,
          note: `peak RSS ${rss(bigRuns).median.toFixed(0)} MiB against ${rss(syncRuns).median.toFixed(0)} MiB at ${rows} rows` });
  }

  report();
};

const report = () => {
  const cpu = cpus();
  const machine = `${cpu.length} cores, ${cpu[0]?.model?.trim() ?? 'unknown CPU'}; Node.js ${process.version}`;
  const s = (x) => (x ? `${(x.median / 1000).toFixed(3)} s (${(x.min / 1000).toFixed(3)}–${(x.max / 1000).toFixed(3)})` : '—');
  const lines = [
    `# Sluice benchmarks`,
    '',
    `Machine: ${machine}. ${new Date().toISOString()}. Medians of ${runs} runs (min–max), wall time of the whole process` +
      `${only.size ? `; sections: ${[...only].join(', ')}` : ''}.`,
    '',
    '| scenario | Sluice | baseline (Node.js) | baseline ÷ Sluice | limit | limit ÷ Sluice | Sluice peak RSS | target | met |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const ratio = r.baseline ? `${(r.baseline.median / r.sluice.median).toFixed(2)}×` : '—';
    const share = r.limit ? (r.limit.median / r.sluice.median).toFixed(2) : '—';
    const target = targetOf(r);
    const met = target ? (target.met(r) ? 'yes' : 'no') : '—';
    lines.push(`| ${r.name} | ${s(r.sluice)} | ${s(r.baseline)} | ${ratio} | ${s(r.limit)} | ${share} | ` +
               `${r.rss.median.toFixed(0)} MiB | ${target ? target.text : '—'} | ${met} |`);
  }
  lines.push('', 'Notes:', '');
  for (const r of results.filter((x) => x.note)) lines.push(`- ${r.name}: ${r.note}`);
  for (const note of notes) lines.push(`- ${note}`);
  lines.push('- limit for scans: the pages fetched with libcurl and parsed with simdjson (DOM), one after the other on ' +
             'one thread; for the filtered scan also the filter and the id/name projection (bench_limit scan).');
  lines.push('- limit for syncs: a two-thread pipeline — one thread fetches and parses (simdjson) into typed rows, the ' +
             'other inserts them with one prepared statement in one transaction (bench_limit sync; --upsert into a ' +
             'synced copy for the incremental sync).');
  lines.push('- limit for PostgreSQL: that fetch plus the rows loaded by bare libpq with one binary COPY into a new table ' +
             '(bench_limit pg-copy-binary); incremental: the changed pages plus a COPY into a stage and one INSERT … ON ' +
             'CONFLICT (bench_limit pg-upsert).');
  lines.push('- baseline ÷ Sluice above 1 means Sluice is faster; limit ÷ Sluice is the share of the limit Sluice reaches.');
  const text = `${lines.join('\n')}\n`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  // BENCH_ONLY=x writes bench/results/x.md, leaving the full run's table.
  // (BENCH_ONLY=distributed: latest-distributed.md.)
  const file = only.size === 1 && only.has('distributed') ? 'latest-distributed' : only.size ? [...only].join('+') : 'latest';
  writeFileSync(join(root, `bench/results/${file}.md`), text);
  process.stdout.write(text);
};

// The servers and the PostgreSQL cluster are children with open pipes:
// exit explicitly (the exit handler stops them and removes the work dir).
main().then(() => process.exit(0), (error) => {
  log(`bench: ${error.stack || error}`);
  process.exit(1);
});
