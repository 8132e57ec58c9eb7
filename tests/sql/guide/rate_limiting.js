// The rate limiter (Advanced Features: Rate Limiting), verbatim from the connector guide (shared/reference/connectors-guide.txt);
// the lines after the marker below are the test's.
const rateLimiter = {
lastCall: 0,
minInterval: 100, // 10 requests per second
async wait() {
const now = Date.now();
const elapsed = now - this.lastCall;
if (elapsed < this.minInterval) {
await new Promise(r => setTimeout(r, this.minInterval - elapsed));
}
this.lastCall = Date.now();
}
};
// ---- test harness ----
// The guide's query() around the limiter, with its `// ... make API call` filled in.
async function query(config, filters, options) {
  await rateLimiter.wait();
  const response = await fetch(`${config.api_url}/items?limit=1`, {headers: {'Authorization': `Bearer ${config.api_key}`}});
  return (await response.json()).items;
}
async function execute(config, params) {
  const started = [];
  for (let i = 0; i < params.calls; i++) { await query(config, {}, {}); started.push(rateLimiter.lastCall); }
  let smallestGap = Infinity;
  for (let i = 1; i < started.length; i++) smallestGap = Math.min(smallestGap, started[i] - started[i - 1]);
  return {calls: started.length, smallestGap};
}
