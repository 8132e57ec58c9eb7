// The cache (Advanced Features: Caching), verbatim from the connector guide (shared/reference/connectors-guide.txt);
// the lines after the marker below are the test's.
const cache = new Map();
const CACHE_TTL = 60000; // 1 minute
async function query(config, filters, options) {
const cacheKey = JSON.stringify({config, filters, options});
const cached = cache.get(cacheKey);
if (cached && Date.now() - cached.time < CACHE_TTL) {
return cached.data;
}
const data = await fetchFromAPI(config, filters, options);
cache.set(cacheKey, {data, time: Date.now()});
return data;
}
// ---- test harness ----
// The guide leaves fetchFromAPI to the reader.
async function fetchFromAPI(config, filters, options) {
  const response = await fetch(`${config.api_url}/items?limit=2`, {headers: {'Authorization': `Bearer ${config.api_key}`}});
  return (await response.json()).items;
}
async function execute(config, params) { return query(config, params.filters || {}, {}); }
