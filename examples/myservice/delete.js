// Action handler for myservice.items.delete.
async function execute(config, params) {
  const response = await fetch(`${config.api_url}/items/${encodeURIComponent(params.id)}`, {
    method: 'DELETE',
    headers: {'Authorization': 'Bearer ' + config.api_key},
  });
  if (response.status === 401) throw new ConnectorAuthError('Invalid API key');
  if (response.status === 404) throw new ConnectorError(`No item ${params.id}`);
  if (!response.ok) throw new ConnectorError(`API error: ${response.status} ${response.statusText}`);
  return {deleted: params.id};
}
