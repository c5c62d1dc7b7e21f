// The static copy (build/site/, the wasm build's `site` target) on a host that sends no headers:
// `python3 -m http.server`. Its service worker must make the page cross-origin isolated (after
// the one reload), run gather, deadlock, encrypt and http-get (whose /delay it answers itself),
// and the page must say it is a static copy with no native runs. Builds nothing: it takes the
// folder from SAMOVAR_SITE_DIR (tests/NodeTests.cmake sets it to build/site).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, checkShown, assertChecksPassed, screenshot, harness, RUN_TIMEOUT_MS } from './harness.mjs';

const SITE = process.env.SAMOVAR_SITE_DIR;
let host = null;
let siteUrl = null;
let hostLog = '';

// python3 -m http.server on a free port; resolves with its URL once it says where it serves.
function startStaticHost(dir) {
  host = spawn('python3', ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {stdio: ['ignore', 'pipe', 'pipe']});
  host.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`http.server said nothing within 20 s: ${hostLog}`)), 20_000);
    host.stdout.on('data', (chunk) => {
      const m = /port (\d+)/.exec(chunk);
      if (m && siteUrl === null) {
        clearTimeout(timer);
        siteUrl = `http://127.0.0.1:${m[1]}/`;
        resolve();
      }
    });
    // Its request log: which paths reached the host.
    host.stderr.setEncoding('utf8').on('data', (chunk) => { hostLog += chunk; });
    host.on('exit', (code) => {
      clearTimeout(timer);
      if (siteUrl === null) reject(new Error(`http.server exited (${code}): ${hostLog}`));
    });
  });
}

before(async () => {
  assert.ok(SITE, 'set SAMOVAR_SITE_DIR to the static copy (cmake --build --preset wasm --target site writes build/site)');
  for (const file of ['index.html', 'sw.js', 'samovar.js', 'samovar.wasm']) {
    assert.ok(existsSync(join(SITE, file)), `${SITE} lacks ${file}: build it with cmake --build --preset wasm --target site`);
  }
  await startStaticHost(SITE);
}, {timeout: 30_000});

after(() => { host?.kill('SIGTERM'); });

