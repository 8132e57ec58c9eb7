// The Sluice web console: hash-routed pages over sluice serve's JSON API
// (docs/serve.md). Plain JavaScript, no framework, no build step; the CSP
// forbids inline scripts and styles, so every element is built with the DOM
// API and every text goes in as a text node (nothing from the API is ever
// parsed as HTML).
'use strict';

// ---------------------------------------------------------------- the API
const API = {
  status: () => '/api/status',
  connectors: () => '/api/connectors',
  entity: (c, e) => `/api/connectors/${enc(c)}/entities/${enc(e)}`,
  runs: (q) => '/api/runs' + query(q),
  run: (id) => `/api/runs/${enc(id)}`,
  jobs: () => '/api/jobs',
  schedules: () => '/api/schedules',
  marks: () => '/api/marks',
  tables: () => '/api/tables',
  query: (q) => '/api/query' + query(q),
  sync: () => '/api/sync',
  resetMark: () => '/api/marks/reset',
};

const TOKEN_KEY = 'sluice.token';
const POLL_MS = 1500;

function enc(s) { return encodeURIComponent(String(s)); }
function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') parts.push(`${enc(k)}=${enc(v)}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

class ApiError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

async function api(path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (token()) headers.Authorization = 'Bearer ' + token();
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method: options.method || 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError('connection', 'the server did not answer (is sluice serve still running?)', 0);
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
  if (!response.ok) {
    const err = body && body.error;
    if (err && typeof err === 'object') throw new ApiError(err.kind || 'error', err.message || '', response.status);
    throw new ApiError('http_' + response.status, text.slice(0, 300) || response.statusText, response.status);
  }
  if (body === null) throw new ApiError('invalid_response', 'the server answered with something that is not JSON', response.status);
  return body;
}

// ---------------------------------------------------------------- DOM
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

// ---------------------------------------------------------------- formatting
const numberFormat = new Intl.NumberFormat();
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function num(n) {
  if (n === null || n === undefined || n === '') return '—';
  const v = Number(n);
  return Number.isFinite(v) ? numberFormat.format(v) : String(n);
}

function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return '—';
  ms = Number(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) {
    const rest = Math.round(s - min * 60);
    return rest ? `${min} min ${rest} s` : `${min} min`;
  }
  const hours = Math.floor(min / 60);
  return `${hours} h ${min - hours * 60} min`;
}

// The workspace keeps times as text: ISO 8601, with or without a T and a zone
// (SQLite's CURRENT_TIMESTAMP is UTC without one).
function parseTime(t) {
  if (t === null || t === undefined || t === '') return null;
  if (typeof t === 'number') return new Date(t > 1e12 ? t : t * 1000);
  let s = String(t).trim();
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d/.test(s)) s = s.replace(' ', 'T');
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s)) s += 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function relative(d) {
  const seconds = (d.getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 45) return relativeFormat.format(Math.round(seconds), 'second');
  if (abs < 2700) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 79200) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (abs < 86400 * 30) return relativeFormat.format(Math.round(seconds / 86400), 'day');
  return dateFormat.format(d);
}

// A time as "5 minutes ago", the absolute time in its tooltip.
function time(t) {
  const d = parseTime(t);
  if (!d) return h('span', { class: 'muted' }, t ? String(t) : '—');
  return h('time', { datetime: d.toISOString(), title: dateFormat.format(d) }, relative(d));
}
function absolute(t) {
  const d = parseTime(t);
  return d ? dateFormat.format(d) : (t ? String(t) : '—');
}

function badge(status) {
  const s = String(status || 'unknown').toLowerCase();
  return h('span', { class: `badge ${s}` }, s);
}

function cellValue(v) {
  if (v === null || v === undefined) return h('td', { class: 'null' }, 'null');
  if (typeof v === 'number') return h('td', { class: 'num' }, num(v));
  if (typeof v === 'object') return h('td', { class: 'mono' }, JSON.stringify(v));
  const text = String(v);
  // Long text wraps in its cell rather than widening the table.
  return h('td', { class: text.length > 60 ? 'text' : '' }, text);
}

// columns: [{label, num?, render(row) → node|string}]
function table(columns, rows, emptyMessage) {
  if (!rows || rows.length === 0) return empty(emptyMessage || 'Nothing here yet.');
  return [h('div', { class: 'table-wrap' },
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : '' }, c.label)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => {
        const v = c.render(row);
        return v instanceof Node && v.tagName === 'TD' ? v : h('td', { class: c.num ? 'num' : (c.cls || '') }, v);
      })))))),
  // Shown (by markOverflow) while columns are hidden past the right edge.
  h('div', { class: 'scroll-cue' }, 'More columns to the right: scroll sideways →')];
}

// Marks the tables wider than their panel, so their scroll cue shows.
function markOverflow() {
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    wrap.classList.toggle('overflowing', wrap.scrollWidth > wrap.clientWidth + 1);
  }
}

function empty(message) {
  const el = h('div', { class: 'empty' });
  // Backquoted parts of the message are shown as code.
  String(message).split('`').forEach((part, i) => append(el, [i % 2 ? h('code', {}, part) : part]));
  return el;
}

