// Share: the request in the URL, a finished run saved as its report JSON and opened again (file
// input and drop), a bad file refused, and the run's Chrome trace exported by the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inPage, runScenario, screenshot, RUN_TIMEOUT_MS } from './harness.mjs';

const waitFinished = (page) => page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});

// The hash as the page keeps it: scenario, then the form's fields.
function hashOf(url) {
  const hash = new URL(url).hash.slice(1);
  const q = hash.indexOf('?');
  return {scenario: decodeURIComponent(q < 0 ? hash : hash.slice(0, q)), query: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1))};
}

// Clicks a button that saves a file; returns its name, a copy that outlives the page, and its text.
async function downloadOf(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = join(await mkdtemp(join(tmpdir(), 'samovar-share-')), download.suggestedFilename());
  await download.saveAs(path);
  return {name: download.suggestedFilename(), path, text: await readFile(path, 'utf8')};
}

// What the results show, to compare a run with the same report opened from a file.
function shown(page) {
  return page.evaluate(() => ({
    lines: [...document.querySelectorAll('#output li')].map((li) => li.textContent),
    checks: [...document.querySelectorAll('#checks li')].map((li) => li.textContent),
    metrics: [...document.querySelectorAll('#metrics dt')].map((dt) => `${dt.textContent}=${dt.nextElementSibling.textContent}`),
    lanes: document.getElementById('timeline').dataset.lanes,
    native: document.getElementById('comparison').dataset.native,
    source: document.getElementById('results').dataset.source,
  }));
}

test('a link restores a request, offers to run it, and the run is that request', {timeout: 120_000}, async () => {
  const hash = '#gather?model=asyncio&tasks=4&delay=1&blocking=false&scale=0.05&seed=7&repeat=1&deadline_s=30';
  await inPage(async (page) => {
    assert.ok(await page.$eval('#scenarios [data-scenario="gather"]', (li) => li.classList.contains('selected')));
    const form = await page.evaluate(() => Object.fromEntries(['model', 'param-tasks', 'param-delay', 'scale', 'seed', 'repeat', 'deadline_s']
      .map((id) => [id, document.getElementById(id).value])));
    assert.deepEqual(form, {model: 'asyncio', 'param-tasks': '4', 'param-delay': '1', scale: '0.05', seed: '7', repeat: '1', deadline_s: '30'});
    // Offered, not run: a link may name a long run.
    assert.ok(await page.isVisible('#run-shared'), 'no prompt to run the shared request');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'run-shared', 'the prompt\'s button does not have the focus');
    assert.match(await page.textContent('#shared-text'), /gather · asyncio · tasks=4, delay=1, blocking=false · scale 0\.05 · seed 7 · repeat 1 · deadline 30 s/);
    assert.equal(await page.isVisible('#results'), false, 'something ran before the reader asked');
    await screenshot(page, 'share-link-prompt');

    await page.click('#run-shared');
    await waitFinished(page);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    assert.equal(await page.isVisible('#shared-prompt'), false, 'the prompt stays after the run');
    const {text} = await downloadOf(page, '#download-report');
    const report = JSON.parse(text);
    assert.equal(report.scenario, 'gather');
    assert.equal(report.model, 'asyncio');
    assert.deepEqual(report.params, {tasks: 4, delay: 1, blocking: false});
    assert.equal(report.scale, 0.05);
    assert.equal(report.seed, 7);
    assert.equal(report.walls_s.length, 1);
    assert.equal(report.output.filter((l) => l.text.startsWith('Brewing')).length, 4);
  }, {url: `/${hash}`});
});

test('values the form cannot take are named, out-of-range ones go in and the engine names them', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    const problems = await page.$$eval('#shared-problems li', (lis) => lis.map((li) => li.textContent));
    assert.equal(problems.length, 2, JSON.stringify(problems));
    assert.match(problems[0], /^model="threading": gather runs asyncio, sequential/);
    assert.match(problems[1], /^colour="red": gather has no such field/);
    // Not a number: it goes in as typed, and the engine names it when run (the next page).
    assert.equal(await page.inputValue('#param-tasks'), 'abc', 'a value that is not a number was not put in the form as given');
    assert.equal(await page.inputValue('#scale'), '99', 'an out-of-range scale is not put in the form as given');
    await screenshot(page, 'share-link-problems');
  }, {url: '/#gather?model=threading&tasks=abc&scale=99&colour=red'});

  await inPage(async (page) => {
    assert.equal(await page.inputValue('#param-tasks'), '0');
    await page.click('#run-shared');
    await waitFinished(page);
    assert.match(await page.textContent('#error'), /^bad_request: params\.tasks: 0 is out of range/);
    assert.equal(await page.getAttribute('#param-tasks', 'aria-invalid'), 'true');
  }, {url: '/#gather?tasks=0&repeat=1'});

  await inPage(async (page) => {
    await page.click('#run-shared');
    await waitFinished(page);
    assert.match(await page.textContent('#error'), /^bad_request: params\.tasks: expected integer 1\.\.1000000, got string "3s"/);
  }, {url: '/#gather?tasks=3s&repeat=1'});

  await inPage(async (page) => {
    assert.match(await page.textContent('#shared-problems'), /scenario "no-such": this page has no such scenario/);
    assert.equal(await page.isVisible('#run-shared'), false);
  }, {url: '/#no-such?tasks=1'});
});

