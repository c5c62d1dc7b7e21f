// Run control (issue 16): Cancel (or Escape) ends a run at the engine's next wait or checkpoint,
// the page says it was cancelled, shows what was printed so far and runs nothing natively; a
// cancel during the native run hangs up the POST, and the server cancels that run. Lines stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, runScenario, screenshot, RUN_TIMEOUT_MS, SLOW_STEP } from './harness.mjs';

// Generous: the engine looks at the cancel flag at least every 50 ms, but the machine is shared.
const CANCEL_WITHIN_MS = 20_000;

// Fills the form for a run that would take a minute, and starts it.
async function startLong(page, {repeat = 1} = {}) {
  await page.click('#scenarios [data-scenario="gather"]');
  await page.fill('#param-delay', '60');
  await page.fill('#scale', '1');
  await page.fill('#deadline_s', '300');
  await page.fill('#repeat', String(repeat));
  await page.click('#run');
  // Under way once gather's tasks have printed their first lines.
  await page.waitForFunction(() => document.body.dataset.state === 'running'
    && document.querySelectorAll('#output li').length >= 3, null, {timeout: RUN_TIMEOUT_MS});
  assert.equal(await page.isEnabled('#cancel'), true, 'Cancel is enabled while running');
  assert.equal(await page.isEnabled('#run'), false, 'Run is disabled while running');
}

// The guide's lines: asyncio's debug mode may add a slow-step line of its own on a loaded machine.
const guideLines = (lines) => lines.filter((l) => !SLOW_STEP.test(l));

async function cancelledView(page) {
  await page.waitForFunction(() => document.body.dataset.state === 'cancelled', null, {timeout: CANCEL_WITHIN_MS});
  return page.evaluate(() => ({
    status: document.getElementById('status').textContent,
    summary: document.getElementById('run-summary').textContent,
    error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    lines: [...document.querySelectorAll('#output li .text')].map((t) => t.textContent),
    outcome: document.getElementById('results').dataset.outcome,
  }));
}

test('Cancel ends a minute-long run, says so plainly, and the next run works', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const posts = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/run')) posts.push(r.url()); });
    await startLong(page);
    const pressed = Date.now();
    await page.click('#cancel');
    const view = await cancelledView(page);
    const took = Date.now() - pressed;
    await screenshot(page, 'run-control-cancelled');
    assert.ok(took < CANCEL_WITHIN_MS, `cancelled after ${took} ms`);
    assert.match(view.status, /^Cancelled gather \(asyncio\)/, view.status);
    assert.match(view.summary, /— cancelled after/, view.summary);
    assert.equal(view.error, 'cancelled: the run was cancelled');
    assert.equal(view.outcome, 'cancelled');
    assert.deepEqual(guideLines(view.lines), ['Brewing Masala chai...', 'Brewing Green chai...', 'Brewing Ginger chai...'], 'the lines printed before the cancel');
    assert.deepEqual(posts, [], 'a cancelled run is not run natively');
    assert.equal(await page.isEnabled('#run'), true);
    assert.equal(await page.isEnabled('#cancel'), false);

    // The page is usable again: a short run goes to its end.
    const next = await runScenario(page, 'gather', {delay: 0.5}, undefined, {scale: 0.1, deadline: 60});
    assert.equal(next.state, 'done', `${next.status} ${next.error}`);
    assert.equal(guideLines(next.rows.map((r) => r.text)).length, 6, next.lines.join('\n'));
  });
});

test('Escape cancels every repeat of a repeated run', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await startLong(page, {repeat: 3});
    await page.keyboard.press('Escape');
    const view = await cancelledView(page);
    assert.equal(view.error, 'cancelled: the run was cancelled');
    // Run 1's lines only, once: the later repeats never started.
    assert.equal(guideLines(view.lines).length, 3, view.lines.join('\n'));
    assert.equal(await page.isEnabled('#run'), true);
  });
});

test('Cancel during the native run hangs up, and the server is free for the next one', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    // Short in the page, long natively: the same request, but the native one is held at 8 s.
    await page.click('#scenarios [data-scenario="gather"]');
    await page.fill('#param-delay', '8');
    await page.fill('#scale', '1');
    await page.fill('#deadline_s', '60');
    await page.fill('#repeat', '1');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'native', null, {timeout: RUN_TIMEOUT_MS});
    const pressed = Date.now();
    await page.click('#cancel');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: CANCEL_WITHIN_MS});
    const took = Date.now() - pressed;
    const view = await page.evaluate(() => ({
      state: document.body.dataset.state,
      status: document.getElementById('status').textContent,
      comparison: document.getElementById('comparison').textContent,
    }));
    await screenshot(page, 'run-control-native-cancelled');
    assert.equal(view.state, 'done', view.status);
    assert.ok(took < 8_000, `the page waited ${took} ms for a native run it had cancelled`);
    assert.match(view.status, /The native run was cancelled\.$/, view.status);
    assert.match(view.comparison, /Not run natively: the native run was cancelled\./);

    // Had the server kept running it, this native run would be refused as busy (one at a time).
    const next = await runScenario(page, 'gather', {delay: 0.5}, undefined, {scale: 0.1, deadline: 60});
    assert.equal(next.state, 'done', `${next.status} ${next.error}`);
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'live',
      await page.textContent('#comparison'));
  });
});

test('gil streams its lines: round 1 is shown while later rounds still run', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await page.click('#scenarios [data-scenario="gil"]');
    await page.fill('#param-work', '300000');
    await page.fill('#param-rounds', '3');
    await page.fill('#repeat', '1');
    await page.uncheck('#native');
    await page.click('#run');
    // The first lines the page shows while the run is still going.
    const first = await (await page.waitForFunction(() => {
      const lines = [...document.querySelectorAll('#output li .text')].map((t) => t.textContent);
      return document.body.dataset.state === 'running' && lines.length > 0 ? lines : null;
    }, null, {timeout: RUN_TIMEOUT_MS})).jsonValue();
    assert.match(first[0], /^Each task counts the primes below 300000: 25997$/);
    assert.ok(!first.some((l) => l.startsWith('Round 3 of 3')), `shown before round 3 ran:\n${first.join('\n')}`);
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, {timeout: RUN_TIMEOUT_MS});
    const lines = await page.$$eval('#output li .text', (ts) => ts.map((t) => t.textContent));
    assert.ok(lines.some((l) => l.startsWith('Round 3 of 3: 2 processes in ')), lines.join('\n'));
    assert.ok(lines.some((l) => /2 threads, GIL on: [\d.]+ s, [\d.]+x/.test(l)), lines.join('\n'));
  });
});