function panel(title, body, actions) {
  return h('section', { class: 'panel' },
    title ? h('div', { class: 'panel-head' }, h('span', {}, title), actions || null) : null,
    body);
}

function card(label, value, cls) {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: `value ${cls || ''}` }, value));
}

function errorBox(error, id) {
  if (!error) return null;
  const origin = error.origin ? ({ api: 'the source API', handler: 'the connector handler (JavaScript)', destination: 'the destination', engine: 'the Sluice engine' }[error.origin] || error.origin) : null;
  return h('div', { class: 'error-box', id: id || null },
    h('div', {}, origin ? h('span', { class: 'origin' }, `Failed in ${origin}`) : null,
      origin ? ' · ' : null, h('code', {}, error.kind || 'error')),
    longText(error.message || ''));
}

// A message of many lines or kilobytes shows its start, with a toggle for
// the whole of it.
const TRIM_CHARS = 600;
const TRIM_LINES = 8;
function longText(text) {
  const pre = h('pre', {}, text);
  if (text.length <= TRIM_CHARS && text.split('\n').length <= TRIM_LINES) return pre;
  pre.classList.add('trimmed');
  const toggle = h('button', { class: 'btn secondary small toggle', type: 'button', onclick: () => {
    const trimmed = pre.classList.toggle('trimmed');
    toggle.textContent = trimmed ? `Show all (${num(text.length)} characters)` : 'Show less';
  } }, `Show all (${num(text.length)} characters)`);
  return [pre, toggle];
}

// ---------------------------------------------------------------- banner
function showBanner(error, kind) {
  const banner = document.getElementById('banner');
  clear(banner);
  if (!error) { banner.hidden = true; return; }
  banner.className = `banner ${kind || 'error'}`;
  if (error instanceof ApiError || (error && error.kind)) {
    append(banner, [h('span', { class: 'kind' }, error.kind), error.message]);
  } else {
    append(banner, [String(error.message || error)]);
  }
  banner.hidden = false;
}

// ---------------------------------------------------------------- state
const state = { status: null, writes: false, generation: 0, timer: null, abort: null };

function linkRun(id) { return h('a', { href: `#/runs/${enc(id)}` }, `#${id}`); }
function linkConnector(c) { return h('a', { href: `#/connectors/${enc(c)}` }, c); }
function linkEntity(c, e) { return h('a', { href: `#/connectors/${enc(c)}/${enc(e)}` }, e); }

function runDuration(run) {
  if (run.duration_ms !== null && run.duration_ms !== undefined) return run.duration_ms;
  const start = parseTime(run.started_at);
  if (!start) return null;
  const end = parseTime(run.finished_at) || (run.status === 'running' ? new Date() : null);
  return end ? end.getTime() - start.getTime() : null;
}

function runColumns(opts = {}) {
  const cols = [
    { label: 'Run', render: (r) => linkRun(r.id) },
    { label: 'Status', render: (r) => badge(r.status) },
    { label: 'Connector · entity', cls: 'nowrap', render: (r) => h('span', {}, linkConnector(r.connector), ' · ', linkEntity(r.connector, r.entity)) },
  ];
  if (!opts.compact) cols.push({ label: 'Table', render: (r) => h('code', {}, r.table || '—') });
  cols.push(
    { label: 'Read', num: true, render: (r) => num(r.rows_read) },
    { label: 'Written', num: true, render: (r) => num(r.rows_written) },
    { label: 'Deleted', num: true, render: (r) => num(r.rows_deleted) },
    { label: 'Duration', num: true, render: (r) => duration(runDuration(r)) });
  if (!opts.compact) {
    cols.push({ label: 'Mode', render: (r) => h('span', { class: 'muted', title: r.write_mode ? `write mode: ${r.write_mode}` : null }, r.mode || '—') });
    cols.push({ label: 'Version', render: (r) => r.type_version ? h('code', {}, r.type_version) : h('span', { class: 'muted' }, '—') });
  }
  cols.push({ label: 'Started', cls: 'nowrap', render: (r) => time(r.started_at) });
  return cols;
}

const NO_RUNS = 'No sync runs yet — run `SYNC CONNECTOR name` in the CLI, or start one from a connector\'s page.';

