-- fetch and the web APIs against the test API server, and the engine's HTTP
-- policy: retries, Retry-After, rate limits, time limits, concurrency.
CREATE SECRET api_token FROM ENV 'TEST_SERVER_TOKEN';
CREATE CONNECTOR TYPE 'web' CONFIG_SCHEMA {
  "base": {"type": "string", "required": true},
  "token": {"type": "string", "secret": true}};
CREATE CONNECTOR ACTION 'web.run' PARAMETERS {"test": {"type": "string", "required": true}} HANDLER '''
const tests = {
  // 20 requests in flight at once on one thread: the server counts them.
  async concurrency(base) {
    await fetch(base + '/inflight/reset', {method: 'POST'});
    const all = await Promise.all(Array.from({length: 20}, () => fetch(base + '/inflight/hold?ms=300')));
    const max = (await (await fetch(base + '/inflight/max')).json()).max;
    return {responses: all.filter(r => r.ok).length, atLeastTenAtOnce: max >= 10};
  },
  async echo(base) {
    const url = new URL(base + '/echo');
    url.searchParams.set('q', 'a b&c');
    const json = await (await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Custom': 'yes'},
                                          body: JSON.stringify({hello: 'wörld'})})).json();
    const form = await (await fetch(base + '/echo', {method: 'PUT', body: new URLSearchParams({a: '1', b: 'x y'})})).json();
    return {method: json.method, query: json.query, custom: json.headers['x-custom'], body: JSON.parse(json.body),
            formType: form.headers['content-type'], formBody: form.body, formMethod: form.method};
  },
  async responses(base) {
    const redirected = await fetch(base + '/redirect-chain?n=3');
    const gzip = await fetch(base + '/gzip');
    const text = await (await fetch(base + '/text')).text();
    const missing = await fetch(base + '/status/404');
    let malformed;
    try { await (await fetch(base + '/malformed')).json(); } catch (e) { malformed = e.name; }
    const bytes = new Uint8Array(await (await fetch(base + '/text')).arrayBuffer());
    return {redirected: redirected.redirected, finalPath: new URL(redirected.url).pathname,
            gzipOk: typeof (await gzip.json()) === 'object', text, bytes: bytes.length,
            missing: [missing.status, missing.statusText, missing.ok], malformed,
            contentType: gzip.headers.get('Content-Type')};
  },
  async abort(base) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    try { await fetch(base + '/slow?ms=5000', {signal: controller.signal}); return 'not aborted'; }
    catch (e) { return e.name; }
  },
  async refused() {
    try { await fetch('http://127.0.0.1:1/'); } catch (e) { return [e.name, e instanceof TypeError]; }
  },
  async fileScheme() {
    try { await fetch('file:///etc/passwd'); return 'read a file!'; } catch (e) { return e.name; }
  },
  async flaky(base) {
    const response = await fetch(base + '/flaky/five-oh-three?fail=2&code=503');
    return (await response.json()).attempts;
  },
  async retryAfterDate(base) {
    const response = await fetch(base + '/flaky/dated?fail=1&code=429&retry_after=1&retry_after_date=1');
    return [response.status, (await response.json()).attempts];
  },
  async postNotRetried(base) {
    const response = await fetch(base + '/flaky/post-500?fail=1&code=500', {method: 'POST'});
    return response.status;
  },
  async slow(base) { await fetch(base + '/slow?ms=6000'); return 'finished'; },
  async timers() {
    const order = [];
    let ticks = 0;
    await new Promise(resolve => {
      setTimeout((word) => { order.push(word); resolve(); }, 60, 'later');
      setTimeout(() => order.push('sooner'), 5);
      const cancelled = setTimeout(() => order.push('cancelled'), 1);
      clearTimeout(cancelled);
      const id = setInterval(() => { if (++ticks === 3) clearInterval(id); }, 2);
      queueMicrotask(() => order.push('microtask'));
    });
    return {order, ticks};
  },
  async webApis() {
    return {
      btoa: btoa('sluice'), atob: atob('c2x1aWNl'),
      encoded: Array.from(new TextEncoder().encode('é✓')),
      decoded: new TextDecoder().decode(new Uint8Array([0x68, 0xc3, 0xa9])),
      fatal: (() => { try { new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([0xff])); return 'no error'; }
                      catch (e) { return e.name; } })(),
      replaced: new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62])),
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
      clone: (() => { const o = {d: new Date(0), m: new Map([['k', [1]]])}; o.self = o; const c = structuredClone(o);
                      return [c !== o, c.self === c, c.m.get('k')[0], c.d instanceof Date]; })(),
      params: [...new URLSearchParams('a=1&b=x+y&a=2')].map(p => p.join('=')).join(';'),
      headers: (() => { const h = new Headers([['X-A', '1']]); h.append('x-a', '2'); return h.get('X-A'); })(),
      request: (() => { const r = new Request('http://x.test/a?b=1', {method: 'post', headers: {'X-Y': 'z'}});
                        return [r.method, r.url, r.headers.get('x-y'), r.clone().url]; })(),
      response: (() => { const r = new Response('{"a":1}', {status: 201, headers: {'Content-Type': 'application/json'}});
                         return [r.status, r.ok, r.headers.get('content-type'), Response.json({b: 2}).status]; })(),
      errors: [new ConnectorError('e').name, new ConnectorAuthError('e') instanceof ConnectorError,
               new ConnectorRateLimitError('e').name, new ConnectorConnectionError('e') instanceof Error],
    };
  },
  async burst(base) {
    const all = await Promise.all(Array.from({length: 5}, () => fetch(base + '/text')));
    return all.length;
  },
  async leak(base, token) {
    console.log('the token is', token);
    throw new ConnectorError('failed with token ' + token);
  },
};
async function execute(config, params) { return tests[params.test](config.base, config.token); }
''';
CREATE CONNECTOR web1 TYPE 'web' CONFIG {"base": ENV('TEST_SERVER_URL'), "token": "{{secrets.api_token}}"}
  OPTIONS {"timeout_seconds": 2};
