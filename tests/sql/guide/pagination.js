// The pagination handler (Advanced Features: Pagination), verbatim from the connector guide (shared/reference/connectors-guide.txt);
// the lines after the marker below are the test's.
async function query(config, filters, options) {
let allResults = [];
let cursor = null;
do {
const params = new URLSearchParams();
if (cursor) params.append('cursor', cursor);
params.append('limit', 100);
const response = await fetch(
`${config.api_url}/items?${params}`,
{headers: {'Authorization': `Bearer ${config.api_key}`}}
);
const data = await response.json();
allResults = allResults.concat(data.items);
cursor = data.next_cursor;
if (options.limit && allResults.length >= options.limit) {
break;
}
} while (cursor);
return allResults.slice(0, options.limit);
}
// ---- test harness ----
async function execute(config, params) { return query(config, {}, params.options || {}); }
