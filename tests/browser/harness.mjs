// The browser tests' harness: starts `samovar serve` (or uses SAMOVAR_URL) and Debian's Chromium once
// per test file, opens the page, runs a scenario through the form and reads back what the page shows.
// Every tests/browser/*.test.mjs imports it; each file gets its own server and browser.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const LAUNCH_ARGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
export const RUN_TIMEOUT_MS = 60_000;

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
export async function openPage({viewport = {width: 1280, height: 800}, url = ''} = {}) {
  const page = await browser.newPage({viewport});
  const pageErrors = [];
  const diagnostics = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') diagnostics.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) diagnostics.push(`HTTP ${r.status()} ${r.url()}`); });
  try {
    await page.goto(new URL(url, baseUrl).href);
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
export async function inPage(body, options = {}) {
  const {page, pageErrors} = await openPage(options);
  try {
    await body(page);
    assert.deepEqual(pageErrors, []);
  } finally {
    await page.close();
  }
}

// `scale` and `deadline` (real seconds) fill the form's own boxes; left out, they keep what the
// form holds (0.1 and 60 on a fresh page). Params left out keep the form's values too, which
// for a scenario run before in the same page are the values of that run. `repeat` is 1 unless
// given (the page's own default, 3, triples a run's length); the native run stays on.
export async function runScenario(page, id, params = {}, model = undefined, {scale, deadline, repeat = 1} = {}) {
  await page.click(`#scenarios [data-scenario="${id}"]`);
  if (model !== undefined) await page.selectOption('#model', model);
  for (const [name, value] of Object.entries(params)) {
    const field = `#param-${name}`;
    const kind = await page.$eval(field, (el) => (el.tagName === 'SELECT' ? 'select' : el.type));
    if (kind === 'select') await page.selectOption(field, String(value));
    else if (kind === 'checkbox') await page.setChecked(field, Boolean(value));
    else await page.fill(field, String(value));
  }
  if (scale !== undefined) await page.fill('#scale', String(scale));
  if (deadline !== undefined) await page.fill('#deadline_s', String(deadline));
  await page.fill('#repeat', String(repeat));
  await page.click('#run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
  return page.evaluate(() => {
    const text = (id) => document.getElementById(id).textContent;
    const dts = [...document.querySelectorAll('#metrics dt')];
    return {
      state: document.body.dataset.state,
      status: text('status'),
      summary: text('run-summary'),
      error: document.getElementById('error').hidden ? '' : text('error'),
      lines: [...document.querySelectorAll('#output li')].map((li) => li.textContent),
      // Each output line as drawn: its time (the report's t_s, 3 decimals), who printed it, and the text.
      rows: [...document.querySelectorAll('#output li')].map((li) => ({
        t: Number.parseFloat(li.querySelector('.t').textContent),
        who: li.querySelector('.who').textContent,
        text: li.querySelector('.text').textContent,
      })),
      outputNote: text('output-more'),
      checks: [...document.querySelectorAll('#checks li')].map((li) => li.textContent),
      // name -> the value as shown (a repeated request's median), its runs' "(least–most)" where
      // they differ, and whether it is flagged.
      metrics: Object.fromEntries(dts.map((dt) => {
        const dd = dt.nextElementSibling;
        const range = dd.querySelector('.range')?.textContent;
        return [dt.textContent, {shown: dd.querySelector('.value').textContent, ...(range ? {range} : {}), warn: dd.classList.contains('warn')}];
      })),
      timelineNote: text('timeline-note'),
    };
  });
}

// What the checks panel shows for one check: true (✓, the outcome this variant should show),
// false (✗, not) or undefined (absent). A row reads "✓name: yes, as this variant should".
export function checkShown(checks, name) {
  const row = checks.find((t) => t.slice(1).split(':')[0] === name);
  if (row === undefined) return undefined;
  assert.ok(['✓', '✗'].includes(row[0]), `check row ${JSON.stringify(row)}`);
  return row[0] === '✓';
}

// asyncio's debug mode, on in every asyncio run, prints a line of its own for each loop step that held
// the thread over 100 ms, and counts them in metrics.slow_steps. A loaded machine can make any step
// that slow, so the guide's lines are compared without them; their number must match the metric.
export const SLOW_STEP = /^Executing <Task '[^']*'> took [\d.]+ seconds$/;

export function guideRows({rows, metrics}) {
  const slow = rows.filter((r) => r.who === 'asyncio' && SLOW_STEP.test(r.text));
  if (metrics?.slow_steps !== undefined && rows.length < 500) {
    // The lines are run 1's; a repeated request's metric is the median, run 1's within its range.
    const [least, most] = metricRange(metrics.slow_steps);
    assert.ok(least <= slow.length && slow.length <= most, `${slow.length} slow-step lines vs metrics.slow_steps ${JSON.stringify(metrics.slow_steps)}:\n${linesText(rows)}`);
  }
  return rows.filter((r) => !slow.includes(r));
}

// A metric as shown, as numbers: [least, most] of its runs ([value, value] when they agree).
export function metricRange({shown, range}) {
  const number = (t) => Number(t.replaceAll(',', ''));
  if (!range) return [number(shown), number(shown)];
  const m = /^\((.+)–(.+)\)$/.exec(range);
  assert.ok(m, `range ${JSON.stringify(range)}`);
  return [number(m[1]), number(m[2])];
}

export function linesText(rows) {
  return rows.map((r) => `${r.t.toFixed(3)} ${r.who}: ${r.text}`).join('\n');
}

export function assertChecksPassed(checks, names) {
  for (const name of names) assert.ok(checks.some((t) => t.includes('✓') && t.includes(name)), `checks: ${checks.join(' | ')}`);
}


// The server's address (http://127.0.0.1:PORT/) and the browser, for tests that open pages of their own.
export const harness = {
  get baseUrl() { return baseUrl; },
  get browser() { return browser; },
};

// Keeps a screenshot of the page as a test artifact (SCREENSHOT_DIR/NAME.png; ctest sets it to
// build/<preset>/test-results/screenshots), so a reader can see what each test saw.
export async function screenshot(page, name, options = {}) {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, {recursive: true});
  await page.screenshot({path: join(dir, `${name}.png`), fullPage: true, ...options});
}