// ---------------------------------------------------------------- pages
async function pageOverview(page, ctx) {
  const [connectors, runs, jobs] = await Promise.all([
    api(API.connectors()), api(API.runs({ limit: 100 })), optional(api(API.jobs()), { jobs: [] })]);
  const list = connectors.connectors || [];
  const allRuns = runs.runs || [];
  const running = runningSyncs(allRuns, jobs.jobs || []);
  liveFigures(allRuns, jobs.jobs || []);
  const failed = allRuns.filter((r) => r.status === 'failed' || r.status === 'partial' || r.status === 'interrupted');
  const entityCount = list.reduce((n, c) => n + (c.entities || []).length, 0);
  const rowsWritten = allRuns.reduce((n, r) => n + (Number(r.rows_written) || 0), 0);
  append(page, [
    h('h1', {}, 'Overview'),
    h('p', { class: 'subtitle' }, state.status && state.status.workspace ? `Workspace ${state.status.workspace}` : 'Your workspace at a glance'),
    h('div', { class: 'cards' },
      card('Connectors', num(list.length)),
      card('Entities', num(entityCount)),
      card('Recent runs', num(allRuns.length)),
      card('Rows written', num(rowsWritten)),
      card('Failed', num(failed.length), failed.length ? 'bad' : ''),
      card('Running now', num(running.length))),
  ]);
  if (running.length) {
    append(page, [h('h2', {}, 'Running syncs'), runningPanel(running)]);
  }
  append(page, [
    h('h2', {}, 'Recent runs'),
    panel(null, table(runColumns({ compact: true }), allRuns.slice(0, 10), NO_RUNS)),
  ]);
  if (failed.length) {
    append(page, [h('h2', {}, 'Failures'),
      panel(null, table([
        { label: 'Run', render: (r) => linkRun(r.id) },
        { label: 'Status', render: (r) => badge(r.status) },
        { label: 'Connector · entity', cls: 'nowrap', render: (r) => h('span', {}, linkConnector(r.connector), ' · ', linkEntity(r.connector, r.entity)) },
        { label: 'Where', render: (r) => r.error ? h('code', {}, r.error.origin || r.error.kind || '') : '—' },
        { label: 'Error', cls: 'wrap', render: (r) => r.error ? shortText(r.error.message) : '—' },
        { label: 'When', cls: 'nowrap', render: (r) => time(r.finished_at || r.started_at) },
      ], failed.slice(0, 5)))]);
  }
  append(page, [h('h2', {}, 'Connectors'), connectorsTable(list)]);
  // Live progress while anything runs.
  if (running.length) ctx.poll();
}

// A running run's row counts are stored when it ends: while a server job
// runs it, its live figures stand in.
function liveFigures(runs, jobs) {
  const live = new Map();
  for (const job of jobs) {
    if (job.status !== 'running') continue;
    for (const e of job.entities || []) live.set(e.label, e);
  }
  for (const run of runs) {
    const e = run.status === 'running' ? live.get(`${run.connector}.${run.entity}`) : null;
    if (e) { run.rows_read = e.rows_read; run.rows_written = e.rows_written; }
  }
}

function optional(promise, fallback) { return promise.catch(() => fallback); }

// Running syncs: the server's own jobs (with per-entity figures) and runs
// started elsewhere (the CLI, the scheduler) that the history shows running.
function runningSyncs(runs, jobs) {
  const items = [];
  for (const job of jobs) {
    if (job.status !== 'running') continue;
    items.push({ label: job.connector, detail: job.statement, started_at: job.started_at, entities: job.entities || [] });
  }
  // A job's own runs are already shown with its figures.
  const jobConnectors = new Set(items.map((item) => item.label));
  for (const run of runs) {
    if (run.status !== 'running' || jobConnectors.has(run.connector)) continue;
    items.push({ label: `${run.connector} · ${run.entity}`, detail: `into ${run.table || run.destination || ''}`, started_at: run.started_at,
      entities: [{ label: run.entity, status: 'running', rows_read: run.rows_read, rows_written: run.rows_written }] });
  }
  return items;
}

function firstLine(text) { return shortText(String(text || '').split('\n')[0]); }
// The start of a long text (the run's page has all of it).
function shortText(text) {
  const s = String(text || '');
  return s.length > 300 ? `${s.slice(0, 300)}… (${num(s.length - 300)} more characters)` : s;
}

function runningPanel(items) {
  return h('div', {}, items.map((item) => panel(
    h('span', {}, badge('running'), ' ', item.label, ' ', h('span', { class: 'muted' }, item.detail || '')),
    h('div', { class: 'panel-body' },
      h('div', { class: 'progress indeterminate' }, h('div', {})),
      table([
        { label: 'Entity', render: (e) => e.label },
        { label: 'Status', render: (e) => badge(e.status || 'running') },
        { label: 'Read', num: true, render: (e) => num(e.rows_read) },
        { label: 'Written', num: true, render: (e) => num(e.rows_written) },
        { label: 'Batches', num: true, render: (e) => num(e.batches) },
        { label: 'Elapsed', num: true, render: (e) => duration(e.elapsed_ms) },
        { label: 'Error', cls: 'wrap', render: (e) => e.error ? h('span', {}, h('code', {}, e.error.kind), ' ', firstLine(e.error.message)) : '' },
      ], item.entities, 'Starting…')),
    h('span', { class: 'muted' }, 'started ', time(item.started_at)))));
}

function connectorsTable(list) {
  return panel(null, table([
    { label: 'Connector', render: (c) => h('strong', {}, linkConnector(c.name)) },
    { label: 'Type', render: (c) => h('span', {}, c.type || '—', c.type_version ? h('span', { class: 'muted' }, ` ${c.type_version}`) : null) },
    { label: 'Entities', cls: 'wrap', render: (c) => h('div', { class: 'entity-list' }, (c.entities || []).map((e) => linkEntity(c.name, e))) },
    { label: 'Actions', render: (c) => (c.actions || []).length ? (c.actions || []).map((a) => h('span', { class: 'tag' }, a)) : h('span', { class: 'muted' }, '—') },
    { label: 'Description', cls: 'wrap', render: (c) => h('span', { class: 'muted' }, c.description || '') },
  ], list, 'No connectors yet — create one with `CREATE CONNECTOR name TYPE \'…\' CONFIG {…}`.'));
}