test('the URL follows the form, and a workload\'s spec travels in it', {timeout: 120_000}, async () => {
  const spec = {version: 1, tasks: [{name: 'shared', steps: [{step: 'print', text: 'from a link'}, {step: 'sleep', seconds: 0.5}]}]};
  let link;
  await inPage(async (page) => {
    const entries = await page.evaluate(() => history.length);
    await page.click('#scenarios [data-scenario="race"]');
    await page.waitForFunction(() => location.hash.startsWith('#race?'));
    await page.fill('#param-threads', '3');
    await page.selectOption('#param-sync', 'lock');
    await page.fill('#seed', '42');
    await page.waitForFunction(() => /seed=42/.test(location.hash) && /sync=lock/.test(location.hash));
    const {scenario, query} = hashOf(page.url());
    assert.equal(scenario, 'race');
    assert.equal(query.get('threads'), '3');
    assert.equal(query.get('seed'), '42');
    // Changes replace the history entry, they do not add one per keystroke.
    assert.equal(await page.evaluate(() => history.length), entries);

    // The spec editor's text, deflated into the link and back.
    await page.click('#scenarios [data-scenario="workload"]');
    await page.fill('#spec', JSON.stringify(spec));
    // The link's spec, inflated again, is the editor's text (as the last keystroke left it).
    await page.waitForFunction(async (want) => {
      const m = /^#workload\?.*[?&]spec=([\w-]+)/.exec(location.hash);
      if (!m) return false;
      const bytes = Uint8Array.from(atob(m[1].replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
      return await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text() === want;
    }, JSON.stringify(spec));
    link = page.url();
    assert.ok(link.length < 600, `link of ${link.length} characters`);

    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#copy-link');
    await page.waitForFunction(() => document.getElementById('share-message').textContent !== '');
    assert.match(await page.textContent('#share-message'), /^Link copied/);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

    // A link pasted into the same tab changes only the hash: it is restored too.
    await page.evaluate(() => { location.hash = '#race?threads=5&sync=atomic'; });
    await page.waitForFunction(() => document.getElementById('param-threads')?.value === '5');
    assert.equal(await page.inputValue('#param-sync'), 'atomic');
    assert.ok(await page.isVisible('#run-shared'));
  });

  // Another page opened with that link has the spec in its editor and runs it.
  await inPage(async (page) => {
    assert.deepEqual(JSON.parse(await page.inputValue('#spec')), spec);
    await page.fill('#repeat', '1');
    await page.click('#run-shared');
    await waitFinished(page);
    const lines = await page.$$eval('#output li .text', (els) => els.map((e) => e.textContent));
    assert.ok(lines.includes('from a link'), lines.join('\n'));
  }, {url: link});
});

test('a downloaded report opens again (file input and drop), a bad file is refused, the Chrome trace exports', {timeout: 180_000}, async () => {
  let saved;
  let before;
  let trace;
  await inPage(async (page) => {
    const result = await runScenario(page, 'deadlock', {}, undefined, {repeat: 1});
    assert.equal(result.state, 'done', result.error);
    before = await shown(page);
    assert.equal(before.source, 'run');
    saved = await downloadOf(page, '#download-report');
    assert.match(saved.name, /^deadlock-threading-\d{4}-\d\d-\d\d-\d{6}\.json$/);
    trace = await downloadOf(page, '#export-trace');
    assert.match(trace.name, /^deadlock-threading-.*\.trace\.json$/);
  });
  const report = JSON.parse(saved.text);
  assert.equal(report.schema_version, 1);
  assert.equal(report.platform, 'wasm');
  // The native run the page made beside it is saved with it.
  assert.equal(before.native, 'live');
  assert.equal(report.native_run?.platform, 'native');
  assert.equal(report.native_run.scenario, 'deadlock');

  // The trace: the engine's converter, one event per span and per printed line, one thread per lane.
  const chrome = JSON.parse(trace.text);
  assert.ok(Array.isArray(chrome.traceEvents));
  const events = chrome.traceEvents;
  const threads = events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args.name);
  const lanes = new Set([...report.trace.map((s) => s.lane), ...report.output.map((l) => l.who)]);
  assert.deepEqual(new Set(threads), lanes);
  assert.equal(threads.length, lanes.size);
  assert.equal(events.filter((e) => e.cat === 'print').length, report.output.length);
  assert.equal(events.filter((e) => e.ph === 'X').length, report.trace.filter((s) => s.end_s !== undefined).length);
  assert.equal(events.filter((e) => e.ph === 'i' && e.cat !== 'print').length, report.trace.filter((s) => s.end_s === undefined).length);
  const tidOf = Object.fromEntries(events.filter((e) => e.name === 'thread_name').map((e) => [e.args.name, e.tid]));
  const firstSpan = report.trace.find((s) => s.end_s !== undefined);
  const firstX = events.find((e) => e.ph === 'X');
  assert.equal(firstX.tid, tidOf[firstSpan.lane]);
  assert.ok(Math.abs(firstX.ts - firstSpan.start_s * 1e6) < 1e-3);

  // Opened with the file input: the same lines, checks, metrics and timeline, marked as a file.
  await inPage(async (page) => {
    await page.setInputFiles('#open-report', saved.path);
    await page.waitForFunction(() => document.getElementById('results').dataset.source === 'file', null, {timeout: RUN_TIMEOUT_MS});
    const after = await shown(page);
    assert.deepEqual({...after, native: 0, source: 0}, {...before, native: 0, source: 0});
    assert.equal(after.native, 'saved');
    assert.match(await page.textContent('#report-source'), /Opened from the file .*: a saved report, not a live run/);
    assert.match(await page.textContent('#status'), /^Opened .*deadlock \(threading\) on wasm, a saved report/);
    assert.ok(await page.$eval('#scenarios [data-scenario="deadlock"]', (li) => li.classList.contains('selected')));
    assert.equal(await page.inputValue('#param-fix'), report.params.fix);
    assert.equal(await page.inputValue('#repeat'), '1');
    assert.equal(hashOf(page.url()).scenario, 'deadlock');
    await screenshot(page, 'share-opened-report');

    // Bad files are refused with a reason, and the report shown stays.
    for (const [name, text, reason] of [
      ['notes.txt', 'hello', /^notes\.txt not opened: it is not JSON/],
      ['future.json', JSON.stringify({...report, schema_version: 2}), /future\.json has schema_version 2; this page reads only 1/],
      ['native.json', JSON.stringify({schema_version: 1, results: []}), /native\.json is not a samovar report: it names no scenario/],
      ['list.json', '[1, 2]', /list\.json is not a samovar report: its JSON is not an object/],
      ['cut.json', JSON.stringify({...report, trace: [{lane: 'x'}]}), /trace\[0\] is not a span/],
    ]) {
      await page.setInputFiles('#open-report', {name, mimeType: 'application/json', buffer: Buffer.from(text)});
      await page.waitForFunction((n) => document.getElementById('share-message').textContent.includes(n), name);
      assert.match(await page.textContent('#share-message'), reason);
      assert.ok(await page.$eval('#share-message', (el) => el.classList.contains('error')));
      assert.deepEqual(await shown(page), after, `${name} changed the page`);
    }
    await screenshot(page, 'share-bad-file');
  });

  // Dropped on the page: the same report again, on a page that had run nothing.
  await inPage(async (page) => {
    await page.evaluate(({text, name}) => {
      const data = new DataTransfer();
      data.items.add(new File([text], name, {type: 'application/json'}));
      const target = document.querySelector('main');
      target.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
      target.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
    }, {text: saved.text, name: saved.name});
    await page.waitForFunction(() => document.getElementById('results').dataset.source === 'file', null, {timeout: RUN_TIMEOUT_MS});
    const dropped = await shown(page);
    assert.deepEqual(dropped.lines, before.lines);
    assert.deepEqual(dropped.checks, before.checks);
    // Downloading the opened report gives the file back, unchanged.
    const again = await downloadOf(page, '#download-report');
    assert.deepEqual(JSON.parse(again.text), report);
  });
});
