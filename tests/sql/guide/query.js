// The query handler (3. Implement Query Handler), verbatim from the connector guide (shared/reference/connectors-guide.txt);
// the lines after the marker below are the test's.
async function query(config, filters, options) {
const params = new URLSearchParams();
// Apply filters
if (filters.status) {
params.append('status', filters.status);
}
// Apply pagination
if (options.limit) {
params.append('limit', options.limit);
}
const url = `${config.api_url}/items?${params}`;
const response = await fetch(url, {
headers: {
'Authorization': `Bearer ${config.api_key}`,
'Content-Type': 'application/json'
}
});
if (!response.ok) {
throw new Error(`API error: ${response.status}`);
}
const data = await response.json();
// Transform to expected format
return data.items.map(item => ({
id: item.id,
name: item.name,
status: item.status,
created_at: new Date(item.created_at),
metadata: item.extra || {}
}));
}
// ---- test harness ----
async function execute(config, params) { return query(config, params.filters || {}, params.options || {}); }