async function pageRuns(page, ctx) {
  const params = ctx.params;
  const [connectors, runs] = await Promise.all([
    optional(api(API.connectors()), { connectors: [] }),
    api(API.runs({ connector: params.connector, status: params.status, limit: 50, before_id: params.before })),
  ]);
  const setFilter = (key, value) => {
    const next = { ...params, [key]: value };
    delete next.before;
    location.hash = '#/runs' + query(next);
  };
  const connectorSelect = h('select', { id: 'filter-connector', 'aria-label': 'Connector', onchange: (e) => setFilter('connector', e.target.value) },
    h('option', { value: '' }, 'All connectors'),
    (connectors.connectors || []).map((c) => h('option', { value: c.name, selected: c.name === params.connector }, c.name)));
  const statusSelect = h('select', { id: 'filter-status', 'aria-label': 'Status', onchange: (e) => setFilter('status', e.target.value) },
    h('option', { value: '' }, 'All statuses'),
    ['running', 'done', 'failed', 'partial', 'interrupted'].map((s) => h('option', { value: s, selected: s === params.status }, s)));
  const list = runs.runs || [];
  append(page, [
    h('h1', {}, 'Runs'),
    h('p', { class: 'subtitle' }, 'Every sync run, newest first: rows per table, how long it took and how it ended.'),
    h('div', { class: 'toolbar' }, connectorSelect, statusSelect,
      params.before ? h('a', { class: 'btn secondary small', href: '#/runs' + query({ connector: params.connector, status: params.status }) }, 'Newest') : null),
    panel(null, table(runColumns(), list, params.connector || params.status ? 'No runs match these filters.' : NO_RUNS)),
    runs.next_before_id ? h('div', { class: 'toolbar' }, h('a', { class: 'btn secondary', href: '#/runs' + query({ ...params, before: runs.next_before_id }) }, 'Older runs →')) : null,
  ]);
  if (list.some((r) => r.status === 'running')) ctx.poll();
}

async function pageRun(page, ctx) {
  const run = await api(API.run(ctx.args[0]));
  append(page, [
    h('div', { class: 'crumbs' }, h('a', { href: '#/runs' }, 'Runs'), ' / ', `#${run.id}`),
    h('h1', {}, `Run #${run.id} `, badge(run.status)),
    h('p', { class: 'subtitle' }, `${run.connector} · ${run.entity} → ${run.table || run.destination || ''}`),
    h('div', { class: 'cards' },
      card('Rows read', num(run.rows_read)),
      card('Rows written', num(run.rows_written)),
      card('Rows deleted', num(run.rows_deleted)),
      card('Duration', duration(runDuration(run)))),
    run.error ? h('h2', {}, 'Where it failed') : null,
    run.error ? errorBox(run.error) : null,
    h('h2', {}, 'Details'),
    panel(null, h('div', { class: 'panel-body' }, h('dl', { class: 'kv' },
      kv('Connector', linkConnector(run.connector)),
      kv('Entity', linkEntity(run.connector, run.entity)),
      kv('Destination', run.destination || '—'),
      kv('Table', h('code', {}, run.table || '—')),
      kv('Mode', [run.mode, run.write_mode].filter(Boolean).join(' · ') || '—'),
      kv('Type version', run.type_version || '—'),
      kv('Started', h('span', {}, absolute(run.started_at), ' (', time(run.started_at), ')')),
      kv('Finished', run.finished_at ? h('span', {}, absolute(run.finished_at), ' (', time(run.finished_at), ')') : '—'),
      run.rows_read ? kv('Rows/s', runDuration(run) > 0 ? num(Math.round(run.rows_read / (runDuration(run) / 1000))) : '—') : null))),
  ]);
  if (run.status === 'running') ctx.poll();
}

function kv(label, value) { return [h('dt', {}, label), h('dd', {}, value)]; }

async function pageConnectors(page) {
  const connectors = await api(API.connectors());
  append(page, [
    h('h1', {}, 'Connectors'),
    h('p', { class: 'subtitle' }, 'Connectors of this workspace, their entities and actions.'),
    connectorsTable(connectors.connectors || []),
  ]);
}

