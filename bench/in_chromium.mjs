#!/usr/bin/env node
// Chromium's side of bench/end_to_end.py: runs one request N times in headless Chromium (Debian's,
// through playwright-core) on the page `samovar serve` serves, and prints the reports as JSON.
//   node bench/in_chromium.mjs REQUEST_JSON [RUNS]          the WASM engine, as the page loads it
//   node bench/in_chromium.mjs --page REQUEST_JSON [RUNS]   through the page's form: Run pressed to
//                                                          the results drawn (timeline included)
// Each report gains page_s: from the run's start to its report (--page: to the page showing it).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = process.env.SAMOVAR_BIN ?? join(root, 'build/native/native/samovar');
const pageDir = process.env.SAMOVAR_PAGE_DIR ?? join(root, 'build/wasm/page');
const results = process.env.SAMOVAR_RESULTS ?? join(root, 'build/native/results/native.json');

const args = process.argv.slice(2);
const viaPage = args[0] === '--page';
if (viaPage) args.shift();
const request = JSON.parse(args[0] ?? 'null');
const runs = Number(args[1] ?? 5);
if (!request || !Number.isInteger(runs) || runs < 1 || runs > 20) {
  process.stderr.write('usage: in_chromium.mjs [--page] REQUEST_JSON [RUNS 1..20]\n');
  process.exit(2);
}

function serve() {
  const server = spawn(bin, ['serve', '--port', '0', '--root', pageDir, '--results', results], {stdio: ['ignore', 'pipe', 'inherit']});
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('samovar serve printed no URL within 30 s')), 30_000);
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({server, url: m[1]});
      }
    });
    server.on('exit', (code) => reject(new Error(`samovar serve exited (${code})`)));
  });
}

// The engine as the page loads it, one instance of its own; each run timed from start to report.
async function engineRuns(page) {
  return page.evaluate(async ({request, runs}) => {
    const {loadEngine} = await import('./engine.js');
    const engine = await loadEngine();
    const reports = [];
    await engine.run(request);  // warm-up, as end_to_end.py gives every other target
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const report = await engine.run(request);
      reports.push({...report, trace: undefined, output: undefined, page_s: (performance.now() - start) / 1000});
    }
    return reports;
  }, {request, runs});
}

// Through the form, as a reader runs it: Run pressed to the page showing the results. The native
// run the page would start after it is turned off, so only the browser is timed.
async function pageRuns(page) {
  const reports = [];
  await page.setChecked('#native', false);
  for (let i = 0; i < runs; i++) {
    await page.click(`#scenarios [data-scenario="${request.scenario}"]`);
    if (request.model) await page.selectOption('#model', request.model);
    for (const [name, value] of Object.entries(request.params ?? {})) await page.fill(`#param-${name}`, String(value));
    if (request.scale !== undefined) await page.fill('#scale', String(request.scale));
    await page.fill('#repeat', '1');
    const start = Date.now();
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: 300_000});
    const page_s = (Date.now() - start) / 1000;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const report = JSON.parse(await readFile(await download.path(), 'utf8'));
    const rows = await page.evaluate(() => JSON.parse(document.getElementById('timeline').dataset.rows ?? '[]').length);
    reports.push({...report, trace: undefined, output: undefined, page_s, timeline_rows: rows});
  }
  return reports;
}

const {server, url} = await serve();
const browser = await chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run']});
try {
  const page = await (await browser.newContext({acceptDownloads: true})).newPage();
  await page.goto(url);
  await page.waitForSelector('#scenarios [data-scenario]', {timeout: 60_000});
  const reports = viaPage ? await pageRuns(page) : await engineRuns(page);
  process.stdout.write(`${JSON.stringify(reports)}\n`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
