// End-to-end test of the page: real engine (WASM), real server, Debian's Chromium.
//
//   SAMOVAR_URL=http://127.0.0.1:8123/ node --test tests/browser/
// or let the test start the server itself:
//   SAMOVAR_BIN=build/native/native/samovar SAMOVAR_PAGE_DIR=build/wasm/page \
//   SAMOVAR_RESULTS=build/native/results/native.json node --test tests/browser/
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT (path of a PNG of the finished gather run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const LAUNCH_ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const RUN_TIMEOUT_MS = 60_000;

let browser = null;
let server = null;
let baseUrl = null;

function startServer() {
  const bin = process.env.SAMOVAR_BIN;
  const root = process.env.SAMOVAR_PAGE_DIR;
  const results = process.env.SAMOVAR_RESULTS;
  if (!bin || !root || !results) {
    throw new Error('set SAMOVAR_URL, or SAMOVAR_BIN, SAMOVAR_PAGE_DIR and SAMOVAR_RESULTS so the test can start the server');
  }
  server = spawn(bin, ['serve', '--port', '0', '--root', root, '--results', results], {stdio: ['ignore', 'pipe', 'pipe']});
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`server printed no "serving http://..." line within 30 s; stderr: ${err}`)), 30_000);
    server.stdout.setEncoding('utf8');
    server.stderr.setEncoding('utf8');
    // Keep draining both pipes after the URL is found so the server never blocks on a full pipe.
    server.stdout.on('data', (chunk) => {
      if (ready) return;
      out += chunk;
      const m = /serving (https?:\/\/\S+)/.exec(out);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.stderr.on('data', (chunk) => { err += chunk; });
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`server exited (${code ?? signal}) before serving; stderr: ${err}`));
    });
  });
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  baseUrl = process.env.SAMOVAR_URL || await startServer();
  browser = await chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: LAUNCH_ARGS});
}, {timeout: 90_000});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await stopServer();
  }
}, {timeout: 30_000});

// Opens the page and waits for the engine. Uncaught errors are collected for the test to assert on;
// failed loads and console errors only explain a page that never leaves "loading".
async function openPage() {
  const page = await browser.newPage({viewport: {width: 1280, height: 800}});
  const pageErrors = [];
  const diagnostics = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') diagnostics.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) diagnostics.push(`HTTP ${r.status()} ${r.url()}`); });
  try {
    await page.goto(baseUrl);
    try {
      await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, {timeout: RUN_TIMEOUT_MS});
    } catch (e) {
      throw new Error(`page still "loading" after ${RUN_TIMEOUT_MS / 1000} s; ${[...pageErrors, ...diagnostics].join('; ') || 'no errors seen'}`, {cause: e});
    }
    const state = await page.evaluate(() => document.body.dataset.state);
    assert.equal(state, 'idle', `engine did not load: ${await page.textContent('#status')} ${await page.textContent('#scenario-summary')}`);
  } catch (e) {
    await page.close();
    throw e;
  }
  return {page, pageErrors};
}

// Selects a scenario, sets its params, runs it and waits for the end; returns what the page
// shows. Stops waiting on "error" as well, so a failure reports its message instead of a
// 60 s timeout.
// A fresh page for one test: `body(page)` runs on it, then the page must have raised no errors.
// The page is closed either way.
async function inPage(body) {
  const {page, pageErrors} = await openPage();
  try {
    await body(page);
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
  }
}

async function runScenario(page, id, params = {}, model = undefined) {
  await page.click(`#scenarios [data-scenario="${id}"]`);
  if (model !== undefined) await page.selectOption('#model', model);
  for (const [name, value] of Object.entries(params)) {
    const field = `#param-${name}`;
    const kind = await page.$eval(field, (el) => (el.tagName === 'SELECT' ? 'select' : el.type));
    if (kind === 'select') await page.selectOption(field, String(value));
    else if (kind === 'checkbox') await page.setChecked(field, Boolean(value));
    else await page.fill(field, String(value));
  }
  await page.click('#run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    lines: [...document.querySelectorAll('#output li')].map((li) => li.textContent),
    checks: [...document.querySelectorAll('#checks li')].map((li) => li.textContent),
  }));
}

function assertChecksPassed(checks, names) {
  for (const name of names) assert.ok(checks.some((t) => t.includes('✓') && t.includes(name)), `checks: ${checks.join(' | ')}`);
}