async function pageConnector(page, ctx) {
  const name = ctx.args[0];
  const [connectors, runs] = await Promise.all([api(API.connectors()), optional(api(API.runs({ connector: name, limit: 20 })), { runs: [] })]);
  const connector = (connectors.connectors || []).find((c) => c.name === name);
  if (!connector) throw new ApiError('not_found', `no connector named '${name}'`, 404);
  append(page, [
    h('div', { class: 'crumbs' }, h('a', { href: '#/connectors' }, 'Connectors'), ' / ', name),
    h('h1', {}, name),
    h('p', { class: 'subtitle' }, `${connector.type || ''}${connector.type_version ? ' ' + connector.type_version : ''}${connector.description ? ' — ' + connector.description : ''}`),
    state.writes ? syncForm(connector) : null,
    h('h2', {}, 'Entities'),
    entitiesTable(name, connector.entities || []),
    (connector.actions || []).length ? [h('h2', {}, 'Actions'), panel(null, h('div', { class: 'panel-body' }, connector.actions.map((a) => h('span', { class: 'tag' }, a))))] : null,
    h('h2', {}, 'Recent runs'),
    panel(null, table(runColumns({ compact: true }), runs.runs || [], NO_RUNS)),
  ]);
}

function entitiesTable(connector, entities) {
  return panel(null, table([
    { label: 'Entity', render: (e) => h('strong', {}, linkEntity(connector, e)) },
    { label: 'Synced table', render: (e) => h('code', {}, `${connector}_${e}`) },
  ], entities, 'This connector\'s type has no entities.'));
}

function syncForm(connector) {
  const full = h('input', { type: 'checkbox', id: 'sync-full' });
  const button = h('button', { class: 'btn', type: 'button', onclick: async () => {
    button.disabled = true;
    try {
      const job = await api(API.sync(), { method: 'POST', body: { connector: connector.name, full: full.checked } });
      showBanner({ kind: 'started', message: `Sync of ${connector.name} started${job.id ? ' (job ' + job.id + ')' : ''}; progress shows on the Overview.` }, 'info');
    } catch (error) {
      showBanner(error);
    } finally {
      button.disabled = false;
    }
  } }, `Sync ${connector.name}`);
  return h('div', { class: 'toolbar' }, button, h('label', { for: 'sync-full' }, full, ' full (ignore incremental marks)'));
}

async function pageEntity(page, ctx) {
  const [connector, entity] = ctx.args;
  const [info, marks, runs] = await Promise.all([
    api(API.entity(connector, entity)),
    optional(api(API.marks()), { marks: [] }),
    optional(api(API.runs({ connector, limit: 50 })), { runs: [] }),
  ]);
  const pd = info.pushdown || {};
  const operators = pd.operators || {};
  const entityRuns = (runs.runs || []).filter((r) => r.entity === entity).slice(0, 10);
  const entityMarks = (marks.marks || []).filter((m) => m.connector === connector && m.entity === entity);
  append(page, [
    h('div', { class: 'crumbs' }, h('a', { href: '#/connectors' }, 'Connectors'), ' / ', linkConnector(connector), ' / ', entity),
    h('h1', {}, `${connector}.${entity}`),
    h('p', { class: 'subtitle' }, info.description || `An entity of ${info.type || connector}.`),
    h('div', { class: 'grid2' },
      panel('Entity', h('div', { class: 'panel-body' }, h('dl', { class: 'kv' },
        kv('Type', info.type || '—'),
        kv('Cursor', info.cursor ? h('code', {}, info.cursor) : h('span', { class: 'muted' }, 'none (every sync reads everything)')),
        kv('Parent', info.parent ? h('code', {}, info.parent) : '—'),
        kv('Synced table', h('code', {}, info.table || `${connector}_${entity}`)),
        kv('Live table', h('code', {}, `${connector}.${entity}`))))),
      panel('Pushdown', h('div', { class: 'panel-body' }, h('dl', { class: 'kv' },
        kv('Filters', (pd.filters || []).length ? pd.filters.map((f) => h('span', { class: 'tag' }, f, operators[f] ? ` (${operators[f].join(', ')})` : '')) : h('span', { class: 'muted' }, 'none')),
        kv('LIMIT', pd.limit ? h('span', { class: 'check' }, '✓ handler') : h('span', { class: 'muted' }, 'engine')),
        kv('OFFSET', pd.offset || '—'),
        kv('ORDER BY', orderBy(pd.order_by)))))),
    h('h2', {}, 'Fields'),
    panel(null, table([
      { label: 'Field', cls: 'text', render: (f) => h('code', {}, f.name) },
      { label: 'Type', render: (f) => f.type || '—' },
      { label: 'Primary key', render: (f) => f.primary_key ? h('span', { class: 'check' }, '✓') : '' },
      { label: 'Filterable', render: (f) => f.filterable ? h('span', { class: 'check' }, '✓') : '' },
      { label: 'Required', render: (f) => f.required ? h('span', { class: 'check' }, '✓') : '' },
      { label: 'Description', cls: 'wrap', render: (f) => h('span', { class: 'muted' }, f.description || '') },
    ], info.fields || [], 'This entity declares no fields.')),
    h('h2', {}, 'Incremental marks'),
    marksTable(entityMarks, 'No mark — the entity has no cursor or has not been synced incrementally yet.'),
    h('h2', {}, 'Recent runs'),
    panel(null, table(runColumns({ compact: true }), entityRuns, NO_RUNS)),
  ]);
}

