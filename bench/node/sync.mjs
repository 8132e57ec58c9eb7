// sync.mjs: the Node.js baseline for a sync — what a competent user writes by
// hand to copy the bench API's rows into SQLite: global fetch, await
// res.json(), one prepared upsert, one transaction per page.
//
//   node bench/node/sync.mjs URL DB_PATH [--since ISO]
//
// URL is bench_api_server's /rows endpoint (http://127.0.0.1:PORT/rows). The
// script follows cursor pagination from cursor=0 (adding updated_since=ISO
// with --since), creates the table `rows` if it is missing, upserts every
// item, and prints {"rows": n, "seconds": s} — s from the first request to
// the last commit, without Node's startup. Needs `npm ci` in bench/node.
import Database from 'better-sqlite3';

function usage() {
  console.error('usage: node sync.mjs URL DB_PATH [--since ISO]');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 2 && !(args.length === 4 && args[2] === '--since')) usage();
const [url, dbPath] = args;
const since = args[3];

const db = new Database(dbPath);
db.exec(`CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, name TEXT, email TEXT, amount REAL,
  active INTEGER, quantity INTEGER, created_at TEXT, updated_at TEXT, meta TEXT)`);
const upsert = db.prepare(`INSERT INTO rows (id, name, email, amount, active, quantity, created_at, updated_at, meta)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, amount = excluded.amount,
    active = excluded.active, quantity = excluded.quantity, created_at = excluded.created_at,
    updated_at = excluded.updated_at, meta = excluded.meta`);
const writePage = db.transaction((items) => {
  for (const item of items) {
    upsert.run(item.id, item.name, item.email, item.amount, item.active ? 1 : 0, item.quantity,
      item.created_at, item.updated_at, JSON.stringify(item.meta));
  }
});

const start = performance.now();
let rows = 0;
let cursor = '0';
while (cursor !== null) {
  const pageUrl = new URL(url);
  if (since) pageUrl.searchParams.set('updated_since', since);
  pageUrl.searchParams.set('cursor', cursor);
  const res = await fetch(pageUrl);
  if (!res.ok) throw new Error(`GET ${pageUrl}: HTTP ${res.status}`);
  const page = await res.json();
  writePage(page.items);
  rows += page.items.length;
  cursor = page.next_cursor;
}
const seconds = (performance.now() - start) / 1000;
db.close();
console.log(JSON.stringify({ rows, seconds }));
