// fanout.mjs: the Node.js baseline for concurrent fetching — pages
// cursor=0 … cursor=PAGES-1 of the bench API, at most CONCURRENCY requests in
// flight (a small promise pool: CONCURRENCY workers taking the next page
// number), each page parsed and its rows counted.
//
//   node bench/node/fanout.mjs URL PAGES CONCURRENCY
//
// URL is bench_api_server's /rows endpoint (http://127.0.0.1:PORT/rows).
// Prints {"rows": n, "seconds": s}; s covers the fetching and parsing, not
// Node's startup.
function usage() {
  console.error('usage: node fanout.mjs URL PAGES CONCURRENCY');
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length !== 3) usage();
const url = args[0];
const pages = Number(args[1]);
const concurrency = Number(args[2]);
if (!Number.isInteger(pages) || pages < 0 || !Number.isInteger(concurrency) || concurrency < 1) usage();

async function fetchPage(cursor) {
  const pageUrl = new URL(url);
  pageUrl.searchParams.set('cursor', String(cursor));
  const res = await fetch(pageUrl);
  if (!res.ok) throw new Error(`GET ${pageUrl}: HTTP ${res.status}`);
  const page = await res.json();
  return page.items.length;
}

const start = performance.now();
let rows = 0;
let next = 0;
async function worker() {
  while (next < pages) {
    const cursor = next++;
    const count = await fetchPage(cursor);
    rows += count;
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, pages) }, worker));
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ rows, seconds }));
