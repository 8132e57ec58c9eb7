// A small client for the forge API: GET with query parameters, the bearer
// token, and an error that names the request when the answer is not 2xx.

const query = (params) => {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
};

export const newApi = ({ baseUrl, token }) => {
  const get = async (path, params = {}) => {
    const url = `${baseUrl}${path}${query(params)}`;
    const headers = { Accept: 'application/json' };
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const response = await fetch(url, { headers });
    if (!response.ok) {
      const body = await response.text();
      throw new Error(`GET ${path}${query(params)}: HTTP ${response.status}: ${body.slice(0, 200)}`);
    }
    return await response.json();
  };

  // Calls `get` for pages 1, 2, … while the answer has a next_page, and
  // hands each page's `key` array to `onPage`.
  const eachPage = async (path, key, onPage) => {
    let page = 1;
    while (page) {
      const body = await get(path, { page });
      onPage(body[key] ?? []);
      page = body.next_page ?? null;
    }
  };

  return { get, eachPage };
};
