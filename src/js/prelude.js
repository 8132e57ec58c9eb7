// Web APIs for connector handlers (DESIGN.md §4), built on the natives in
// NATIVE_CONTRACT.md. Runs once per realm, before any handler code.
(function () {
  'use strict';
  const native = globalThis.__native;
  delete globalThis.__native;

  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);
  // Typed arrays and buffers may come from another realm (the natives'), so
  // recognise them by internal tag rather than instanceof.
  const isArrayBuffer = (v) => v !== null && typeof v === 'object' &&
    (tagOf(v) === 'ArrayBuffer' || tagOf(v) === 'SharedArrayBuffer');
  const bytesOf = (v) => (isArrayBuffer(v) ? new Uint8Array(v)
    : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null);
  // WebIDL USVString: lone surrogates become U+FFFD (and Symbols throw).
  const usv = (v) => {
    const s = `${v}`;
    return /[\uD800-\uDFFF]/.test(s)
      ? s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') : s;
  };
  const utf8 = (s) => native.utf8Encode(usv(s));
  const decodeUtf8 = (bytes, fatal) => native.utf8Decode(bytes, !!fatal);
  // A response body: invalid UTF-8 in it is counted, or refused (the
  // connector option invalid_utf8), rather than silently replaced.
  const decodeResponse = (bytes, url) => native.utf8Decode(bytes, false, url);
  const kInspect = Symbol('inspect');

  // ---------------------------------------------------------------- console
  const isIdent = (k) => /^[A-Za-z_$][\w$]*$/.test(k);
  const quote = (s) => {
    const q = s.includes("'") && !s.includes('"') ? '"' : "'";
    return q + s.replace(/[\\\n\r\t\b\f\v\0]/g, (c) => JSON.stringify(c).slice(1, -1))
      .replace(new RegExp(q, 'g'), '\\' + q) + q;
  };
  const fnName = (f) => {
    let src = '';
    try { src = Function.prototype.toString.call(f); } catch { /* proxies */ }
    const name = typeof f.name === 'string' && f.name ? f.name : '';
    if (src.startsWith('class')) return `[class ${name || '(anonymous)'}]`;
    return name ? `[Function: ${name}]` : '[Function (anonymous)]';
  };
  const errorHeader = (e) => {
    let name = 'Error', message = '';
    try { name = String(e.name); message = String(e.message); } catch { /* hostile getters */ }
    return message ? `${name}: ${message}` : name;
  };
  // Never throws: getters, proxies and odd objects must not break logging.
  function inspect(v, depth = 0, seen = []) {
    try { return inspectInner(v, depth, seen); } catch { return '[object ?]'; }
  }
  function inspectInner(v, depth, seen) {
    const t = typeof v;
    if (t === 'string') return depth === 0 ? v : quote(v);
    if (t === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (t === 'bigint') return `${v}n`;
    if (t === 'symbol') return v.toString();
    if (t === 'function') return fnName(v);
    if (v === null || t !== 'object') return String(v);
    if (seen.includes(v)) return '[Circular]';
    const tag = tagOf(v);
    if (v instanceof Error || tag === 'Error') {
      const header = errorHeader(v);
      if (depth > 0) return `[${header}]`;
      const stack = typeof v.stack === 'string' ? v.stack.trimEnd() : '';
      let out = !stack ? header : stack.startsWith(header) ? stack
        : header + '\n' + stack.split('\n').map((l) => '    at ' + l).join('\n');
      const extra = Object.keys(v).filter((k) => !['name', 'message', 'stack'].includes(k));
      if (extra.length || v.cause !== undefined) {
        const parts = extra.map((k) => `${isIdent(k) ? k : quote(k)}: ${inspect(v[k], 1, [...seen, v])}`);
        if (v.cause !== undefined) parts.push(`[cause]: ${inspect(v.cause, 1, [...seen, v])}`);
        out += ` { ${parts.join(', ')} }`;
      }
      return out;
    }
    if (tag === 'Date') return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (tag === 'RegExp') return String(v);
    if (/^(String|Number|Boolean|BigInt|Symbol)$/.test(tag)) return `[${tag}: ${inspect(v.valueOf(), 1)}]`;
    if (tag === 'Promise' || tag === 'WeakMap' || tag === 'WeakSet') return `${tag} { <items unknown> }`;
    const inner = [...seen, v];
    const sub = (x) => inspect(x, depth + 1, inner);
    const list = (open, items, close) => (items.length ? `${open} ${items.join(', ')} ${close}` : `${open}${close}`);
    const proto = Object.getPrototypeOf(v), c = proto && proto.constructor;
    const ctor = proto === null ? '[Object: null prototype]' : typeof c === 'function' && c.name ? c.name : '';
    if (typeof v[kInspect] === 'function') return `${ctor} ${depth > 2 ? '{...}' : sub(v[kInspect]())}`;
    if (tag === 'ArrayBuffer') return `ArrayBuffer { byteLength: ${v.byteLength} }`;
    const isArr = Array.isArray(v);
    if (depth > 2) return `[${isArr ? 'Array' : tag !== 'Object' ? tag : ctor && ctor !== 'Object' ? ctor : 'Object'}]`;
    const more = (n) => (n > 100 ? [`... ${n - 100} more item${n > 101 ? 's' : ''}`] : []);
    const limit = (arr, f) => [...arr.slice(0, 100).map(f), ...more(arr.length)];
    if (tag === 'Map') return list(`Map(${v.size}) {`, limit([...v], ([k, x]) => `${sub(k)} => ${sub(x)}`), '}');
    if (tag === 'Set') return list(`Set(${v.size}) {`, limit([...v], sub), '}');
    if (ArrayBuffer.isView(v) && tag !== 'DataView') return list(`${tag}(${v.length}) [`, limit([...v], sub), ']');
    const props = [];
    for (const k of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (!d || !d.enumerable || (isArr && typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k))) continue;
      const key = typeof k === 'symbol' ? `[${k.toString()}]` : isIdent(k) ? k : quote(k);
      const val = 'value' in d ? sub(d.value) : d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
      props.push(`${key}: ${val}`);
    }
    if (isArr) {
      const items = [];
      let holes = 0;
      const flush = () => { if (holes) items.push(`<${holes} empty item${holes > 1 ? 's' : ''}>`); holes = 0; };
      for (let i = 0; i < Math.min(v.length, 100); i++) {
        if (i in v) { flush(); items.push(sub(v[i])); } else holes++;
      }
      flush();
      items.push(...more(v.length));
      return list(ctor && ctor !== 'Array' ? `${ctor}(${v.length}) [` : '[', [...items, ...props], ']');
    }
    const prefix = ctor === 'Object' ? '' : `${ctor || tag} `;
    return prefix + list('{', props, '}');
  }
  function format(args) {
    let first = 0, out = '';
    if (typeof args[0] === 'string' && args.length > 1 && args[0].includes('%')) {
      let i = 1;
      out = args[0].replace(/%([sdifjoOc%])/g, (m, c) => {
        if (c === '%') return '%';
        if (i >= args.length) return m;
        const a = args[i++];
        switch (c) {
          case 's': return inspect(a, typeof a === 'string' ? 0 : 1);
          case 'd': return typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'NaN' : inspect(Number(a), 1);
          case 'i': return typeof a === 'bigint' ? `${a}n` : typeof a === 'symbol' ? 'NaN' : String(parseInt(a, 10));
          case 'f': return typeof a === 'symbol' ? 'NaN' : String(parseFloat(a));
          case 'j': try { return JSON.stringify(a); } catch { return '[Circular]'; }
          case 'c': return '';
          default: return inspect(a, 1);
        }
      });
      first = i;
    }
    const rest = args.slice(first).map((a) => inspect(a));
    return first ? [out, ...rest].join(' ') : rest.join(' ');
  }
  let indent = '';
  const emit = (level, args) => {
    const text = format(args);
    native.print(level, indent ? text.split('\n').map((l) => indent + l).join('\n') : text);
  };
  const counts = new Map(), timers = new Map();
  const console = {
    log: (...a) => emit('log', a),
    info: (...a) => emit('info', a),
    warn: (...a) => emit('warn', a),
    error: (...a) => emit('error', a),
    debug: (...a) => emit('debug', a),
    trace: (...a) => emit('error', [`Trace${a.length ? ': ' + format(a) : ''}\n${new Error().stack}`]),
    dir: (v) => emit('log', [inspect(v, 1)]),
    table: (...a) => emit('log', a),
    assert: (cond, ...a) => { if (!cond) emit('error', ['Assertion failed' + (a.length ? ': ' + format(a) : '')]); },
    count: (label = 'default') => {
      counts.set(`${label}`, (counts.get(`${label}`) || 0) + 1);
      emit('log', [`${label}: ${counts.get(`${label}`)}`]);
    },
    countReset: (label = 'default') => { counts.delete(`${label}`); },
    time: (label = 'default') => { timers.set(`${label}`, Date.now()); },
    timeLog: (label = 'default', ...a) => {
      if (timers.has(`${label}`)) emit('log', [`${label}: ${Date.now() - timers.get(`${label}`)}ms`, ...a]);
    },
    timeEnd: (label = 'default') => { console.timeLog(label); timers.delete(`${label}`); },
    group: (...a) => { if (a.length) emit('log', a); indent += '  '; },
    groupCollapsed: (...a) => console.group(...a),
    groupEnd: () => { indent = indent.slice(2); },
  };
  define('console', console);

  // ----------------------------------------------------------------- timers
  // As Node: NaN/negative run at once, beyond 2^31-1 ms (which would overflow) means 1 ms.
  const delayOf = (ms) => { const d = Number(ms); return d >= 0 && d <= 2147483647 ? d : d > 2147483647 ? 1 : 0; };
  const checkFn = (cb) => {
    if (typeof cb !== 'function') throw new TypeError('The "callback" argument must be of type function');
  };
  const timer = (repeat) => (cb, ms, ...args) => {
    checkFn(cb);
    return native.setTimer(() => cb(...args), repeat ? Math.max(1, delayOf(ms)) : delayOf(ms), repeat);
  };
  const clear = (id) => { if (typeof id === 'number' && id >= 1) native.clearTimer(id); };
  define('setTimeout', timer(false));
  define('setInterval', timer(true));
  define('clearTimeout', clear);
  define('clearInterval', clear);
  define('queueMicrotask', (cb) => { checkFn(cb); Promise.resolve().then(() => cb()); });

  // ----------------------------------------------------------- DOMException
  const legacyCodes = { IndexSizeError: 1, NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11,
    SyntaxError: 12, InvalidCharacterError: 5, NetworkError: 19, AbortError: 20, TimeoutError: 23,
    QuotaExceededError: 22, DataCloneError: 25, InvalidAccessError: 15, TypeMismatchError: 17 };
  class DOMException extends Error {
    #code;
    constructor(message = '', name = 'Error') {
      super(`${message}`);
      Object.defineProperty(this, 'name', { value: `${name}`, writable: true, configurable: true });
      this.#code = legacyCodes[`${name}`] || 0;
    }
    get code() { return this.#code; }
  }
  define('DOMException', DOMException);

  // ---------------------------------------------------------------- Headers
  const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
  const headerName = (n) => {
    if (!tokenRe.test(`${n}`)) throw new TypeError(`Invalid header name: "${n}"`);
    return `${n}`.toLowerCase();
  };
  const headerValue = (v) => {
    const s = `${v}`.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    if (/[\0\r\n]|[^\0-\xFF]/.test(s)) throw new TypeError(`Invalid header value: "${s}"`);
    return s;
  };
  // Calls f(name, value) for each pair of a HeadersInit or search-params-like init.
  const forEachPair = (init, f, what) => {
    if (init === null || typeof init !== 'object' && typeof init !== 'function') {
      throw new TypeError(`${what}: expected an object, an iterable of pairs, or a ${what}`);
    }
    if (typeof init[Symbol.iterator] === 'function') {
      for (const pair of init) {
        const p = Object(pair) === pair && typeof pair[Symbol.iterator] === 'function' ? [...pair] : [];
        if (p.length !== 2) throw new TypeError(`${what}: each init entry must be a [name, value] pair`);
        f(p[0], p[1]);
      }
    } else {
      for (const k of Object.keys(init)) f(k, init[k]);
    }
  };
  let headersFromList, headerList;
  class Headers {
    #list = []; // [lower-case name, value], in insertion order
    constructor(init = undefined) {
      if (init !== undefined) forEachPair(init, (n, v) => this.append(n, v), 'Headers');
    }
    static {
      // Trusted lists (network responses) skip validation.
      headersFromList = (list) => {
        const h = new Headers();
        h.#list = list.map(([n, v]) => [`${n}`.toLowerCase(), `${v}`]);
        return h;
      };
      headerList = (h) => h.#list;
    }
    append(name, value) { this.#list.push([headerName(name), headerValue(value)]); }
    delete(name) { const n = headerName(name); this.#list = this.#list.filter((p) => p[0] !== n); }
    #all(n) { return this.#list.filter((p) => p[0] === n).map((p) => p[1]); }
    get(name) { const vals = this.#all(headerName(name)); return vals.length ? vals.join(', ') : null; }
    getSetCookie() { return this.#all('set-cookie'); }
    has(name) { const n = headerName(name); return this.#list.some((p) => p[0] === n); }
    set(name, value) {
      const n = headerName(name), v = headerValue(value);
      const i = this.#list.findIndex((p) => p[0] === n);
      if (i < 0) { this.#list.push([n, v]); return; }
      this.#list[i] = [n, v];
      this.#list = this.#list.filter((p, j) => j <= i || p[0] !== n);
    }
    // WHATWG "sort and combine": names sorted, repeats joined, Set-Cookie kept apart.
    #sorted() {
      const names = [...new Set(this.#list.map((p) => p[0]))].sort();
      return names.flatMap((n) => (n === 'set-cookie' ? this.#all(n).map((v) => [n, v]) : [[n, this.get(n)]]));
    }
    forEach(cb, thisArg = undefined) { checkFn(cb); for (const [n, v] of this.#sorted()) cb.call(thisArg, v, n, this); }
    *entries() { yield* this.#sorted(); }
    *keys() { for (const p of this.#sorted()) yield p[0]; }
    *values() { for (const p of this.#sorted()) yield p[1]; }
    [Symbol.iterator]() { return this.entries(); }
    [kInspect]() { return Object.fromEntries(this.#sorted()); }
  }
  define('Headers', Headers);

  // -------------------------------------------------------- URLSearchParams
  // application/x-www-form-urlencoded: only [A-Za-z0-9*\-._] stay, space is '+'.
  const formEncode = (s) => encodeURIComponent(usv(s))
    .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
  const isHex = (b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
  const percentDecode = (s) => {
    if (!s.includes('%')) return s;
    const bytes = utf8(s), out = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const escaped = bytes[i] === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
      out[n++] = escaped ? parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16) : bytes[i];
      if (escaped) i += 2;
    }
    return decodeUtf8(out.subarray(0, n), false);
  };
  const parseForm = (s) => {
    const list = [];
    for (const part of usv(s).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq), value = eq < 0 ? '' : part.slice(eq + 1);
      list.push([percentDecode(name.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))]);
    }
    return list;
  };
  let paramsSetList, paramsLink;
  class URLSearchParams {
    #list = [];
    #onChange = null; // set when owned by a URL, to keep its query in step
    constructor(init = '') {
      if (init !== null && (typeof init === 'object' || typeof init === 'function')) {
        forEachPair(init, (n, v) => this.#list.push([usv(n), usv(v)]), 'URLSearchParams');
      } else {
        const s = usv(init);
        this.#list = parseForm(s.startsWith('?') ? s.slice(1) : s);
      }
    }
    static {
      paramsSetList = (p, query) => { p.#list = parseForm(query); };
      paramsLink = (p, onChange) => { p.#onChange = onChange; };
    }
    #update() { if (this.#onChange) this.#onChange(this.toString()); }
    get size() { return this.#list.length; }
    append(name, value) { this.#list.push([usv(name), usv(value)]); this.#update(); }
    delete(name, value = undefined) {
      const n = usv(name), v = value === undefined ? undefined : usv(value);
      this.#list = this.#list.filter((p) => p[0] !== n || (v !== undefined && p[1] !== v));
      this.#update();
    }
    get(name) { const n = usv(name); const p = this.#list.find((q) => q[0] === n); return p ? p[1] : null; }
    getAll(name) { const n = usv(name); return this.#list.filter((p) => p[0] === n).map((p) => p[1]); }
    has(name, value = undefined) {
      const n = usv(name), v = value === undefined ? undefined : usv(value);
      return this.#list.some((p) => p[0] === n && (v === undefined || p[1] === v));
    }
    set(name, value) {
      const n = usv(name), v = usv(value);
      const i = this.#list.findIndex((p) => p[0] === n);
      if (i < 0) this.#list.push([n, v]);
      else this.#list = this.#list.filter((p, j) => j <= i || p[0] !== n).map((p, j) => (j === i ? [n, v] : p));
      this.#update();
    }
    sort() {
      // Array#sort is stable; '<' on strings compares UTF-16 code units, as specified.
      this.#list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.#update();
    }
    forEach(cb, thisArg = undefined) { checkFn(cb); for (const [n, v] of this.entries()) cb.call(thisArg, v, n, this); }
    // Live like the spec's iterators: entries appended during iteration are seen.
    *entries() { for (let i = 0; i < this.#list.length; i++) yield [this.#list[i][0], this.#list[i][1]]; }
    *keys() { for (const [n] of this.entries()) yield n; }
    *values() { for (const [, v] of this.entries()) yield v; }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this.#list.map(([n, v]) => `${formEncode(n)}=${formEncode(v)}`).join('&'); }
    [kInspect]() { return this.#list.map(([n, v]) => `${n}=${v}`); }
  }
  define('URLSearchParams', URLSearchParams);

  // -------------------------------------------------------------------- URL
  const special = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);
  // The native record cannot tell an empty host ("mock:///x") from no host
  // ("mailto:x"); the input's "//" after the scheme does.
  const tidy = (s) => s.replace(/^[\0- ]+|[\0- ]+$/g, '').replace(/[\t\n\r]/g, '');
  const hasSlashes = (input, base) => {
    const s = tidy(input);
    const m = /^[A-Za-z][A-Za-z0-9+.\-]*:/.exec(s);
    if (m) return special.has(m[0].toLowerCase()) || /^[/\\]{2}/.test(s.slice(m[0].length));
    if (/^[/\\]{2}/.test(s)) return true;
    return base !== undefined && hasSlashes(base);
  };
  const userinfoEncode = (s) => usv(s).replace(/[\0- "#<>?`{}/:;=@[\\\]^|\x7F-\uFFFF]/gu, encodeURIComponent);
  const urlParts = ['protocol', 'username', 'password', 'hostname', 'port', 'pathname', 'search', 'hash'];
  // libcurl (behind parseURL) insists on a host, but a non-special URL may have an
  // empty one, as mock:// URLs do ("mock:///items"): lend it one and take it back.
  const noHost = 'sluice-no-host.invalid';
  const lendHost = (s) => s.replace(/^([A-Za-z][A-Za-z0-9+.\-]*:)\/\/(?=[/?#]|$)/,
    (m, scheme) => (special.has(scheme.toLowerCase()) ? m : `${scheme}//${noHost}`));
  // WHATWG drops tabs and newlines and encodes spaces; curl rejects some spaces ("#a b") and turns others into '+'.
  const clean = (s) => (s === undefined ? s : lendHost(tidy(s).replace(/ /g, '%20')));
  const defaultPorts = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };
  const parseRecord = (input, base) => {
    const rec = native.parseURL(clean(input), clean(base));
    if (!rec) return null;
    const r = { slashes: hasSlashes(input, base) };
    for (const k of urlParts) r[k] = rec[k] == null ? '' : `${rec[k]}`;
    r.protocol = r.protocol.toLowerCase();
    if (r.hostname === noHost) r.hostname = '';
    if (special.has(r.protocol)) r.hostname = r.hostname.toLowerCase(); // WHATWG does, curl does not
    if (defaultPorts[r.protocol] === r.port) r.port = '';
    return r;
  };
  class URL {
    #r;
    #params = null;
    constructor(url, base = undefined) {
      const input = usv(url);
      this.#r = parseRecord(input, base === undefined ? undefined : usv(base));
      if (!this.#r) throw new TypeError(`Invalid URL: ${input}`);
    }
    static canParse(url, base = undefined) { return URL.parse(url, base) !== null; }
    static parse(url, base = undefined) { try { return new URL(url, base); } catch { return null; } }
    #set(rec) {
      this.#r = rec;
      if (this.#params) paramsSetList(this.#params, rec.search.slice(1));
    }
    // Setters rebuild an href from edited parts and let the native parser canonicalise it.
    #reparse(parts) { const rec = parseRecord(URL.#build({ ...this.#r, ...parts })); if (rec) this.#set(rec); }
    static #build(r) {
      const auth = r.username || r.password ? `${r.username}${r.password ? ':' + r.password : ''}@` : '';
      const authority = r.slashes || r.hostname ? `//${auth}${r.hostname}${r.port ? ':' + r.port : ''}` : '';
      return r.protocol + authority + r.pathname + r.search + r.hash;
    }
    get href() { return URL.#build(this.#r); }
    set href(v) {
      const s = usv(v), rec = parseRecord(s);
      if (!rec) throw new TypeError(`Invalid URL: ${s}`);
      this.#set(rec);
    }
    get origin() {
      const p = this.#r.protocol;
      return special.has(p) && p !== 'file:' ? `${p}//${this.host}` : 'null';
    }
    get protocol() { return this.#r.protocol; }
    set protocol(v) {
      const m = /^([A-Za-z][A-Za-z0-9+.\-]*)/.exec(usv(v));
      if (!m) return;
      const p = m[1].toLowerCase() + ':';
      if (special.has(p) !== special.has(this.#r.protocol)) return;
      this.#reparse({ protocol: p });
    }
    get username() { return this.#r.username; }
    #hasHost() { return this.#r.hostname !== '' && this.#r.protocol !== 'file:'; }
    set username(v) { if (this.#hasHost()) this.#reparse({ username: userinfoEncode(v) }); }
    get password() { return this.#r.password; }
    set password(v) { if (this.#hasHost()) this.#reparse({ password: userinfoEncode(v) }); }
    get host() { return this.#r.hostname + (this.#r.port ? ':' + this.#r.port : ''); }
    set host(v) {
      const s = usv(v).split(/[/?#\\]/)[0];
      const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(s);
      if (!s || !m) return;
      this.#reparse({ hostname: m[1], port: m[2] === undefined ? this.#r.port : m[2] });
    }
    get hostname() { return this.#r.hostname; }
    set hostname(v) {
      const s = usv(v).split(/[/?#\\]/)[0];
      if (s && !/^[^[]*:/.test(s)) this.#reparse({ hostname: s });
    }
    get port() { return this.#r.port; }
    set port(v) {
      const s = usv(v), digits = /^\d*/.exec(s)[0];
      if (this.#hasHost() && (s === '' || digits)) this.#reparse({ port: digits && String(Number(digits)) });
    }
    get pathname() { return this.#r.pathname; }
    set pathname(v) {
      const r = this.#r;
      if (!r.slashes && !r.hostname && !r.pathname.startsWith('/')) return; // opaque path
      let p = usv(v).replace(/[?#]/g, encodeURIComponent);
      if ((special.has(r.protocol) || r.slashes) && !/^[/\\]/.test(p) && (p || special.has(r.protocol))) p = '/' + p;
      this.#reparse({ pathname: p });
    }
    #setPart(key, prefix, v) {
      const s = usv(v), rest = s.startsWith(prefix) ? s.slice(1) : s;
      // '' removes the part; a bare prefix leaves it empty but present (href keeps the '?' or '#').
      if (rest === '') return this.#set({ ...this.#r, [key]: s === '' ? '' : prefix });
      this.#reparse({ [key]: prefix + (key === 'search' ? rest.replace(/#/g, '%23') : rest) });
    }
    get search() { return this.#r.search.length > 1 ? this.#r.search : ''; }
    set search(v) { this.#setPart('search', '?', v); }
    get searchParams() {
      if (!this.#params) {
        this.#params = new URLSearchParams(this.search);
        paramsLink(this.#params, (q) => { this.#r = { ...this.#r, search: q ? '?' + q : '' }; });
      }
      return this.#params;
    }
    get hash() { return this.#r.hash.length > 1 ? this.#r.hash : ''; }
    set hash(v) { this.#setPart('hash', '#', v); }
    toString() { return this.href; }
    toJSON() { return this.href; }
    [kInspect]() { return Object.fromEntries(['href', 'origin', 'host', ...urlParts].map((k) => [k, this[k]])); }
  }
  define('URL', URL);

  // ------------------------------------------------ AbortController/Signal
  const abortReason = () => new DOMException('This operation was aborted', 'AbortError');
  let signalAbort, onSignalAbort, isSignal, newSignal;
  const kConstruct = Symbol('construct');
  const callListener = (target, fn, event) => {
    if (typeof fn === 'function') fn.call(target, event);
    else if (fn && typeof fn.handleEvent === 'function') fn.handleEvent(event);
  };
  class AbortSignal {
    #aborted = false;
    #reason = undefined;
    #listeners = []; // {type, fn, once}
    #algorithms = new Set(); // internal reactions (fetch), run before listeners
    #onabort = null;
    constructor(key = undefined) { if (key !== kConstruct) throw new TypeError('Illegal constructor'); }
    static {
      isSignal = (s) => s !== null && typeof s === 'object' && #aborted in s;
      newSignal = () => new AbortSignal(kConstruct);
      onSignalAbort = (s, f) => { s.#algorithms.add(f); return () => s.#algorithms.delete(f); };
      signalAbort = (s, reason) => {
        if (s.#aborted) return;
        s.#aborted = true;
        s.#reason = reason === undefined ? abortReason() : reason;
        for (const f of [...s.#algorithms]) f(s.#reason);
        s.#algorithms.clear();
        const event = { type: 'abort', target: s, currentTarget: s, isTrusted: true, defaultPrevented: false,
          preventDefault() {}, stopPropagation() {}, stopImmediatePropagation() {} };
        const call = (fn) => {
          try { callListener(s, fn, event); } catch (e) { console.error('Uncaught', e); } // the others must still run
        };
        if (s.#onabort) call(s.#onabort);
        for (const l of s.#listeners.filter((x) => x.type === 'abort')) {
          if (l.once) s.removeEventListener('abort', l.fn);
          call(l.fn);
        }
      };
    }
    get aborted() { return this.#aborted; }
    get reason() { return this.#reason; }
    get onabort() { return this.#onabort; }
    set onabort(fn) { this.#onabort = typeof fn === 'function' ? fn : null; }
    throwIfAborted() { if (this.#aborted) throw this.#reason; }
    addEventListener(type, fn, options = undefined) {
      if (fn == null) return;
      const t = `${type}`, once = !!(options && typeof options === 'object' && options.once);
      if (this.#listeners.some((l) => l.type === t && l.fn === fn)) return;
      this.#listeners.push({ type: t, fn, once });
      const sig = options && typeof options === 'object' ? options.signal : undefined;
      if (isSignal(sig)) onSignalAbort(sig, () => this.removeEventListener(t, fn));
    }
    removeEventListener(type, fn) {
      this.#listeners = this.#listeners.filter((l) => l.type !== `${type}` || l.fn !== fn);
    }
    static abort(reason = undefined) { const s = newSignal(); signalAbort(s, reason); return s; }
    static timeout(ms) {
      const s = newSignal();
      const fire = () => signalAbort(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      native.setTimer(fire, delayOf(ms), false);
      return s;
    }
    static any(iterable) {
      const s = newSignal(), signals = [...iterable];
      for (const x of signals) {
        if (!isSignal(x)) throw new TypeError('AbortSignal.any: expected AbortSignals');
        if (x.aborted) { signalAbort(s, x.reason); return s; }
      }
      for (const x of signals) onSignalAbort(x, (r) => signalAbort(s, r));
      return s;
    }
  }
  class AbortController {
    #signal = newSignal();
    get signal() { return this.#signal; }
    abort(reason = undefined) { signalAbort(this.#signal, reason); }
  }
  define('AbortSignal', AbortSignal);
  define('AbortController', AbortController);

  // ------------------------------------------------------- Request/Response
  // Bodies are held as bytes; there are no streams, so `body` is a Uint8Array.
  const extractBody = (body) => {
    if (body === null || body === undefined) return { bytes: null, type: null };
    if (typeof body === 'string') return { bytes: utf8(body), type: 'text/plain;charset=UTF-8' };
    if (body instanceof URLSearchParams) {
      return { bytes: utf8(body.toString()), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
    }
    const view = bytesOf(body);
    if (view) return { bytes: view.slice(), type: null };
    return { bytes: utf8(String(body)), type: 'text/plain;charset=UTF-8' };
  };
  const consumed = () => new TypeError('Body has already been consumed');
  // JSON.parse of a body, its error naming the start of the body and
  // carrying the stack of the handler's call to json().
  const parseJson = (text, site) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      const preview = text.length > 100 ? text.slice(0, 100) + '…' : text;
      const error = new SyntaxError(text.trim() === '' ? 'Unexpected end of JSON input: the body is empty'
        : `${e.message} (body starts with: ${JSON.stringify(preview)})`);
      Object.defineProperty(error, 'stack', { value: site.stack, writable: true, configurable: true });
      throw error;
    }
  };
  // The native row path (docs/javascript.md): a body's row arrays stay in
  // the document simdjson parsed, behind arrays that look and behave as the
  // ones JSON.parse makes. Reading `length` (or a method) leaves the rows
  // native; anything that reaches an element or changes the array parses
  // its rows with JSON.parse first, and from then on the proxy only
  // forwards. The sink converts rows still native straight from the
  // document (natives.cc), finding them in this registry.
  const nativeRows = new WeakMap();
  const nativeJsonMin = native.jsonMinBytes; // Infinity when SLUICE_NATIVE_JSON=0
  native.setRowsRegistry(nativeRows);
  const isIndex = (k) => typeof k === 'string' && /^(?:0|[1-9]\d*)$/.test(k) && +k < 4294967295;
  const lazyRows = (handle, count, bytes) => {
    let text = bytes;
    const target = [];
    let rows = handle;
    const materialize = () => {
      if (rows === null) return;
      const parsed = JSON.parse(decodeUtf8(text, false));
      for (let i = 0; i < parsed.length; i++) target[i] = parsed[i];
      // Neither the body nor its native parse is needed any more: a handler
      // that reaches into its rows holds what JSON.parse made, as before.
      native.releaseRows(rows);
      rows = null;
      text = null;
      nativeRows.delete(proxy);
      // Without traps a proxy forwards each operation to its target itself.
      for (const trap of Object.keys(traps)) delete traps[trap];
    };
    const reaching = (f) => (t, ...a) => { materialize(); return f(t, ...a); };
    const traps = {
      get: (t, k, r) => {
        if (k === 'length' && rows !== null) return count;
        if (isIndex(k)) materialize();
        return Reflect.get(t, k, r);
      },
      has: (t, k) => { if (isIndex(k)) materialize(); return Reflect.has(t, k); },
      set: reaching(Reflect.set),
      deleteProperty: reaching(Reflect.deleteProperty),
      defineProperty: reaching(Reflect.defineProperty),
      getOwnPropertyDescriptor: reaching(Reflect.getOwnPropertyDescriptor),
      ownKeys: reaching(Reflect.ownKeys),
      preventExtensions: reaching(Reflect.preventExtensions),
      setPrototypeOf: reaching(Reflect.setPrototypeOf),
    };
    const proxy = new Proxy(target, traps);
    nativeRows.set(proxy, handle);
    return proxy;
  };
  // {value} of the body, or null when its JSON is for JSON.parse.
  const parseNative = (bytes) => {
    try {
      return splitNative(bytes);
    } catch {
      return null; // what the JavaScript path then says about the body
    }
  };
  const splitNative = (bytes) => {
    const split = native.jsonRows(bytes);
    if (split === null) return null;
    let value = split.rest === undefined ? null : JSON.parse(split.rest);
    for (const [path, handle, count, begin, end] of split.rows) {
      const rows = lazyRows(handle, count, bytes.subarray(begin, end));
      if (path.length === 0) { value = rows; continue; }
      let parent = value;
      for (let i = 0; i < path.length - 1; i++) parent = parent[path[i]];
      const key = path[path.length - 1];
      if (parent === null || typeof parent !== 'object' || parent[key] !== null) return null;
      Object.defineProperty(parent, key, { value: rows, writable: true, enumerable: true, configurable: true });
    }
    return { value };
  };
  let bodyBytes, bodyUsed, setBodyUsed;
  class Body {
    #bytes = null;
    #used = false;
    constructor(bytes) { this.#bytes = bytes; }
    static {
      bodyBytes = (b) => b.#bytes;
      bodyUsed = (b) => b.#used;
      setBodyUsed = (b) => { if (b.#bytes) b.#used = true; };
    }
    get body() { return this.#bytes; }
    get bodyUsed() { return this.#used; }
    #consume() {
      if (this.#used) throw consumed();
      if (this.#bytes === null) return new Uint8Array(0);
      this.#used = true;
      return this.#bytes;
    }
    async text() {
      const bytes = this.#consume();
      const s = this instanceof Response ? decodeResponse(bytes, this.url) : decodeUtf8(bytes, false);
      return s.charCodeAt(0) === 0xFEFF ? s.slice(1) : s;
    }
    json() {
      // The caller's frames, taken before the first await: an error thrown
      // after it would point into this prelude, not at the handler's line
      // that asked for the JSON, and its stack would have lost the handler.
      const site = new Error();
      const bytes = this.#bytes;
      if (!this.#used && bytes !== null && bytes.length >= nativeJsonMin) {
        const parsed = parseNative(bytes);
        if (parsed !== null) {
          this.#used = true;
          return Promise.resolve(parsed.value);
        }
      }
      return this.text().then((text) => parseJson(text, site));
    }
    async arrayBuffer() { const b = this.#consume(); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
    async bytes() { return new Uint8Array(await this.arrayBuffer()); }
    async blob() { throw new TypeError('Blob bodies are not supported; use arrayBuffer() or bytes()'); }
    async formData() { throw new TypeError('FormData bodies are not supported'); }
  }
  const normalMethods = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
  const kInternal = Symbol('internal');
  const parseRequestURL = (input) => (input instanceof URL ? input.href : new URL(usv(input)).href);
  class Request extends Body {
    #url; #method; #headers; #signal; #redirect;
    constructor(input, init = {}) {
      init = init ?? {};
      const from = input instanceof Request ? input : null;
      if (from && bodyUsed(from)) throw new TypeError('Cannot construct a Request from one whose body was consumed');
      let method = from ? from.method : 'GET';
      if (init.method !== undefined) {
        method = `${init.method}`;
        if (!tokenRe.test(method)) throw new TypeError(`Invalid method: "${method}"`);
        const upper = method.toUpperCase();
        if (['CONNECT', 'TRACE', 'TRACK'].includes(upper)) throw new TypeError(`Forbidden method: "${method}"`);
        if (normalMethods.includes(upper)) method = upper;
      }
      const hasBody = init.body !== undefined && init.body !== null;
      const extracted = hasBody ? extractBody(init.body)
        : { bytes: from && init.body !== null ? bodyBytes(from) : null, type: null };
      if (extracted.bytes !== null && (method === 'GET' || method === 'HEAD')) {
        throw new TypeError('Request with GET/HEAD method cannot have body.');
      }
      super(extracted.bytes);
      this.#url = from ? from.url : parseRequestURL(input);
      this.#method = method;
      this.#headers = new Headers(init.headers !== undefined ? init.headers : from ? from.headers : undefined);
      if (extracted.type && !this.#headers.has('content-type')) this.#headers.set('content-type', extracted.type);
      const sig = init.signal !== undefined ? init.signal : from ? from.signal : null;
      if (sig !== null && !isSignal(sig)) throw new TypeError("Request: 'signal' must be an AbortSignal");
      this.#signal = sig || newSignal();
      const redirect = init.redirect !== undefined ? `${init.redirect}` : from ? from.redirect : 'follow';
      if (!/^(follow|manual|error)$/.test(redirect)) throw new TypeError(`Invalid redirect mode: "${redirect}"`);
      this.#redirect = redirect;
      if (from && !hasBody && init.body !== null) setBodyUsed(from);
    }
    get url() { return this.#url; }
    get method() { return this.#method; }
    get headers() { return this.#headers; }
    get signal() { return this.#signal; }
    get redirect() { return this.#redirect; }
    clone() {
      if (this.bodyUsed) throw new TypeError('Cannot clone a Request whose body was consumed');
      const b = this.body, headers = headersFromList(headerList(this.#headers));
      return new Request(this.#url, { method: this.#method, headers, body: b && b.slice(), signal: this.#signal,
        redirect: this.#redirect });
    }
    [kInspect]() { return { method: this.#method, url: this.#url, headers: this.#headers, redirect: this.#redirect }; }
  }
  const nullBodyStatus = [101, 103, 204, 205, 304];
  class Response extends Body {
    #m; // {status, statusText, headers, url, redirected, type}
    constructor(body = null, init = {}) {
      if (body === kInternal) { // fetch results and clones: any status, trusted headers
        super(init.body);
        this.#m = init;
        return;
      }
      init = init ?? {};
      const status = init.status === undefined ? 200 : Number(init.status);
      if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
        throw new RangeError(`Response: status must be 200 to 599, got ${init.status}`);
      }
      const statusText = init.statusText === undefined ? '' : `${init.statusText}`;
      if (/[^\t\x20-\x7E\x80-\xFF]/.test(statusText)) throw new TypeError('Response: invalid statusText');
      const extracted = extractBody(body);
      if (extracted.bytes !== null && nullBodyStatus.includes(status)) {
        throw new TypeError(`Response with null body status ${status} cannot have body`);
      }
      super(extracted.bytes);
      const headers = new Headers(init.headers);
      if (extracted.type && !headers.has('content-type')) headers.set('content-type', extracted.type);
      this.#m = { status, statusText, headers, url: '', redirected: false, type: 'default' };
    }
    static json(data, init = {}) {
      const text = JSON.stringify(data);
      if (text === undefined) throw new TypeError('Response.json: value is not JSON serializable');
      const r = new Response(text, init);
      if (!init || init.headers === undefined || !new Headers(init.headers).has('content-type')) {
        r.headers.set('content-type', 'application/json');
      }
      return r;
    }
    static error() {
      const m = { status: 0, statusText: '', headers: new Headers(), url: '', redirected: false, type: 'error' };
      return new Response(kInternal, { ...m, body: null });
    }
    get status() { return this.#m.status; }
    get statusText() { return this.#m.statusText; }
    get ok() { return this.#m.status >= 200 && this.#m.status <= 299; }
    get headers() { return this.#m.headers; }
    get url() { return this.#m.url; }
    get redirected() { return this.#m.redirected; }
    get type() { return this.#m.type; }
    clone() {
      if (this.bodyUsed) throw new TypeError('Cannot clone a Response whose body was consumed');
      const headers = headersFromList(headerList(this.#m.headers)); // trusted: may hold what append() rejects
      return new Response(kInternal, { ...this.#m, body: this.body, headers });
    }
    [kInspect]() {
      const { status, statusText, url, headers } = this.#m;
      return { status, statusText, ok: this.ok, url, headers };
    }
  }
  define('Request', Request);
  define('Response', Response);

  // ------------------------------------------------------------------ fetch
  class FetchError extends TypeError {
    constructor(message, options = undefined) { super(message, options); this.name = 'FetchError'; }
  }
  define('FetchError', FetchError);
  define('fetch', function fetch(input, init = undefined) {
    let request;
    try { request = new Request(input, init); } catch (e) { return Promise.reject(e); }
    const signal = request.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      let done = false, id = null, unlisten = null;
      const finish = () => { done = true; if (unlisten) unlisten(); };
      const onDone = (error, res) => {
        if (done) return;
        finish();
        if (error) {
          const message = `${error.message ?? ''}`;
          if (error.name === 'AbortError') reject(signal.aborted ? signal.reason : abortReason());
          else if (error.name === 'TimeoutError') reject(new DOMException(message, 'TimeoutError'));
          else reject(new FetchError(message || 'fetch failed'));
          return;
        }
        const status = Number(res.status), noBody = nullBodyStatus.includes(status) || request.method === 'HEAD';
        resolve(new Response(kInternal, {
          body: noBody ? null : bytesOf(res.body) || new Uint8Array(0),
          status, statusText: `${res.statusText ?? ''}`, headers: headersFromList(res.headers || []),
          url: `${res.url || request.url}`, redirected: !!res.redirected, type: 'basic',
        }));
      };
      const body = bodyBytes(request);
      setBodyUsed(request);
      try {
        const headers = headerList(request.headers).map((p) => [...p]);
        id = native.fetch({ method: request.method, url: request.url, headers, body: body && body.slice(),
          redirect: request.redirect }, onDone);
      } catch (e) {
        finish();
        reject(e instanceof TypeError ? e : new FetchError(String(e && e.message || e)));
        return;
      }
      // Reject at once on abort rather than waiting for the native to report back.
      unlisten = onSignalAbort(signal, (reason) => {
        if (done) return;
        finish();
        try { native.abortFetch(id); } finally { reject(reason); }
      });
    });
  });

  // --------------------------------------------------- TextEncoder/Decoder
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return utf8(input); }
    encodeInto(source, destination) {
      if (tagOf(destination) !== 'Uint8Array') throw new TypeError('encodeInto: destination must be a Uint8Array');
      let read = 0, written = 0;
      for (const ch of usv(source)) {
        const cp = ch.codePointAt(0);
        const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (written + n > destination.length) break;
        if (n === 1) destination[written] = cp;
        else {
          destination[written] = (n === 2 ? 0xC0 : n === 3 ? 0xE0 : 0xF0) | (cp >> (6 * (n - 1)));
          for (let k = 1; k < n; k++) destination[written + k] = 0x80 | ((cp >> (6 * (n - 1 - k))) & 0x3F);
        }
        written += n;
        read += ch.length;
      }
      return { read, written };
    }
  }
  const utf8Labels = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];
  // Length of a trailing, possibly incomplete UTF-8 sequence to hold back when streaming.
  const incompleteTail = (b) => {
    for (let k = 1; k <= Math.min(3, b.length); k++) {
      const c = b[b.length - k];
      if ((c & 0xC0) === 0x80) continue;
      const need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
      return need > k ? k : 0;
    }
    return 0;
  };
  class TextDecoder {
    #fatal; #ignoreBOM; #pending = null; #started = false;
    constructor(label = 'utf-8', options = {}) {
      const l = `${label}`.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '').toLowerCase();
      if (!utf8Labels.includes(l)) throw new RangeError(`The "${label}" encoding is not supported`);
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() { return 'utf-8'; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    decode(input = undefined, options = {}) {
      let bytes = input === undefined ? new Uint8Array(0) : bytesOf(input);
      if (!bytes) throw new TypeError('TextDecoder.decode: input must be an ArrayBuffer or ArrayBufferView');
      if (this.#pending) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        [bytes, this.#pending] = [joined, null];
      }
      const stream = !!(options && options.stream);
      if (stream) {
        const tail = incompleteTail(bytes);
        if (tail) { this.#pending = bytes.slice(bytes.length - tail); bytes = bytes.subarray(0, bytes.length - tail); }
      }
      let s = bytes.length ? decodeUtf8(bytes, this.#fatal) : '';
      if (!this.#started && s.length) {
        if (!this.#ignoreBOM && s.charCodeAt(0) === 0xFEFF) s = s.slice(1);
        this.#started = true;
      }
      if (!stream) { this.#started = false; this.#pending = null; }
      return s;
    }
  }
  define('TextEncoder', TextEncoder);
  define('TextDecoder', TextDecoder);

  // -------------------------------------------------------------- atob/btoa
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  define('btoa', function btoa(data) {
    if (arguments.length === 0) throw new TypeError('btoa: 1 argument required');
    const s = `${data}`;
    if (/[^\0-\xFF]/.test(s)) throw new DOMException('Invalid character', 'InvalidCharacterError');
    let out = '';
    for (let i = 0; i < s.length; i += 3) {
      const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
      const n = (a << 16) | ((b || 0) << 8) | (c || 0);
      out += b64[n >> 18] + b64[(n >> 12) & 63] + (i + 1 < s.length ? b64[(n >> 6) & 63] : '=') +
        (i + 2 < s.length ? b64[n & 63] : '=');
    }
    return out;
  });
  define('atob', function atob(data) {
    if (arguments.length === 0) throw new TypeError('atob: 1 argument required');
    let s = `${data}`.replace(/[\t\n\f\r ]/g, '');
    const bad = () => new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    if (s.length % 4 === 0) s = s.replace(/==?$/, '');
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw bad();
    let out = '', bits = 0, acc = 0;
    for (let i = 0; i < s.length; i++) {
      acc = (acc << 6) | b64.indexOf(s[i]);
      bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 0xFF); }
    }
    return out;
  });

  // --------------------------------------------------------- structuredClone
  const errorCtors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };
  define('structuredClone', function structuredClone(value, options = undefined) {
    if (arguments.length === 0) throw new TypeError('structuredClone: 1 argument required');
    const memo = new Map();
    const fail = (v) => new DOMException(`${typeof v === 'function' ? fnName(v) : typeof v === 'symbol' ? v.toString()
      : `#<${tagOf(v)}>`} could not be cloned.`, 'DataCloneError');
    const clone = (v) => {
      if (typeof v === 'symbol' || typeof v === 'function') throw fail(v);
      if (v === null || typeof v !== 'object') return v;
      if (memo.has(v)) return memo.get(v);
      const tag = tagOf(v);
      const keep = (c) => { memo.set(v, c); return c; };
      const copyProps = (c) => { for (const k of Object.keys(v)) c[k] = clone(v[k]); return c; };
      switch (tag) {
        case 'Boolean': case 'Number': case 'String': case 'BigInt': return keep(Object(v.valueOf()));
        case 'Date': return keep(new Date(v.getTime()));
        case 'RegExp': return keep(new RegExp(v.source, v.flags));
        case 'ArrayBuffer': return keep(v.slice(0));
        case 'DataView': return keep(new DataView(clone(v.buffer), v.byteOffset, v.byteLength));
        case 'Map': { const m = keep(new Map()); for (const [k, x] of v) m.set(clone(k), clone(x)); return m; }
        case 'Set': { const s = keep(new Set()); for (const x of v) s.add(clone(x)); return s; }
        case 'Error': {
          if (v instanceof DOMException) return keep(new DOMException(v.message, v.name));
          // As specified: only the standard constructors survive, anything else becomes Error.
          const name = `${v.name}`, C = Object.hasOwn(errorCtors, name) ? errorCtors[name] : Error;
          const e = keep(Object.create(C.prototype));
          const put = (k, value) => Object.defineProperty(e, k, { value, writable: true, configurable: true });
          if (Object.hasOwn(v, 'message')) put('message', `${v.message}`);
          if (typeof v.stack === 'string') put('stack', v.stack);
          if (Object.hasOwn(v, 'cause')) put('cause', clone(v.cause));
          return e;
        }
        case 'Array': return copyProps(keep(new Array(v.length)));
        case 'Object': case 'Arguments': return copyProps(keep({}));
        default:
          if (ArrayBuffer.isView(v)) {
            const C = globalThis[tag];
            return keep(new C(clone(v.buffer), v.byteOffset, v.length));
          }
          throw fail(v);
      }
    };
    return clone(value);
  });

  // ----------------------------------------------------------------- crypto
  const crypto = { randomUUID: () => native.randomUUID() };
  define('crypto', crypto);

  // ----------------------------------------------------------- error classes
  // `options` goes to Error for `cause`; `name` is an own property so it survives
  // JSON.stringify and the engine can read it off whatever a handler throws.
  class ConnectorError extends Error {
    constructor(message, options = undefined) { super(message, options); this.name = 'ConnectorError'; }
  }
  class ConnectorAuthError extends ConnectorError {
    constructor(message, options = undefined) { super(message, options); this.name = 'ConnectorAuthError'; }
  }
  class ConnectorConnectionError extends ConnectorError {
    constructor(message, options = undefined) { super(message, options); this.name = 'ConnectorConnectionError'; }
  }
  class ConnectorRateLimitError extends ConnectorError {
    constructor(message, options = undefined) {
      super(message, options);
      this.name = 'ConnectorRateLimitError';
      const r = options == null ? undefined : options.retryAfter;
      // Accept a Retry-After header verbatim: delay-seconds or an HTTP date.
      let secs = r === undefined || r === null || r === '' ? undefined : Number(r);
      if (secs !== undefined && Number.isNaN(secs) && typeof r === 'string' && !Number.isNaN(Date.parse(r))) {
        secs = Math.max(0, Math.ceil((Date.parse(r) - Date.now()) / 1000));
      }
      this.retryAfter = secs;
    }
  }
  define('ConnectorError', ConnectorError);
  define('ConnectorAuthError', ConnectorAuthError);
  define('ConnectorRateLimitError', ConnectorRateLimitError);
  define('ConnectorConnectionError', ConnectorConnectionError);

  for (const C of [Headers, URLSearchParams, URL, AbortSignal, AbortController, Request, Response, TextEncoder,
    TextDecoder]) {
    Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
  }
})();
