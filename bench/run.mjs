// The benchmark driver (`make bench`; not part of CI): Sluice against what a
// user would write instead (Node.js scripts, bench/node) and against the
// limit (bare libcurl and SQLite, bench/limit.cc), every figure measured in
// the same run on the same local API (bench/bench_api_server.cc). Prints a
// markdown table and writes it to bench/results/latest.md.
//
//   node bench/run.mjs [BUILD_DIR]        (BENCH_RUNS=3, BENCH_ROWS=1000000, BENCH_BIG_ROWS=5000000,
//                                          BENCH_ONLY=cloudquery for the protocol scenarios alone,
//                                          BENCH_ONLY=postgresql for the PostgreSQL ones)
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
const add = (scenario) => {
  results.push(scenario);
  log(`  ${scenario.name}: Sluice ${fmt(scenario.sluice)}${scenario.baseline ? `, Node.js ${fmt(scenario.baseline)}` : ''}` +
      `${scenario.limit ? `, limit ${fmt(scenario.limit)}` : ''}`);
};
const fmt = (s) => (s ? `${(s.median / 1000).toFixed(3)} s` : '—');
const times = (list) => summary(list.map((r) => r.wall_ms));
const rss = (list) => summary(list.map((r) => r.max_rss_kib / 1024));

// 7. The CloudQuery plugin protocol, against the bench API at `url`.
const cloudquerySection = async (url) => {
  log('7. the CloudQuery plugin protocol');
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
  const readThrough = (target, specText) => measure('node', ['bench/node/cq_read.mjs', target, specText]);
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
  const perThousand = (r) => (jsonOf(r.stdout).inserts / jsonOf(r.stdout).rows) * 1000;
  const rate = (r) => Math.round(jsonOf(r.stdout).rows / (r.wall_ms / 1000));
  for (const [r, expected] of [...sluiceReads.map((r) => [r, rows]), ...sdkReads.map((r) => [r, sdkRows])]) {
    if (jsonOf(r.stdout).rows !== expected) throw new Error(`a gRPC read gave ${r.stdout}, not ${expected} rows`);
  }
  const scaled = sdkReads.map((r) => ({ ...r, wall_ms: r.wall_ms * (rows / sdkRows) }));
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
  add({ name: `full sync of ${rows} rows from a hosted plugin (sluice plugin serve over gRPC) into SQLite`,
        sluice: times(hostRuns), rss: rss(hostRuns), baseline: times(nativeRuns),
        note: 'baseline: the same integration loaded natively (FROM INTEGRATION); baseline ÷ Sluice below 1 is the hosting overhead' });
  sluiceServe.stop();
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
          limit: summary(fetchSeconds.map((f, i) => f + pgCopySeconds[i])) });

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

  // The limit for reading: every page fetched, bodies discarded.
  const fetchLimit = repeat(() => measure(join(build, 'bench_limit'), ['fetch', `${url}/rows`, String(pages)]));
  // The limit for writing: the rows, already parsed, into SQLite in one transaction.
  const insertLimit = repeat((i) => measure(join(build, 'bench_limit'), ['insert', join(work, `limit-${i}.db`), String(rows)]));
  const fetchSeconds = fetchLimit.map((r) => jsonOf(r.stdout).seconds * 1000);
  const insertSeconds = insertLimit.map((r) => jsonOf(r.stdout).seconds * 1000);
  const syncLimit = summary(fetchSeconds.map((f, i) => f + insertSeconds[i]));

  // BENCH_ONLY=cloudquery: only the CloudQuery protocol scenarios.
  if (process.env.BENCH_ONLY === 'cloudquery') {
    await cloudquerySection(url);
    report();
    return;
  }
  // BENCH_ONLY=postgresql: only the PostgreSQL scenarios.
  if (process.env.BENCH_ONLY === 'postgresql') {
    await postgresSection(url, fetchSeconds);
    report();
    return;
  }

  log('1. live scan');
  const countRuns = repeat(() => runSluice(ws, 'SELECT count(*) AS n FROM b.rows'));
  if (!countRuns[0].stdout.includes(String(rows))) throw new Error(`count(*) gave ${countRuns[0].stdout}`);
  add({ name: `scan: SELECT count(*) over ${rows} rows`, sluice: times(countRuns), rss: rss(countRuns),
        baseline: times(repeat(() => measure('node', ['bench/node/scan.mjs', `${url}/rows`]))),
        limit: summary(fetchSeconds) });
  const filterRuns = repeat(() => runSluice(ws, 'SELECT id, name FROM b.rows WHERE active AND quantity > 500'));
  add({ name: 'scan: SELECT id, name … WHERE active AND quantity > 500', sluice: times(filterRuns), rss: rss(filterRuns),
        baseline: times(repeat(() => measure('node', ['bench/node/scan.mjs', `${url}/rows`, '--filter']))),
        limit: summary(fetchSeconds) });

  log('2. full sync into SQLite');
  const syncRuns = repeat((i) => runSluice(copyOf(ws, `sync-${i}`), 'SYNC CONNECTOR b FULL', 'table'));
  add({ name: `full sync of ${rows} rows into the workspace (SQLite)`, sluice: times(syncRuns), rss: rss(syncRuns),
        baseline: times(repeat((i) => measure('node', ['bench/node/sync.mjs', `${url}/rows`, join(work, `node-${i}.db`)]))),
        limit: syncLimit });

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
  const incrementalLimit = repeat((i) => {
    const fetched = jsonOf(measure(join(build, 'bench_limit'), ['fetch', `${url}/rows?updated_since=${mark}`, String(changedPages)]).stdout);
    const inserted = jsonOf(measure(join(build, 'bench_limit'), ['insert', join(work, `limit-inc-${i}.db`), String(changed)]).stdout);
    return (fetched.seconds + inserted.seconds) * 1000;
  });
  add({ name: `incremental sync: ${changed} changed of ${rows}`, sluice: times(incrementalRuns), rss: rss(incrementalRuns),
        baseline: times(repeat((i) => {
          const db = join(work, `node-inc-${i}.db`);
          cpSync(nodeBase, db);
          return measure('node', ['bench/node/sync.mjs', `${url}/rows`, db, '--since', mark]);
        })),
        limit: summary(incrementalLimit) });
  await post(`${url}/reset`);

  await postgresSection(url, fetchSeconds);

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
        limit: summary(repeat(() => jsonOf(measure(join(build, 'bench_limit'),
          ['fetch-concurrent', `${slowUrl}/rows`, String(fanPages), String(concurrency)]).stdout).seconds * 1000)),
        ideal });

  log('5. cold start');
  const empty = join(work, 'empty.db');
  const selectOne = repeat(() => measure(sluice, ['-w', ':memory:', '-c', 'SELECT 1'], { env: benchEnv }));
  add({ name: 'cold start: sluice -c "SELECT 1"', sluice: times(selectOne), rss: rss(selectOne),
        baseline: times(repeat(() => measure('node', ['-e', 'console.log(1)']))), note: 'baseline: node -e' });
  const onePage = repeat(() => runSluice(ws, 'SELECT id FROM b.rows LIMIT 10'));
  add({ name: 'cold start: a one-page connector query (LIMIT 10)', sluice: times(onePage), rss: rss(onePage),
        baseline: times(repeat(() => measure('node', ['-e',
          `fetch(${JSON.stringify(`${url}/rows?cursor=0`)}).then(r => r.json()).then(p => console.log(p.items.slice(0, 10).length))`]))),
        limit: summary(repeat(() => jsonOf(measure(join(build, 'bench_limit'), ['fetch', `${url}/rows`, '1']).stdout).seconds * 1000)) });
  void empty;

  await cloudquerySection(url);

  log('6. memory');
  for (const child of children.splice(0)) child.kill('SIGTERM');
  const bigUrl = await startServer(['--rows', String(bigRows), '--page-size', String(pageSize)]);
  const bigWs = workspace('big', bigUrl);
  const bigRuns = repeat((i) => runSluice(copyOf(bigWs, `big-${i}`), 'SYNC CONNECTOR b FULL', 'table'));
  add({ name: `full sync of ${bigRows} rows into the workspace (memory)`, sluice: times(bigRuns), rss: rss(bigRuns),
        note: `peak RSS ${rss(bigRuns).median.toFixed(0)} MiB against ${rss(syncRuns).median.toFixed(0)} MiB at ${rows} rows` });

  report(syncRuns, bigRuns);
};

