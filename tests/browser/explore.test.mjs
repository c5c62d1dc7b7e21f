// Explore schedules (issue 18): the panel runs many explored schedules of deadlock in WASM, counts
// those that went wrong by kind, steps through the first one (← →, Home, End), and its replay link
// opens the page with that one schedule in the form, which the normal Run replays exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inPage, screenshot, RUN_TIMEOUT_MS } from './harness.mjs';

const EXPLORE_TIMEOUT_MS = 120_000;

// Fills the form and the panel, explores, and waits for the outcome.
async function explore(page, params, {runs = 200, seed = 1} = {}) {
  await page.click('#scenarios [data-scenario="deadlock"]');
  for (const [name, value] of Object.entries(params)) {
    const field = `#param-${name}`;
    if (await page.$eval(field, (el) => el.tagName === 'SELECT')) await page.selectOption(field, value);
    else await page.fill(field, value);
  }
  await page.fill('#seed', String(seed));
  await page.fill('#explore-runs', String(runs));
  await page.click('#explore-run');
  await page.waitForFunction(() => ['explored', 'error'].includes(document.body.dataset.state), null, {timeout: EXPLORE_TIMEOUT_MS});
  return page.evaluate(() => {
    const panel = document.getElementById('explore');
    return {
      state: document.body.dataset.state,
      status: document.getElementById('status').textContent,
      error: document.getElementById('explore-error').hidden ? '' : document.getElementById('explore-error').textContent,
      outcome: document.getElementById('explore-outcome').textContent,
      counts: {...panel.dataset},
      wrongShown: !document.getElementById('explore-wrong').hidden,
    };
  });
}

// The step shown: its position, what runs, and the waits.
function step(page) {
  return page.evaluate(() => ({
    at: Number(document.getElementById('explore-view').dataset.step),
    steps: Number(document.getElementById('explore-view').dataset.steps),
    text: document.getElementById('step-text').textContent,
    waits: [...document.querySelectorAll('#step-waits li')].map((li) => li.textContent),
    lines: [...document.querySelectorAll('#step-lines li:not([hidden]) .text')].map((t) => t.textContent),
    caption: document.getElementById('step-code-caption').textContent,
    lanes: JSON.parse(document.getElementById('step-timeline').dataset.lanes ?? '[]'),
  }));
}

test('deadlock with hold=0: some schedules deadlock, and the first steps through', {timeout: 300_000}, async () => {
  await inPage(async (page) => {
    // A scenario that cannot be explored has no panel and no schedule choice.
    await page.click('#scenarios [data-scenario="gather"]');
    assert.equal(await page.isVisible('#explore'), false, 'the Explore panel is shown for gather');
    assert.equal(await page.isVisible('#schedule'), false, 'the schedule choice is shown for gather');

    const got = await explore(page, {hold: '0'});
    assert.equal(got.state, 'explored', `${got.status} ${got.error}`);
    assert.equal(got.counts.runs, '200', got.outcome);
    assert.ok(Number(got.counts.wrong) > 0, got.outcome);
    assert.ok(Number(got.counts.deadlocked) > 0, got.outcome);
    assert.equal(got.counts.lost_updates, '0', got.outcome);
    assert.match(got.outcome, /^Explored 200 schedules of deadlock \(threading, .*hold=0.*\), strategy random, seeds 1–200: \d+ went wrong\./);
    assert.match(got.outcome, /[\d,]+ schedules\/s/);
    assert.ok(got.wrongShown, 'no first wrong schedule shown');
    assert.match(await page.textContent('#explore-step'), /^Step through seed \d+$/);

    await page.click('#explore-step');
    await page.waitForFunction(() => !document.getElementById('explore-view').hidden
      && document.querySelector('#step-timeline svg') !== null, null, {timeout: RUN_TIMEOUT_MS});
    const first = await step(page);
    assert.equal(first.at, 0);
    assert.ok(first.steps > 3, `${first.steps} steps`);
    assert.equal(first.text, 'main start Task 1');
    assert.deepEqual(first.lines, [], 'lines before anything printed');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'step-now', 'the step has the focus, for the keys');

    // → moves on and the text changes; ← comes back to the same step.
    await page.keyboard.press('ArrowRight');
    const second = await step(page);
    assert.equal(second.at, 1);
    assert.notEqual(second.text, first.text);
    await page.keyboard.press('ArrowRight');
    const third = await step(page);
    assert.equal(third.at, 2);
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual((await step(page)).text, second.text);

    // The last step: every line printed, the code marked where the last was printed, the whole timeline.
    await page.keyboard.press('End');
    const last = await step(page);
    assert.equal(last.at, last.steps - 1);
    assert.ok(last.lines.some((l) => l.startsWith('Deadlock detected')), last.lines.join('\n'));
    assert.match(last.caption, /^Marked: the code that printed “Deadlock detected/);
    await page.waitForFunction(() => document.querySelector('#step-code-cpp .code-lines li.hit') !== null, null, {timeout: RUN_TIMEOUT_MS});
    await page.waitForFunction(() => JSON.parse(document.getElementById('step-timeline').dataset.lanes ?? '[]').length >= 5, null, {timeout: RUN_TIMEOUT_MS});

    // Back from the end to the moment of the deadlock: each task waits for the other's lock.
    let found = null;
    for (let i = last.at; i >= 0 && !found; i--) {
      const s = await step(page);
      if (s.waits.some((w) => w.startsWith('Task 1 waits for')) && s.waits.some((w) => w.startsWith('Task 2 waits for'))) found = s;
      else await page.keyboard.press('ArrowLeft');
    }
    assert.ok(found, 'no step where both tasks wait');
    assert.ok(found.waits.includes('Task 1 waits for lock_b, held by Task 2') || found.waits.includes('Task 1 waits for lock_a, held by Task 2'), found.waits.join('\n'));
    assert.ok(found.waits.some((w) => /^Task 2 waits for lock_[ab], held by Task 1$/.test(w)), found.waits.join('\n'));
    await page.waitForFunction(() => JSON.parse(document.getElementById('step-timeline').dataset.deadlock ?? '[]').length === 2, null, {timeout: RUN_TIMEOUT_MS});
    await screenshot(page, 'explore-deadlock-step');

    // Home and the buttons move too.
    await page.keyboard.press('Home');
    assert.equal((await step(page)).at, 0);
    await page.click('#step-next');
    assert.equal((await step(page)).at, 1);
  });
});