// Waits for body[data-state] to leave "loading", across the service worker's reload (evaluating
// in a page that navigates throws: that is retried).
async function settled(page) {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    try {
      const state = await page.evaluate(() => document.body?.dataset.state);
      if (state && state !== 'loading') return state;
    } catch {
      // navigating: the service worker's reload
    }
    assert.ok(Date.now() < deadline, `the static page still "loading" after ${RUN_TIMEOUT_MS / 1000} s; host log:\n${hostLog}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function openStatic(options = {}) {
  const context = await harness.browser.newContext({viewport: {width: 1280, height: 800}, ...options});
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(siteUrl);
  return {context, page, pageErrors, state: await settled(page)};
}

test('the static copy on a plain static host: isolated by its service worker, runs gather, deadlock, encrypt and http-get', {timeout: 300_000}, async () => {
  const {context, page, pageErrors, state} = await openStatic();
  try {
    assert.equal(state, 'idle', `engine did not load: ${await page.textContent('#scenario-summary')}`);
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'not cross-origin isolated');
    assert.match(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? ''), /\/sw\.js$/);
    assert.match(await page.textContent('#status'), /isolated by a service worker \(static copy\)/);
    const note = await page.textContent('#hosting');
    assert.ok(await page.isVisible('#hosting'), 'the static-copy note is hidden');
    assert.match(note, /No native runs/);
    assert.match(note, /answers \/delay inside the browser/);
    assert.equal(await page.isDisabled('#native'), true, 'the "also run natively" box is enabled');
    assert.equal(await page.isChecked('#native'), false);
    assert.match(await page.textContent('#native ~ .help'), /not on a static copy/);
    await screenshot(page, 'static-ready');

    const gather = await runScenario(page, 'gather');
    assert.equal(gather.state, 'done', `gather: ${gather.error}`);
    assert.equal(checkShown(gather.checks, 'concurrent'), true, `gather checks: ${gather.checks.join(' | ')}`);
    // Compared with the recorded results only, and never with a native run.
    assert.doesNotMatch(await page.textContent('#comparison'), /Not run natively/);

    const deadlock = await runScenario(page, 'deadlock');
    assert.equal(deadlock.state, 'done', `deadlock: ${deadlock.error}`);
    assert.equal(checkShown(deadlock.checks, 'deadlock_detected'), true, `deadlock checks: ${deadlock.checks.join(' | ')}`);

    const encrypt = await runScenario(page, 'encrypt', {items: 4, work: 200000, workers: 2});
    assert.equal(encrypt.state, 'done', `encrypt: ${encrypt.error}`);
    assertChecksPassed(encrypt.checks, ['results_equal_sequential', 'no_worker_left']);

    const http = await runScenario(page, 'http-get', {requests: 20});
    assert.equal(http.state, 'done', `http-get: ${http.error}`);
    assert.equal(http.lines.filter((l) => /Fetches \S*\/delay\/0\.2 with status 200/.test(l)).length, 20, `lines:\n${http.lines.join('\n')}`);
    assertChecksPassed(http.checks, ['overlapped', 'all_ok']);
    await screenshot(page, 'static-http-get');
    // The service worker answered every /delay: none reached the host.
    assert.doesNotMatch(hostLog, /GET \/delay\//, 'a /delay request reached the static host');
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

test('the service worker\'s /delay keeps samovar serve\'s contract: JSON after the delay, 400 for what is not seconds', {timeout: 120_000}, async () => {
  const {context, page, state} = await openStatic();
  try {
    assert.equal(state, 'idle');
    const answers = await page.evaluate(async () => {
      const get = async (path) => {
        const started = performance.now();
        const response = await fetch(path, {cache: 'no-store'});
        return {status: response.status, body: await response.text(), ms: performance.now() - started,
          coep: response.headers.get('Cross-Origin-Embedder-Policy')};
      };
      return {ok: await get('/delay/0.3'), bad: await get('/delay/abc'), negative: await get('/delay/-1')};
    });
    assert.equal(answers.ok.status, 200);
    assert.deepEqual(JSON.parse(answers.ok.body), {delay_s: 0.3});
    assert.ok(answers.ok.ms >= 290, `answered after ${answers.ok.ms} ms, before the 300 ms asked`);
    assert.equal(answers.ok.coep, 'require-corp');
    assert.equal(answers.bad.status, 400);
    assert.match(answers.bad.body, /seconds must be a number 0\.\.30/);
    assert.equal(answers.negative.status, 400);
  } finally {
    await context.close();
  }
});

test('where no service worker may run, the page says why it cannot run threads', {timeout: 120_000}, async () => {
  const {context, page, state} = await openStatic({serviceWorkers: 'block'});
  try {
    assert.equal(state, 'error');
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);
    const why = await page.textContent('#scenario-summary');
    assert.match(why, /not cross-origin isolated/);
    assert.match(why, /WebAssembly threads cannot start/);
    assert.match(why, /samovar serve/);
    assert.doesNotMatch(why, /undefined|null/, 'the reason shows a programming error, not words');
    assert.ok(await page.isVisible('#scenario-summary'));
    await screenshot(page, 'static-no-service-worker');
  } finally {
    await context.close();
  }
});

// A static copy seen before leaves its service worker registered for its origin; `samovar serve`
// later on that same origin (both default to port 8000) must not be hidden behind it: the worker
// then adds nothing and answers no /delay itself.
test('samovar serve on the origin of a static copy seen before: the service worker steps aside', {timeout: 180_000}, async () => {
  const port = Number(new URL(siteUrl).port);
  const {context, page, state} = await openStatic();
  let serve = null;
  try {
    assert.equal(state, 'idle');
    assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 1);
    const exited = new Promise((resolve) => host.once('exit', resolve));
    host.kill('SIGTERM');
    await exited;
    serve = spawn(process.env.SAMOVAR_BIN, ['serve', '--port', String(port), '--root', process.env.SAMOVAR_PAGE_DIR,
      '--results', process.env.SAMOVAR_RESULTS], {stdio: ['ignore', 'pipe', 'pipe']});
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('samovar serve did not start within 20 s')), 20_000);
      serve.stdout.setEncoding('utf8').on('data', (chunk) => { if (chunk.includes('serving')) { clearTimeout(timer); resolve(); } });
      serve.on('exit', (code) => { clearTimeout(timer); reject(new Error(`samovar serve exited (${code}) on port ${port}`)); });
    });
    await page.reload();
    assert.equal(await settled(page), 'idle');
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
    assert.equal(await page.textContent('#status'), 'Engine ready · cross-origin isolated');
    assert.equal(await page.isVisible('#hosting'), false, 'the static-copy note shows under samovar serve');
    assert.equal(await page.isDisabled('#native'), false);
    // /delay and the native run are the server's own.
    const http = await runScenario(page, 'http-get', {requests: 3});
    assert.equal(http.state, 'done', `http-get: ${http.error}`);
    assertChecksPassed(http.checks, ['overlapped', 'all_ok']);
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'live');
  } finally {
    serve?.kill('SIGTERM');
    await context.close();
  }
});
