// The error handling (Advanced Features: Error Handling), verbatim from the connector guide (shared/reference/connectors-guide.txt);
// the lines after the marker below are the test's.
// The guide's handler reads `url` and `headers` from its surroundings.
let url, headers;
async function query(config, filters, options) {
try {
const response = await fetch(url, {headers});
if (response.status === 401) {
throw new ConnectorAuthError('Invalid API key');
}
if (response.status === 429) {
const retryAfter = response.headers.get('Retry-After') || 60;
throw new ConnectorRateLimitError(
`Rate limited. Retry after ${retryAfter}s`
);
}
if (!response.ok) {
throw new ConnectorError(
`API error: ${response.status} ${response.statusText}`
);
}
return await response.json();
} catch (error) {
if (error.name === 'FetchError') {
throw new ConnectorConnectionError(
`Cannot connect to ${config.api_url}`
);
}
throw error;
}
}
// ---- test harness ----
async function execute(config, params) {
  url = config.api_url + params.path;
  headers = {'Authorization': `Bearer ${config.api_key}`};
  return query(config, {}, {});
}