test('gather with 3 tasks: output, checks, timeline and native comparison', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'page is not cross-origin isolated (COOP/COEP headers)');
    assert.equal(await page.evaluate(() => typeof globalThis.Plot?.plot), 'function', 'vendor/plot.umd.min.js did not load');
    const defaultSelected = await page.$eval('#scenarios [data-scenario="gather"]', (li) => li.classList.contains('selected'));
    assert.ok(defaultSelected, 'gather is not the default scenario');

    const result = await runScenario(page, 'gather', {tasks: 3});
    if (process.env.SCREENSHOT) await page.screenshot({path: process.env.SCREENSHOT, fullPage: true});
    assert.equal(result.state, 'done', `run ended in state ${result.state}: ${result.error}`);

    const lines = await page.$$eval('#output li', (items) => items.map((li) => li.textContent));
    assert.equal(lines.length, 6, `expected 6 output lines, got:\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => l.includes('Brewing Masala chai...')), 'no "Brewing Masala chai..." line');
    assert.ok(lines.some((l) => l.includes('Ginger chai is ready...')), 'no "Ginger chai is ready..." line');

    const lanes = JSON.parse(await page.getAttribute('#timeline', 'data-lanes'));
    for (const lane of ['task 1', 'task 2', 'task 3']) assert.ok(lanes.includes(lane), `timeline lanes ${JSON.stringify(lanes)} lack "${lane}"`);
    assert.ok(await page.$('#timeline svg'), 'timeline chart not drawn');

    const comparison = await page.evaluate(() => ({...document.getElementById('comparison').dataset}));
    assert.equal(comparison.native, 'found', `no native record matched: ${await page.textContent('#comparison')}`);
    assert.ok(Number(comparison.nativeWallS) > 0, `data-native-wall-s = ${comparison.nativeWallS}`);
    assert.ok(Number(comparison.wasmWallS) > 0, `data-wasm-wall-s = ${comparison.wasmWallS}`);

    const conditions = await page.textContent('#conditions');
    assert.match(conditions, /cross-origin isolated: yes/);
    assert.match(conditions, /timer resolution: /);
    assert.match(conditions, /cores: \d+ here .*, \d+ native/);

  });
});

test('tasks=0 is rejected and the error names params.tasks', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'gather', {tasks: 0});
    assert.ok(['error', 'done'].includes(result.state), `state ${result.state}`);
    assert.match(result.error, /params\.tasks/, `error shown: ${JSON.stringify(result.error)}`);
    assert.ok(await page.isVisible('#error'), 'error is not visible');
  });
});

test('http-get in the page: GETs of the page origin\'s /delay overlap', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, lines, checks} = await runScenario(page, 'http-get', {requests: 3});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.equal(lines.filter((l) => /Fetches \S*\/delay\/0\.2 with status 200/.test(l)).length, 3, `lines:\n${lines.join('\n')}`);
    assertChecksPassed(checks, ['overlapped', 'all_ok']);
  });
});

// Times taken on different threads must share one clock in the browser, or "the program
// waited for its non-daemon thread" cannot be told from the trace.
test('daemon in the page: the program waits for the non-daemon thread, the daemon dies at exit', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, lines, checks} = await runScenario(page, 'daemon');
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assertChecksPassed(checks, ['daemon_died_at_exit', 'program_waited_for_non_daemon']);
    assert.ok(lines.some((l) => l.includes('Main program done')), `lines:\n${lines.join('\n')}`);
  });
});

async function timelineLanes(page) {
  return JSON.parse(await page.getAttribute('#timeline', 'data-lanes'));
}

test('deadlock in the page: the cycle is found, reported, drawn, and the run ends', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, lines, checks} = await runScenario(page, 'deadlock');
    if (process.env.SCREENSHOT_DEADLOCK) await page.screenshot({path: process.env.SCREENSHOT_DEADLOCK, fullPage: true});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.ok(lines.some((l) => l.includes('Task 1 acquired lock a')), `lines:\n${lines.join('\n')}`);
    assert.ok(lines.some((l) => l.includes('Deadlock detected: Task 1 holds lock_a and waits for lock_b; Task 2 holds lock_b and waits for lock_a')),
      `lines:\n${lines.join('\n')}`);
    assertChecksPassed(checks, ['deadlock_detected']);
    const lanes = await timelineLanes(page);
    for (const lane of ['Task 1', 'Task 2', 'lock_a', 'lock_b']) assert.ok(lanes.includes(lane), `lanes ${JSON.stringify(lanes)} lack "${lane}"`);
    const cycle = JSON.parse(await page.getAttribute('#timeline', 'data-deadlock'));
    assert.deepEqual(cycle.map((d) => `${d.lane}>${d.waits_for}>${d.held_by}`).sort(), ['Task 1>lock_b>Task 2', 'Task 2>lock_a>Task 1']);
    assert.match(await page.textContent('#timeline-note'), /Deadlock at .*Task 1 waits for lock_b, held by Task 2/);
  });
});

test('gil in the page: one GIL holder at a time, free threads overlap, same results', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, lines, checks} = await runScenario(page, 'gil', {work: 300000});
    if (process.env.SCREENSHOT_GIL) await page.screenshot({path: process.env.SCREENSHOT_GIL, fullPage: true});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.ok(lines.some((l) => /2 threads, GIL on: [\d.]+ s, [\d.]+x/.test(l)), `lines:\n${lines.join('\n')}`);
    assertChecksPassed(checks, ['same_results', 'one_gil_holder_at_a_time']);
    assert.ok((await timelineLanes(page)).includes('GIL'), 'no GIL lane in the timeline');
  });
});

test('producer-consumer and race with the GIL in the page: threads, queues and locks', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const pc = await runScenario(page, 'producer-consumer');
    assert.equal(pc.state, 'done', `run ended in state ${pc.state}: ${pc.error}`);
    assertChecksPassed(pc.checks, ['each_cup_served_once', 'queue_within_maxsize']);
    assert.ok(pc.lines.some((l) => l.includes('10 cups brewed, 10 served, each exactly once')), `lines:\n${pc.lines.join('\n')}`);
    const race = await runScenario(page, 'race', {gil: true});
    assert.equal(race.state, 'done', `run ended in state ${race.state}: ${race.error}`);
    assert.ok(race.lines.some((l) => l.includes('Chai stock: 200000')), `lines:\n${race.lines.join('\n')}`);
    assert.ok((await timelineLanes(page)).includes('GIL'), 'no GIL lane in the timeline');
  });
});

test('encrypt in the page: two process workers, each with its own instance, both on the timeline', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, lines, checks} = await runScenario(page, 'encrypt', {items: 4, work: 200000, workers: 2});
    if (process.env.SCREENSHOT_ENCRYPT) await page.screenshot({path: process.env.SCREENSHOT_ENCRYPT, fullPage: true});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.ok(lines.some((l) => l.includes('4321_drac_tiderc')), `lines:\n${lines.join('\n')}`);
    assertChecksPassed(checks, ['results_equal_sequential', 'no_worker_left']);
    const lanes = await timelineLanes(page);
    for (const lane of ['Process-1', 'Process-2']) assert.ok(lanes.includes(lane), `lanes ${JSON.stringify(lanes)} lack "${lane}"`);
  });
});

test('shared state in the page: a multiprocessing Value and Queue between process workers', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    // The Value lives in the page's memory; each process worker's own instance reaches it.
    const race = await runScenario(page, 'race', {increments: 20000, value: true, sync: 'lock'}, 'multiprocessing');
    assert.equal(race.state, 'done', `race ended in state ${race.state}: ${race.error}`);
    assert.ok(race.lines.some((l) => l.includes('Chai stock: 40000')), `lines:\n${race.lines.join('\n')}`);
    assertChecksPassed(race.checks, ['exact']);
    const cups = await runScenario(page, 'producer-consumer', {value: true}, 'multiprocessing');
    if (process.env.SCREENSHOT_PROCESSES) await page.screenshot({path: process.env.SCREENSHOT_PROCESSES, fullPage: true});
    assert.equal(cups.state, 'done', `producer-consumer ended in state ${cups.state}: ${cups.error}`);
    assert.ok(cups.lines.some((l) => l.includes('Served count in the parent: 10')), `lines:\n${cups.lines.join('\n')}`);
    assertChecksPassed(cups.checks, ['each_cup_served_once', 'served_count_exact']);
    const lanes = await timelineLanes(page);
    for (const lane of ['Process-1', 'Process-4']) assert.ok(lanes.includes(lane), `lanes ${JSON.stringify(lanes)} lack "${lane}"`);
  });
});