const report = () => {
  const cpu = cpus();
  const machine = `${cpu.length} cores, ${cpu[0]?.model?.trim() ?? 'unknown CPU'}; Node.js ${process.version}`;
  const s = (x) => (x ? `${(x.median / 1000).toFixed(3)} s (${(x.min / 1000).toFixed(3)}–${(x.max / 1000).toFixed(3)})` : '—');
  const lines = [
    `# Sluice benchmarks`,
    '',
    `Machine: ${machine}. ${new Date().toISOString()}. Medians of ${runs} runs (min–max), wall time of the whole process.`,
    '',
    '| scenario | Sluice | baseline (Node.js) | baseline ÷ Sluice | limit | limit ÷ Sluice | Sluice peak RSS |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const ratio = r.baseline ? `${(r.baseline.median / r.sluice.median).toFixed(2)}×` : '—';
    const ofLimit = r.ideal ? `${(r.ideal / r.sluice.median).toFixed(2)} of ideal`
      : r.limit ? (r.limit.median / r.sluice.median).toFixed(2) : '—';
    const limit = r.ideal ? `${s(r.limit)}; ideal ${(r.ideal / 1000).toFixed(3)} s` : s(r.limit);
    lines.push(`| ${r.name} | ${s(r.sluice)} | ${s(r.baseline)} | ${ratio} | ${limit} | ${ofLimit} | ` +
               `${r.rss.median.toFixed(0)} MiB |`);
  }
  lines.push('', 'Notes:', '');
  for (const r of results.filter((x) => x.note)) lines.push(`- ${r.name}: ${r.note}`);
  lines.push('- limit for reading: every page fetched with bare libcurl, bodies discarded (bench_limit fetch).');
  lines.push('- limit for syncing: that fetch plus the rows, already parsed, inserted with one prepared statement in one ' +
             'transaction (bench_limit insert), one after the other.');
  lines.push('- limit for PostgreSQL: that fetch plus the rows loaded by bare libpq with one binary COPY into a new table ' +
             '(bench_limit pg-copy-binary); incremental: the changed pages plus a COPY into a stage and one INSERT … ON ' +
             'CONFLICT (bench_limit pg-upsert).');
  lines.push('- baseline ÷ Sluice above 1 means Sluice is faster; limit ÷ Sluice is the share of the limit Sluice reaches.');
  const text = `${lines.join('\n')}\n`;
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  // BENCH_ONLY=x writes bench/results/x.md, leaving the full run's table.
  writeFileSync(join(root, `bench/results/${process.env.BENCH_ONLY || 'latest'}.md`), text);
  process.stdout.write(text);
};

// The servers and the PostgreSQL cluster are children with open pipes:
// exit explicitly (the exit handler stops them and removes the work dir).
main().then(() => process.exit(0), (error) => {
  log(`bench: ${error.stack || error}`);
  process.exit(1);
});
