// The web console in headless Chromium (Debian /usr/bin/chromium) against a
// real `sluice serve` on a workspace seeded by scripts/demo plus a failed run
// (tests/cli/serve_console.sh sets the environment below). Every page must
// load with no console error, no page error and no failed request; the runs
// page shows the demo's runs; the query page runs a query, shows its rows and
// the EXPLAIN pushdown, and exports the same CSV as sqlite3. Screenshots of
// every page go to $SLUICE_SCREENSHOT_DIR.
//
//   CONSOLE_URL          a read-only server, http://127.0.0.1:PORT
//   CONSOLE_WRITE_URL    the same workspace served --allow-writes
//   CONSOLE_TOKEN        that server's token
//   FAILED_RUN_ID        the id of the seeded failed run
//   CSV_SQL, EXPECTED_CSV_FILE   a query over a synced table and sqlite3's CSV of it
//   LIVE_SQL             a query over a live entity, with a pushed-down filter
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env('CONSOLE_URL');
const writeUrl = env('CONSOLE_WRITE_URL');
const awkwardUrl = env('CONSOLE_AWKWARD_URL');
const token = env('CONSOLE_TOKEN');
const failedRunId = env('FAILED_RUN_ID');
const shots = env('SLUICE_SCREENSHOT_DIR');
fs.mkdirSync(shots, { recursive: true });

let failures = 0;
function check(name, ok, detail) {
  if (ok) {
    console.log(`ok   ${name}`);
  } else {
    failures++;
    console.log(`FAIL ${name}${detail === undefined ? '' : ': ' + (typeof detail === 'string' ? detail : JSON.stringify(detail))}`);
  }
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
  protocolTimeout: 120000,
  timeout: 120000,  // launching Chromium on a loaded 2-core machine
});

// Opens `url` in a fresh tab that records everything that went wrong, and
// waits until the console has rendered what the API answered.
async function open(url, { expectProblems = false, width = 1280, height = 860 } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A blob: download the page revokes is not a failure of the console.
    if (!request.url().startsWith('blob:')) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  page.problems = problems;
  page.expectProblems = expectProblems;
  return page;
}

async function finishPage(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const banner = await page.$eval('#banner', (el) => (el.hidden || !el.classList.contains('error') ? '' : el.textContent));
  if (!page.expectProblems) {
    check(`${name}: no console errors, page errors or failed requests`, page.problems.length === 0, page.problems);
    check(`${name}: no error banner`, banner === '', banner);
  }
  await page.close();
}

// One group of checks: an exception fails it and the next group still runs.
async function step(fn) {
  try {
    await fn();
  } catch (error) {
    check('no exception', false, error.stack || String(error));
  }
}

const text = (page) => page.$eval('#page', (el) => el.innerText);

