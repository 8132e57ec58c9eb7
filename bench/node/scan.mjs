// scan.mjs: the Node.js baseline for a scan — read every page of the bench
// API, parse it and count the rows; with --filter, keep only the rows with
// active true and quantity > 500 and collect their id and name (a filtered
// projection, as SELECT id, name … WHERE active AND quantity > 500 would).
//
//   node bench/node/scan.mjs URL [--filter]
//
// URL is bench_api_server's /rows endpoint (http://127.0.0.1:PORT/rows); the
// pages are followed by cursor from cursor=0. Prints {"rows": n, "matched":
// m, "seconds": s} (without --filter every row matches); s covers the
// fetching and parsing, not Node's startup.
function usage() {
  console.error('usage: node scan.mjs URL [--filter]');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 1 || args.length > 2 || (args.length === 2 && args[1] !== '--filter')) usage();
const url = args[0];
const filter = args[1] === '--filter';

const start = performance.now();
let rows = 0;
const matches = [];
let cursor = '0';
while (cursor !== null) {
  const pageUrl = new URL(url);
  pageUrl.searchParams.set('cursor', cursor);
  const res = await fetch(pageUrl);
  if (!res.ok) throw new Error(`GET ${pageUrl}: HTTP ${res.status}`);
  const page = await res.json();
  rows += page.items.length;
  if (filter) {
    for (const item of page.items) {
      if (item.active && item.quantity > 500) matches.push({ id: item.id, name: item.name });
    }
  }
  cursor = page.next_cursor;
}
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ rows, matched: filter ? matches.length : rows, seconds }));
