// Streaming behaviour of `sluice serve`'s /api/query, with Node's own fetch
// (run by tests/cli/serve_stream.sh, which starts the servers):
//
//  1. NDJSON rows arrive one by one, while the live table is still paging;
//  2. aborting the fetch mid-stream stops the scan: the test API server's
//     request log stops growing;
//  3. many reads at once while another process syncs into the workspace
//     all succeed, and all finish while the sync is still running;
//  4. clients that stop reading a large stream do not block other requests.
//
// Usage: node serve_stream.mjs BASE_URL API_URL SLUICE WORKSPACE
import {spawn} from 'node:child_process';
import assert from 'node:assert/strict';

const [base, api, sluice, workspace] = process.argv.slice(2);
const slow = Number(process.env.SLUICE_TEST_SLOW || 1);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

const query = (sql, params = {}) =>
  `${base}/api/query?${new URLSearchParams({sql, ...params})}`;

// How many /pages requests with `total` the API has served.
async function pagesServed(total) {
  const log = await (await fetch(`${api}/requests`)).json();
  return log.filter(r => r.path === '/pages' && r.query.includes(`total=${total}`)).length;
}

// Polls until the count has not moved for `quietMs` (or 20 s have gone,
// when the scan never stops); returns it.
async function settled(total, quietMs) {
  let last = await pagesServed(total);
  let since = Date.now();
  const giveUp = Date.now() + 20000 * slow;
  while (Date.now() < giveUp) {
    await sleep(100);
    const now = await pagesServed(total);
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return last;
    }
  }
  return last;
}

// Reads `count` lines of an NDJSON body; the reader stays open.
async function readLines(reader, count) {
  const decoder = new TextDecoder();
  let text = '';
  const lines = [];
  while (lines.length < count) {
    const {value, done} = await reader.read();
    if (done) break;
    text += decoder.decode(value, {stream: true});
    let newline;
    while ((newline = text.indexOf('\n')) >= 0 && lines.length < count) {
      lines.push(JSON.parse(text.slice(0, newline)));
      text = text.slice(newline + 1);
    }
  }
  return lines;
}

let checks = 0;
function check(name, fn) {
  fn();
  checks++;
  console.log(`ok ${checks} - ${name}`);
}

// 1 and 2: an endless paginated entity (100000 rows, 5 a page, each page
// behind a short /slow call), streamed and then abandoned.
{
  const controller = new AbortController();
  const response = await fetch(query('SELECT id, name FROM endless.rows', {_nl: 'on', _rows: '100000'}),
                               {signal: controller.signal});
  check('stream answers 200 NDJSON', () => {
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /application\/x-ndjson/);
  });
  const reader = response.body.getReader();
  const first = await readLines(reader, 3);
  const servedAtFirstRows = await pagesServed(100000);
  check('rows arrive one by one, while the handler is still paging', () => {
    assert.deepEqual(first, [{id: 1, name: 'row-1'}, {id: 2, name: 'row-2'}, {id: 3, name: 'row-3'}]);
    assert.ok(servedAtFirstRows >= 1 && servedAtFirstRows < 20000,
              `${servedAtFirstRows} of 20000 pages served when the first rows arrived`);
  });
  controller.abort();
  await reader.read().catch(() => {});
  const afterAbort = await settled(100000, 1500 * slow);
  await sleep(2000 * slow);
  const later = await pagesServed(100000);
  check('aborting stops the scan: the API is asked for no further page', () => {
    assert.equal(later, afterAbort, `pages went from ${afterAbort} to ${later} after the abort`);
    assert.ok(afterAbort < 20000);
  });
  console.log(`# pages served: ${servedAtFirstRows} at the first rows, ${afterAbort} once stopped`);
}

// 3: a sync that takes a while (slow pages), and reads meanwhile.
{
  const sync = spawn(sluice, [workspace, '-c', 'SYNC CONNECTOR slowsync FULL;'], {stdio: ['ignore', 'pipe', 'pipe']});
  let syncOutput = '';
  sync.stdout.on('data', d => (syncOutput += d));
  sync.stderr.on('data', d => (syncOutput += d));
  let syncDone = false;
  const syncExit = new Promise(resolve => sync.on('exit', code => { syncDone = true; resolve(code); }));
  // Once its first rows are committed, the sync is writing.
  for (;;) {
    const answer = await (await fetch(query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'slowsync_rows'"))).json();
    if (answer.rows?.[0]?.n === 1 || syncDone) break;
    await sleep(50);
  }
  check('the sync is running when the reads start', () => assert.equal(syncDone, false, syncOutput));
  const sqls = [
    'SELECT count(*) AS n FROM quick_rows',
    'SELECT id, name FROM quick_rows ORDER BY id LIMIT 5',
    'SELECT count(*) AS n FROM _sluice_sync_runs',
    'SELECT count(*) AS n FROM slowsync_rows',
    "SELECT name FROM _sluice_connectors ORDER BY name",
  ];
  const reads = [];
  for (let i = 0; i < 40; i++) {
    reads.push(fetch(query(sqls[i % sqls.length])).then(async r => ({status: r.status, body: await r.json()})));
  }
  const answers = await Promise.all(reads);
  const stillSyncing = !syncDone;
  check('40 reads during the sync all succeed', () => {
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answers[0].body.rows[0].n, 50);
  });
  check('none waited for the sync to finish', () => assert.ok(stillSyncing, 'the sync ended before the reads did'));
  const code = await syncExit;
  check('the sync then finishes', () => assert.equal(code, 0, syncOutput));
  const after = await (await fetch(query('SELECT count(*) AS n FROM slowsync_rows'))).json();
  check('and its rows are read', () => assert.equal(after.rows[0].n, 200));
}

// 4: clients that stop reading large streams, and quick reads meanwhile.
{
  const big = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x, printf('%.400c', 'y') AS pad FROM n";
  const stalled = [];
  for (let i = 0; i < 3; i++) {
    const controller = new AbortController();
    const response = await fetch(query(big, {_nl: 'on', _rows: '100000'}), {signal: controller.signal});
    assert.equal(response.status, 200);
    stalled.push({controller, response});  // the body is never read
  }
  const quick = [];
  for (let i = 0; i < 20; i++) {
    quick.push(fetch(query('SELECT count(*) AS n FROM quick_rows')).then(async r => ({status: r.status, body: await r.json()})));
  }
  const answers = await Promise.all(quick);
  check('clients that do not read their stream block no one else', () => {
    for (const answer of answers) assert.equal(answer.status, 200);
    assert.equal(answers[19].body.rows[0].n, 50);
  });
  for (const {controller} of stalled) controller.abort();
}

console.log(`all ${checks} checks passed`);