test('deadlock fixed by lock ordering: no schedule goes wrong', {timeout: 300_000}, async () => {
  await inPage(async (page) => {
    const got = await explore(page, {hold: '0', fix: 'ordering'});
    assert.equal(got.state, 'explored', `${got.status} ${got.error}`);
    assert.equal(got.counts.runs, '200');
    assert.equal(got.counts.wrong, '0', got.outcome);
    assert.match(got.outcome, /none went wrong/);
    assert.equal(got.wrongShown, false);
  });
});

test('the replay link opens that schedule in the form, and Run replays it: all threads blocked', {timeout: 300_000}, async () => {
  let link;
  let seed;
  await inPage(async (page) => {
    const got = await explore(page, {hold: '0'});
    assert.equal(got.state, 'explored', `${got.status} ${got.error}`);
    seed = (await page.textContent('#explore-step')).replace('Step through seed ', '');
    link = await page.getAttribute('#explore-replay', 'href');
    assert.match(link, new RegExp(`#deadlock\\?.*seed=${seed}.*&schedule=explore&strategy=random`), link);
  });
  await inPage(async (page) => {
    assert.ok(await page.isVisible('#run-shared'), 'no prompt to run the shared request');
    const form = await page.evaluate(() => Object.fromEntries(['schedule', 'strategy', 'seed', 'repeat', 'param-hold']
      .map((id) => [id, document.getElementById(id).value])));
    assert.deepEqual(form, {schedule: 'explore', strategy: 'random', seed, repeat: '1', 'param-hold': '0'});
    assert.equal(await page.textContent('#shared-problems'), '', 'parts of the link were not applied');
    assert.match(await page.textContent('#shared-text'), /· schedule explore, random/);
    await page.uncheck('#native');
    await page.click('#run-shared');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    assert.match(await page.textContent('#run-summary'), /explored schedule \(random\): .*every thread ended up blocked/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const path = join(await mkdtemp(join(tmpdir(), 'samovar-explore-')), download.suggestedFilename());
    await download.saveAs(path);
    const report = JSON.parse(await readFile(path, 'utf8'));
    assert.equal(report.schedule, 'explore');
    assert.equal(report.seed, Number(seed));
    assert.equal(report.explore.all_blocked, true);
  }, {url: link});
});

test('Escape cancels an exploration: the schedules run so far are counted', {timeout: 300_000}, async () => {
  await inPage(async (page) => {
    await page.click('#scenarios [data-scenario="deadlock"]');
    await page.fill('#param-hold', '0');
    await page.fill('#explore-runs', '100000');
    await page.click('#explore-run');
    await page.waitForFunction(() => document.getElementById('explore-progress').value > 0, null, {timeout: RUN_TIMEOUT_MS});
    assert.equal(await page.isEnabled('#explore-cancel'), true);
    assert.equal(await page.isEnabled('#run'), false, 'Run is enabled while exploring');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.body.dataset.state === 'explored', null, {timeout: RUN_TIMEOUT_MS});
    const outcome = await page.textContent('#explore-outcome');
    assert.match(outcome, /^Cancelled after [\d,]+ of 100,000 schedules of deadlock/, outcome);
    assert.ok(Number(await page.getAttribute('#explore', 'data-runs')) < 100_000);
    assert.equal(await page.isEnabled('#run'), true);
    assert.equal(await page.isEnabled('#explore-run'), true);
  });
});

test('phone (390 px): the panel and the step-through fit without sideways scroll', {timeout: 300_000}, async () => {
  await inPage(async (page) => {
    await page.click('#scenario-menu');
    const got = await explore(page, {hold: '0'}, {runs: 50});
    assert.equal(got.state, 'explored', `${got.status} ${got.error}`);
    await page.click('#explore-step');
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('#step-timeline svg') !== null, null, {timeout: RUN_TIMEOUT_MS});
    const extra = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await screenshot(page, 'explore-phone-390');
    assert.equal(extra, 0, 'the page scrolls sideways');
  }, {viewport: {width: 390, height: 844}});
});