// The fields the handler can sort by; the engine sorts the rest.
function orderBy(value) {
  const fields = Array.isArray(value) ? value : (value ? [value] : []);
  if (!fields.length) return h('span', { class: 'muted' }, 'engine');
  return fields.map((f) => h('span', { class: 'tag' }, typeof f === 'object' ? JSON.stringify(f) : String(f)));
}

function marksTable(marks, emptyMessage) {
  const cols = [
    { label: 'Connector · entity', cls: 'nowrap', render: (m) => h('span', {}, linkConnector(m.connector), ' · ', linkEntity(m.connector, m.entity)) },
    { label: 'Table', render: (m) => h('code', {}, m.table || '—') },
    { label: 'Kept in', render: (m) => m.destination || 'workspace' },
    { label: 'Cursor', render: (m) => m.cursor_field ? h('code', {}, m.cursor_field) : '—' },
    { label: 'Mark', render: (m) => m.cursor_value === null || m.cursor_value === undefined ? h('span', { class: 'muted' }, 'none') : h('code', {}, typeof m.cursor_value === 'object' ? JSON.stringify(m.cursor_value) : String(m.cursor_value)) },
    { label: 'Moved', cls: 'nowrap', render: (m) => time(m.updated_at) },
  ];
  if (state.writes) {
    cols.push({ label: '', render: (m) => h('button', { class: 'btn danger small', type: 'button', onclick: () => resetMark(m) }, 'Reset') });
  }
  return panel(null, table(cols, marks, emptyMessage));
}

async function resetMark(m) {
  // A reset makes the next sync read everything again: ask first.
  if (!window.confirm(`Reset the mark of ${m.connector}.${m.entity}? Its next sync reads everything again.`)) return;
  try {
    // `destination` names where the mark is kept: the workspace, or a file.
    const where = m.destination && m.destination !== 'workspace' ? m.destination : '';
    const result = await api(API.resetMark(), { method: 'POST', body: { connector: m.connector, entity: m.entity, destination: where } });
    await render();
    showBanner({ kind: 'reset', message: `${num(result.reset)} mark(s) of ${m.connector}.${m.entity} removed; its next sync reads everything.` }, 'info');
  } catch (error) {
    showBanner(error);
  }
}

async function pageMarks(page) {
  const marks = await api(API.marks());
  append(page, [
    h('h1', {}, 'Marks'),
    h('p', { class: 'subtitle' }, 'Incremental state per entity: the next sync asks the API only for what changed since its mark.' +
      (state.writes ? ' Resetting a mark makes the next sync read everything.' : '')),
    marksTable(marks.marks || [], 'No incremental marks yet — they appear after the first `SYNC CONNECTOR` of an entity with a cursor.'),
  ]);
}

async function pageSchedules(page) {
  const schedules = await api(API.schedules());
  const list = schedules.schedules || [];
  append(page, [
    h('h1', {}, 'Schedules'),
    h('p', { class: 'subtitle' }, 'Scheduled syncs, when they run next and when they last succeeded. A schedule is stale when its last run failed, it never succeeded, or its next run is overdue.'),
    panel(null, table([
      { label: 'Connector', render: (s) => linkConnector(s.connector) },
      { label: 'Cron', render: (s) => h('code', {}, s.cron) },
      { label: 'Statement', cls: 'wrap', render: (s) => h('code', {}, s.statement) },
      { label: 'Next run', cls: 'nowrap', render: (s) => time(s.next_run) },
      { label: 'Last run', cls: 'nowrap', render: (s) => h('span', {}, time(s.last_run), ' ', s.last_status ? badge(s.last_status) : null) },
      { label: 'Last success', cls: 'nowrap', render: (s) => time(s.last_success) },
      { label: 'Freshness', render: (s) => isStale(s) ? h('span', { class: 'badge stale' }, 'stale') : h('span', { class: 'badge ok' }, 'fresh') },
    ], list, 'No schedules — add one with `CREATE SCHEDULE … CRON \'*/15 * * * *\' AS SYNC CONNECTOR name`.')),
  ]);
}

function isStale(s) {
  if (!s.last_success) return true;
  if (s.last_status && s.last_status !== 'done' && s.last_status !== 'running') return true;
  const next = parseTime(s.next_run);
  return Boolean(next && next.getTime() < Date.now() - 5 * 60 * 1000);
}

async function pageTables(page) {
  const tables = await api(API.tables());
  const list = tables.tables || [];
  append(page, [
    h('h1', {}, 'Tables'),
    h('p', { class: 'subtitle' }, 'Synced tables: where each comes from (connector → entity → table), its schema and its last run.'),
  ]);
  if (!list.length) append(page, [panel(null, empty('No synced tables yet — run `SYNC CONNECTOR name` to copy an API into the workspace.'))]);
  for (const t of list) {
    append(page, [panel(
      h('span', {}, h('code', {}, t.table), ' ', h('span', { class: 'muted' }, `${num(t.rows)} rows`)),
      h('div', { class: 'panel-body' },
        h('div', { class: 'lineage' },
          h('span', { class: 'node' }, linkConnector(t.connector)), h('span', { class: 'arrow' }, '→'),
          h('span', { class: 'node' }, linkEntity(t.connector, t.entity)), h('span', { class: 'arrow' }, '→'),
          h('span', { class: 'node' }, h('code', {}, t.table), t.destination ? h('span', { class: 'muted' }, ` in ${t.destination}`) : null),
          t.type_version ? h('span', { class: 'muted' }, ` · package ${t.type_version}`) : null,
          t.last_run ? h('span', { class: 'muted' }, ' · last run ', linkRun(t.last_run.id), ' ', badge(t.last_run.status), ' ', time(t.last_run.finished_at || t.last_run.started_at)) : null),
        (t.columns || []).length ? h('div', { class: 'columns' }, t.columns.map((c) => h('div', { class: 'column' },
          h('code', {}, c.name), h('span', { class: 'muted' }, c.type || 'any')))) : empty('No columns.')),
      h('a', { class: 'btn secondary small', href: '#/query' + query({ sql: `SELECT * FROM "${String(t.table).replace(/"/g, '""')}" LIMIT 100` }) }, 'Query'))]);
  }
}

