// Query handler for myservice.items (the connector guide's handler, with its
// pagination and error handling, and the incremental-sync cursor). `id` and
// `status` are declared filterable, so the API applies them and the engine
// may push LIMIT down.

// `WHERE id IN (…)` arrives as an array; this API filters on one value, so a
// list is left to the engine (which checks every row anyway).
const single = value => (Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value);

// A generator: each page is handed to the engine as it arrives, so a query
// with LIMIT stops fetching early and a sync of a million items streams
// (the time limit applies to each page, not to the whole scan).
async function* query(config, filters, options) {
  const headers = {
    'Authorization': `Bearer ${config.api_key}`,
    'Content-Type': 'application/json',
  };
  let cursor = null;
  let delivered = 0;
  do {
    const params = new URLSearchParams();
    if (single(filters.id) !== undefined) params.append('id', single(filters.id));
    if (single(filters.status) !== undefined) params.append('status', single(filters.status));
    // An incremental sync passes the last synced mark: only what changed since.
    if (options.cursor) params.append('updated_since', options.cursor.value);
    if (cursor) params.append('cursor', cursor);
    params.append('limit', options.limit ? Math.min(options.limit, 100) : 100);

    let response;
    try {
      response = await fetch(`${config.api_url}/items?${params}`, {headers});
    } catch (error) {
      if (error.name === 'FetchError') {
        throw new ConnectorConnectionError(`Cannot connect to ${config.api_url}`);
      }
      throw error;
    }
    if (response.status === 401) throw new ConnectorAuthError('Invalid API key');
    if (response.status === 429) {
      const retryAfter = response.headers.get('Retry-After') || 60;
      throw new ConnectorRateLimitError(`Rate limited. Retry after ${retryAfter}s`);
    }
    if (!response.ok) {
      throw new ConnectorError(`API error: ${response.status} ${response.statusText}`);
    }
    const data = await response.json();
    const page = [];
    for (const item of data.items) {
      page.push({
        id: item.id,
        name: item.name,
        status: item.status,
        created_at: item.created_at ? new Date(item.created_at) : null,
        updated_at: item.updated_at ? new Date(item.updated_at) : null,
        metadata: item.extra || {},
      });
    }
    const wanted = options.limit ? page.slice(0, options.limit - delivered) : page;
    delivered += wanted.length;
    yield wanted;
    cursor = data.next_cursor;
  } while (cursor && !(options.limit && delivered >= options.limit));
}