try {
  // Overview.
  await step(async () => {
    const page = await open(`${baseUrl}/#/`);
    const body = await text(page);
    check('overview lists the demo connectors', body.includes('my_service_prod') && body.includes('forge'), body.slice(0, 400));
    check('overview shows recent runs and the failure', body.includes('Recent runs') && body.includes('Failures') && body.includes('broken'), body.slice(0, 600));
    check('the server is read-only, so no write controls', (await page.$$('button.danger')).length === 0 && !body.includes('Sync my_service_prod'));
    await finishPage(page, 'overview');
  });

  // Runs: the demo's runs, their connector · entity, numbers and statuses.
  await step(async () => {
    const page = await open(`${baseUrl}/#/runs`);
    const rows = await page.$$eval('#page table tbody tr', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ')));
    check('the runs table has the demo\'s four runs and the failed one', rows.length === 5, rows);
    const itemsRun = rows.find((r) => r.includes('my_service_prod · items') && r.includes('my_service_prod_items') && / 25 /.test(r));
    check('the full items run: 25 rows read and written, done', Boolean(itemsRun) && itemsRun.includes('done'), rows);
    check('forge\'s issues run into forge_forge_issues, 30 rows', rows.some((r) => r.includes('forge · forge_issues') && r.includes('forge_forge_issues') && / 30 /.test(r)), rows);
    check('the failed run shows as failed', rows.some((r) => r.includes('broken · items') && r.includes('failed')), rows);
    check('type versions are shown', rows.some((r) => r.includes('1.0.0')), rows);
    await finishPage(page, 'runs');
  });

  // Runs filtered by status through the filter control.
  await step(async () => {
    const page = await open(`${baseUrl}/#/runs`);
    await Promise.all([
      page.waitForFunction(() => location.hash.includes('status=failed') && document.body.dataset.ready, { timeout: 30000 }),
      page.select('#filter-status', 'failed'),
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#page table tbody tr').length === 1, { timeout: 30000 });
    const rows = await page.$$eval('#page table tbody tr', (trs) => trs.map((tr) => tr.innerText));
    check('filtering by status leaves the failed run', rows.length === 1 && rows[0].includes('broken'), rows);
    await finishPage(page, 'runs-failed');
  });

  // One run: where it failed.
  await step(async () => {
    const page = await open(`${baseUrl}/#/runs/${failedRunId}`);
    const body = await text(page);
    check('the failed run says where it failed', body.includes('Where it failed') && body.includes('Cannot connect'), body.slice(0, 800));
    check('and names the connector and entity', body.includes('broken') && body.includes('items'));
    await finishPage(page, 'run-failed');
  });

  // Connectors, a connector, an entity.
  await step(async () => {
    const page = await open(`${baseUrl}/#/connectors`);
    const body = await text(page);
    check('connectors page lists types and entities', body.includes('myservice') && body.includes('forge_repos'), body.slice(0, 400));
    await finishPage(page, 'connectors');
  });
  await step(async () => {
    const page = await open(`${baseUrl}/#/connectors/my_service_prod`);
    const body = await text(page);
    check('connector page lists its entity and table', body.includes('items') && body.includes('my_service_prod_items'), body.slice(0, 400));
    await finishPage(page, 'connector');
  });
  await step(async () => {
    const page = await open(`${baseUrl}/#/connectors/my_service_prod/items`);
    const body = await text(page);
    check('entity page shows fields, the cursor and pushdown', body.includes('updated_at') && body.includes('Fields') && body.includes('Pushdown') && body.includes('status'), body.slice(0, 800));
    await finishPage(page, 'entity');
  });

  // Tables, marks, schedules.
  await step(async () => {
    const page = await open(`${baseUrl}/#/tables`);
    const body = await text(page);
    check('tables page shows lineage and row counts', body.includes('my_service_prod_items') && body.includes('forge_forge_issues') && body.includes('→'), body.slice(0, 600));
    await finishPage(page, 'tables');
  });
  await step(async () => {
    const page = await open(`${baseUrl}/#/marks`);
    const body = await text(page);
    check('marks page shows the items mark', body.includes('my_service_prod') && body.includes('updated_at'), body.slice(0, 600));
    await finishPage(page, 'marks');
  });
  await step(async () => {
    const page = await open(`${baseUrl}/#/schedules`);
    const body = await text(page);
    check('schedules page explains how to add one', body.includes('No schedules'), body.slice(0, 400));
    await finishPage(page, 'schedules');
  });

  // Query console: a synced table (CSV export compared with sqlite3's) …
  await step(async () => {
    const page = await open(`${baseUrl}/#/query`);
    await page.$eval('#sql', (el, sql) => { el.value = sql; }, env('CSV_SQL'));
    await page.focus('#sql');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await page.waitForSelector('#result-table, #query-error', { timeout: 60000 });
    const error = await page.$('#query-error');
    check('the query ran (Ctrl+Enter)', !error, error ? await page.$eval('#query-error', (el) => el.innerText) : '');
    const rows = await page.$$eval('#result-table tbody tr', (trs) => trs.length);
    check('the results table has rows', rows > 0, rows);
    const explain = await page.$eval('#explain', (el) => el.innerText);
    check('the EXPLAIN panel says no API is called for a synced table', explain.includes('no API is called'), explain);
    // Capture the Blob the export makes instead of a file download.
    await page.evaluate(() => {
      window.__exports = [];
      const original = URL.createObjectURL;
      URL.createObjectURL = (blob) => { window.__exports.push(blob); return original.call(URL, blob); };
    });
    await page.click('#export-csv');
    const csv = await page.evaluate(async () => window.__exports[0].text());
    const expected = fs.readFileSync(env('EXPECTED_CSV_FILE'), 'utf8');
    check('CSV export is sqlite3\'s CSV of the same query', csv === expected, { got: csv.slice(0, 300), expected: expected.slice(0, 300) });
    await page.click('#export-json');
    const json = JSON.parse(await page.evaluate(async () => window.__exports[1].text()));
    check('JSON export has the same rows', Array.isArray(json) && json.length === rows && Object.keys(json[0]).length > 0, json.slice(0, 2));
    await finishPage(page, 'query');
  });

  // … and a live entity, whose pushed-down filter the EXPLAIN shows.
  await step(async () => {
    const page = await open(`${baseUrl}/#/query`);
    await page.$eval('#sql', (el, sql) => { el.value = sql; }, env('LIVE_SQL'));
    await page.click('#run-query');
    await page.waitForSelector('#result-table, #query-error', { timeout: 60000 });
    const error = await page.$('#query-error');
    check('the live query ran', !error, error ? await page.$eval('#query-error', (el) => el.innerText) : '');
    const cells = await page.$$eval('#result-table tbody td', (tds) => tds.map((td) => td.innerText));
    check('live rows are shown', cells.includes('active'), cells.slice(0, 12));
    const steps = await page.$$eval('#explain li', (lis) => lis.map((li) => li.innerText));
    check('the EXPLAIN shows the filter asked of the handler', steps.length > 0 && steps.join(' ').includes('status'), steps);
    await finishPage(page, 'query-live');
  });

  // An error from the API is shown, not swallowed (and is no page error).
  await step(async () => {
    const page = await open(`${baseUrl}/#/query`, { expectProblems: true });
    await page.$eval('#sql', (el) => { el.value = 'SELECT * FROM no_such_table'; });
    await page.click('#run-query');
    await page.waitForSelector('#query-error', { timeout: 60000 });
    const shown = await page.$eval('#query-error', (el) => el.innerText);
    check('a bad query shows the API\'s error kind and message', shown.includes('no_such_table'), shown);
    check('and only the API\'s 400 went wrong', page.problems.every((p) => p.includes('400') || p.includes('Failed to load resource')), page.problems);
    await finishPage(page, 'query-error');
  });
  await step(async () => {
    const page = await open(`${baseUrl}/#/runs/999999`, { expectProblems: true });
    const banner = await page.$eval('#banner', (el) => el.innerText);
    check('an unknown run shows a not-found banner', !banner.includes('undefined') && /not.?found/i.test(banner), banner);
    await finishPage(page, 'run-not-found');
  });

  // Writes: the token from the address's fragment is kept and removed from it.
  await step(async () => {
    const page = await open(`${writeUrl}/#/marks&token=${encodeURIComponent(token)}`);
    const address = await page.evaluate(() => location.href);
    check('the token is removed from the address bar', !address.includes(token) && address.endsWith('#/marks'), address);
    check('and kept for this tab', (await page.evaluate(() => sessionStorage.getItem('sluice.token'))) === token);
    const status = await page.$eval('#server-status', (el) => el.innerText);
    check('the sidebar says writes are allowed', status.includes('writes allowed'), status);
    check('marks can be reset', (await page.$$('#page button.danger')).length > 0);
    await page.screenshot({ path: path.join(shots, 'marks-writable.png'), fullPage: true });
    // Reset asks first; the API call carries the token from the fragment.
    page.on('dialog', (dialog) => dialog.accept());
    await page.click('#page button.danger');
    await page.waitForFunction(() => !document.getElementById('banner').hidden, { timeout: 30000 });
    const banner = await page.$eval('#banner', (el) => el.innerText);
    check('resetting a mark says so', banner.includes('1 mark(s) of my_service_prod.items removed'), banner);
    await page.waitForFunction(() => document.querySelector('#page').innerText.includes('No incremental marks yet'), { timeout: 30000 });
    await finishPage(page, 'marks-reset');
  });
  await step(async () => {
    const page = await open(`${writeUrl}/#/connectors/my_service_prod&token=${encodeURIComponent(token)}`);
    const button = await page.$$eval('#page button', (bs) => bs.map((b) => b.innerText));
    check('a writable server offers a sync', button.some((b) => b.includes('Sync my_service_prod')), button);
    await finishPage(page, 'connector-writable');
  });

  // A narrow window: the sidebar is a bar on top, and a table too wide for
  // the screen says it scrolls sideways.
  await step(async () => {
    const page = await open(`${baseUrl}/#/runs`, { width: 800, height: 600 });
    const layout = await page.evaluate(() => {
      const side = document.querySelector('.sidebar').getBoundingClientRect();
      const main = document.querySelector('main').getBoundingClientRect();
      const wrap = document.querySelector('#page .table-wrap');
      const cue = wrap && wrap.nextElementSibling;
      return { sideWidth: side.width, sideHeight: side.height, mainLeft: main.left,
        overflowing: wrap ? wrap.classList.contains('overflowing') : null,
        scrolls: wrap ? wrap.scrollWidth > wrap.clientWidth : null,
        cueShown: Boolean(cue && cue.classList.contains('scroll-cue') && cue.offsetParent !== null) };
    });
    check('at 800 px the sidebar is a bar on top', layout.sideWidth >= 790 && layout.sideHeight < 200 && layout.mainLeft < 5, layout);
    check('a table wider than the screen shows its scroll cue', layout.scrolls !== null && (!layout.scrolls || (layout.overflowing && layout.cueShown)), layout);
    await finishPage(page, 'runs-800x600');
  });

  // Awkward content: a 5000-character unbroken error, a 3000-character
  // field name, right-to-left overrides.
  await step(async () => {
    const page = await open(`${awkwardUrl}/#/`);
    const info = await page.evaluate(() => {
      const failures = [...document.querySelectorAll('#page h2')].find((h) => h.textContent === 'Failures').nextElementSibling;
      return {
        wide: [...document.querySelectorAll('#page .table-wrap')].map((w) => w.scrollWidth - w.clientWidth),
        failureLinks: [...failures.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        bidi: [getComputedStyle(document.querySelector('#page td')).unicodeBidi, getComputedStyle(document.querySelector('.subtitle')).unicodeBidi],
      };
    });
    check('a long error does not widen its table', info.wide.every((extra) => extra <= 1), info);
    check('the failure\'s connector · entity are links', info.failureLinks.includes('#/connectors/evil') && info.failureLinks.includes('#/connectors/evil/boom'), info.failureLinks);
    check('cells and subtitles isolate bidi text', info.bidi.every((b) => b === 'isolate'), info.bidi);
    await finishPage(page, 'awkward-overview');
  });
  await step(async () => {
    const page = await open(`${awkwardUrl}/#/runs/1`);
    const before = await page.$eval('.error-box pre', (el) => ({ trimmed: el.classList.contains('trimmed'), height: el.getBoundingClientRect().height }));
    check('a long run error is trimmed', before.trimmed && before.height < 300, before);
    const [toggle] = await page.$$('xpath/.//button[contains(., "Show all")]');
    check('with a "Show all" toggle', Boolean(toggle));
    if (toggle) await toggle.click();
    const after = await page.$eval('.error-box pre', (el) => ({ trimmed: el.classList.contains('trimmed'), height: el.getBoundingClientRect().height }));
    check('which shows all of it, wrapped', !after.trimmed && after.height > before.height, after);
    check('and the page does not scroll sideways', await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await finishPage(page, 'awkward-run');
  });
  await step(async () => {
    const page = await open(`${awkwardUrl}/#/connectors/evil/wide`);
    const extra = await page.evaluate(() => [...document.querySelectorAll('#page .table-wrap')].map((w) => w.scrollWidth - w.clientWidth)
      .concat([document.documentElement.scrollWidth - window.innerWidth]));
    check('a 3000-character field name wraps on the entity page', extra.every((e) => e <= 1), extra);
    await finishPage(page, 'awkward-entity');
  });
  await step(async () => {
    const page = await open(`${awkwardUrl}/#/query?sql=${encodeURIComponent('SELECT * FROM evil.boom')}`, { expectProblems: true });
    await page.waitForSelector('#query-error', { timeout: 60000 });
    const error = await page.$eval('#query-error', (el) => ({ trimmed: Boolean(el.querySelector('pre.trimmed')), button: el.innerText.includes('Show all') }));
    check('a long query error is trimmed with a toggle', error.trimmed && error.button, error);
    await finishPage(page, 'awkward-query');
  });
  await step(async () => {
    const page = await open(`${awkwardUrl}/#/connectors/nope/items`, { expectProblems: true });
    const banner = await page.$eval('#banner', (el) => el.innerText);
    check('a missing connector is "no connector named"', banner.includes("no connector named 'nope'"), banner);
    await finishPage(page, 'awkward-missing');
  });

  // A sync started from the console runs and lands in the run history.
  await step(async () => {
    const page = await open(`${writeUrl}/#/connectors/live&token=${encodeURIComponent(token)}`);
    const [button] = await page.$$('xpath/.//button[contains(., "Sync live")]');
    await button.click();
    await page.waitForFunction(() => !document.getElementById('banner').hidden, { timeout: 30000 });
    const banner = await page.$eval('#banner', (el) => el.innerText);
    check('starting a sync says so', banner.includes('Sync of live started'), banner);
    await page.close();
    let runs = [];
    for (let i = 0; i < 120 && !runs.some((r) => r.status !== 'running'); i++) {
      runs = (await (await fetch(`${writeUrl}/api/runs?connector=live`)).json()).runs;
      if (!runs.some((r) => r.status !== 'running')) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const runsPage = await open(`${writeUrl}/#/runs?connector=live`);
    const rows = await runsPage.$$eval('#page table tbody tr', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ')));
    check('the console\'s sync is in the history, done', rows.length === 1 && rows[0].includes('live · items') && rows[0].includes('done'), rows);
    await finishPage(runsPage, 'runs-after-sync');
  });
} finally {
  await browser.close();
}

console.log(failures ? `${failures} check(s) failed` : 'all console checks passed');
process.exit(failures ? 1 : 0);