// ---------------------------------------------------------------- query console
const queryState = { sql: '', result: null };

async function pageQuery(page, ctx) {
  const initial = ctx.params.sql || queryState.sql || 'SELECT * FROM _sluice_sync_runs ORDER BY id DESC LIMIT 20';
  const editor = h('textarea', { id: 'sql', spellcheck: 'false', 'aria-label': 'SQL' });
  editor.value = initial;
  const cap = h('input', { id: 'row-cap', type: 'number', min: '1', value: ctx.params.rows || '1000', 'aria-label': 'Row cap' });
  const runButton = h('button', { id: 'run-query', class: 'btn', type: 'button' }, 'Run');
  const csvButton = h('button', { id: 'export-csv', class: 'btn secondary', type: 'button', disabled: true }, 'Export CSV');
  const jsonButton = h('button', { id: 'export-json', class: 'btn secondary', type: 'button', disabled: true }, 'Export JSON');
  const output = h('div', { id: 'query-output' });
  const explain = h('div', { id: 'explain' }, h('p', { class: 'muted' }, 'Run a query to see what each live table\'s handler is asked.'));
  let controller = null;

  const run = async () => {
    const sql = editor.value.trim();
    if (!sql) return;
    queryState.sql = editor.value;
    if (controller) controller.abort();
    controller = new AbortController();
    runButton.disabled = true;
    clear(output).appendChild(h('p', { class: 'muted' }, 'Running…'));
    try {
      const result = await api(API.query({ sql, _explain: 'on', _rows: cap.value }), { signal: controller.signal });
      queryState.result = result;
      showResult(output, explain, result);
      csvButton.disabled = jsonButton.disabled = false;
    } catch (error) {
      if (error.name === 'AbortError') return;
      queryState.result = null;
      csvButton.disabled = jsonButton.disabled = true;
      clear(output).appendChild(errorBox({ kind: error.kind, message: error.message }, 'query-error'));
    } finally {
      runButton.disabled = false;
    }
  };
  runButton.addEventListener('click', run);
  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  csvButton.addEventListener('click', () => queryState.result && download('query.csv', 'text/csv;charset=utf-8', toCsv(queryState.result)));
  jsonButton.addEventListener('click', () => queryState.result && download('query.json', 'application/json', toJson(queryState.result)));

  append(page, [
    h('h1', {}, 'Query'),
    h('p', { class: 'subtitle' }, 'Read-only SQL over live entities (', h('code', {}, 'connector.entity'), ') and synced tables. Pushdown to the handlers shows beside the results.'),
    h('div', { class: 'query-layout' },
      h('div', {},
        editor,
        h('div', { class: 'toolbar' }, runButton, h('span', { class: 'hint' }, h('span', { class: 'kbd' }, 'Ctrl'), '+', h('span', { class: 'kbd' }, 'Enter'), ' runs'),
          h('label', { for: 'row-cap', class: 'hint' }, 'Row cap'), cap, csvButton, jsonButton),
        output),
      panel('EXPLAIN pushdown', h('div', { class: 'panel-body' }, explain))),
  ]);
  if (ctx.params.sql) run();
  else if (queryState.result) { showResult(output, explain, queryState.result); csvButton.disabled = jsonButton.disabled = false; }
}

function rowsAsArrays(result) {
  const columns = result.columns || [];
  return (result.rows || []).map((row) => Array.isArray(row) ? row : columns.map((c) => row[c]));
}

function showResult(output, explain, result) {
  const columns = result.columns || [];
  const rows = rowsAsArrays(result);
  clear(output);
  append(output, [
    h('p', { class: 'result-meta', id: 'result-meta' },
      `${num(result.row_count !== undefined ? result.row_count : rows.length)} row${rows.length === 1 ? '' : 's'}`,
      result.elapsed_ms !== undefined ? ` in ${duration(result.elapsed_ms)}` : '',
      result.truncated ? h('span', { class: 'badge partial' }, ' truncated at the row cap ') : null),
    rows.length ? panel(null, h('div', { class: 'table-wrap results' }, h('table', { id: 'result-table' },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map(cellValue))))))) : panel(null, empty('The query returned no rows.')),
  ]);
  clear(explain);
  const steps = result.explain || [];
  if (!steps.length) {
    explain.appendChild(h('p', { class: 'muted' }, 'No live table in this query: it reads the workspace only, no API is called.'));
  } else {
    explain.appendChild(h('ol', { class: 'explain' }, steps.map((s) => h('li', {},
      h('div', { class: 'step' }, String(s.step)),
      h('div', { class: 'asked' }, typeof s.asked === 'object' ? JSON.stringify(s.asked) : String(s.asked))))));
  }
}