CREATE CONNECTOR retrier TYPE 'web' CONFIG {"base": ENV('TEST_SERVER_URL')}
  OPTIONS {"timeout_seconds": 5, "retry_count": 3};

PRINT CONNECTOR_EXEC web1.run(test => 'concurrency');
PRINT CONNECTOR_EXEC web1.run(test => 'echo');
PRINT CONNECTOR_EXEC web1.run(test => 'responses');
PRINT CONNECTOR_EXEC web1.run(test => 'abort');
PRINT CONNECTOR_EXEC web1.run(test => 'refused');
PRINT CONNECTOR_EXEC web1.run(test => 'fileScheme');
PRINT CONNECTOR_EXEC web1.run(test => 'timers');
PRINT CONNECTOR_EXEC web1.run(test => 'webApis');

-- Retries: 503 twice then 200; a 429 with an HTTP-date Retry-After; a POST
-- that got a 500 is not sent again (it may have taken effect).
PRINT 'attempts:', CONNECTOR_EXEC retrier.run(test => 'flaky');
PRINT CONNECTOR_EXEC retrier.run(test => 'retryAfterDate');
PRINT 'POST status:', CONNECTOR_EXEC retrier.run(test => 'postNotRetried');
SHOW CONNECTOR STATS FOR retrier;

-- The time limit covers waiting on the network too.
CONNECTOR_EXEC web1.run(test => 'slow');

-- Secrets are masked in console output and errors.
CONNECTOR_EXEC web1.run(test => 'leak');

-- rate_limit: with a bucket of one token, 5 requests at once means 4 wait.
CREATE CONNECTOR throttled TYPE 'web' CONFIG {"base": ENV('TEST_SERVER_URL')}
  OPTIONS {"rate_limit": 50, "rate_limit_burst": 1};
PRINT CONNECTOR_EXEC throttled.run(test => 'burst');
SHOW CONNECTOR STATS FOR throttled;
