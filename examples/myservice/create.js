// Action handler for myservice.items.create: POSTs the parameters (with
// defaults applied by the engine) and returns the created item.
async function execute(config, params) {
  const response = await fetch(config.api_url + '/items', {
    method: 'POST',
    headers: {
      'Authorization': 'Bearer ' + config.api_key,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(params),
  });
  if (response.status === 401) throw new ConnectorAuthError('Invalid API key');
  if (!response.ok) throw new ConnectorError(`API error: ${response.status} ${response.statusText}`);
  return await response.json();
}