function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote or a
// line break; NULL is an empty field; documents are their JSON.
function toCsv(result) {
  const lines = [(result.columns || []).map(csvField).join(',')];
  for (const row of rowsAsArrays(result)) lines.push(row.map(csvField).join(','));
  return lines.join('\r\n') + '\r\n';
}

function toJson(result) {
  const columns = result.columns || [];
  const rows = rowsAsArrays(result).map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
  return JSON.stringify(rows, null, 2) + '\n';
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---------------------------------------------------------------- router
const ROUTES = [
  [/^$/, 'overview', pageOverview],
  [/^runs$/, 'runs', pageRuns],
  [/^runs\/([^/]+)$/, 'runs', pageRun],
  [/^connectors$/, 'connectors', pageConnectors],
  [/^connectors\/([^/]+)$/, 'connectors', pageConnector],
  [/^connectors\/([^/]+)\/([^/]+)$/, 'connectors', pageEntity],
  [/^tables$/, 'tables', pageTables],
  [/^marks$/, 'marks', pageMarks],
  [/^schedules$/, 'schedules', pageSchedules],
  [/^query$/, 'query', pageQuery],
];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search] = raw.split('?');
  const params = {};
  for (const [k, v] of new URLSearchParams(search || '')) params[k] = v;
  return { path: path.replace(/\/$/, ''), params };
}

function stopPolling() {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
}

async function render(options = {}) {
  stopPolling();
  if (!options.quiet) delete document.body.dataset.ready;
  const generation = ++state.generation;
  const { path, params } = parseHash();
  const route = ROUTES.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', Boolean(route) && a.dataset.page === route[1]);
  const target = document.getElementById('page');
  const page = h('div', {});
  if (!options.quiet) showBanner(null);
  const ctx = {
    params,
    args: route ? route[0].exec(path).slice(1).map(decodeURIComponent) : [],
    // Re-renders the page in POLL_MS while it stays the current one.
    poll: () => {
      if (generation !== state.generation) return;
      state.timer = setTimeout(() => { if (generation === state.generation && !document.hidden) render({ quiet: true }); else if (generation === state.generation) ctx.poll(); }, POLL_MS);
    },
  };
  try {
    if (!route) throw new ApiError('not_found', `the console has no page #/${path}`, 404);
    await route[2](page, ctx);
  } catch (error) {
    if (generation !== state.generation) return;
    showBanner(error);
    if (!target.firstChild || !options.quiet) {
      clear(target).appendChild(h('div', {}, h('h1', {}, 'Something went wrong'), h('p', { class: 'subtitle' }, 'The server answered with the error above.')));
    }
    markReady();
    return;
  }
  if (generation !== state.generation) return;
  clear(target).appendChild(page);
  markOverflow();
  markReady();
}

// For people and tests alike: the page has what the API answered.
function markReady() { document.body.dataset.ready = String(state.generation); }

async function loadStatus() {
  const el = document.getElementById('server-status');
  try {
    state.status = await api(API.status());
    state.writes = Boolean(state.status.allow_writes || state.status.writes_allowed || state.status.writes);
    clear(el).appendChild(document.createTextNode(
      `${state.status.version ? 'sluice ' + state.status.version + ' · ' : ''}${state.writes ? 'writes allowed' + (token() ? '' : ' (set the token to use them)') : 'read-only'}`));
  } catch (error) {
    state.status = null;
    state.writes = false;
    clear(el).appendChild(document.createTextNode(error.status === 401 ? 'token needed' : 'read-only'));
  }
}

// #token=… (never sent to the server by the browser) is kept for this tab
// only and removed from the address bar, so it is not bookmarked or shared.
function takeTokenFromAddress() {
  const match = /(?:^#|[#&?])token=([^&]*)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  const rest = location.hash.replace(/[#&?]?token=[^&]*/, '').replace(/^#?&/, '#');
  history.replaceState(null, '', location.pathname + location.search + (rest && rest !== '#' ? rest : '#/'));
}

function setUpTokenForm() {
  const input = document.getElementById('token-input');
  if (token()) input.placeholder = 'token set';
  document.getElementById('token-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    else sessionStorage.removeItem(TOKEN_KEY);
    input.value = '';
    input.placeholder = token() ? 'token set' : 'for writes';
    await loadStatus();
    render();
  });
}

async function start() {
  takeTokenFromAddress();
  setUpTokenForm();
  await loadStatus();
  window.addEventListener('hashchange', () => render());
  document.addEventListener('visibilitychange', () => { if (!document.hidden && state.timer) render({ quiet: true }); });
  await render();
}

start();
