// Layout and access: the page on a phone and a laptop, long values, number boxes the engine
// validates by name, results that keep their own request's label, each scenario's recorded
// scale, and the keyboard's way to Run.
//
//   SAMOVAR_BIN=... SAMOVAR_PAGE_DIR=... SAMOVAR_RESULTS=... SCREENSHOT_DIR=shots node --test tests/browser/layout.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, runScenario, screenshot, RUN_TIMEOUT_MS } from './harness.mjs';

const PHONE = {width: 390, height: 844};
const LAPTOP = {width: 1280, height: 800};

// How far the page is wider than its window (0 when it does not scroll sideways), and the widest
// boxes past the right edge, to say what widened it.
async function overflow(page) {
  return page.evaluate(() => ({
    extra: document.documentElement.scrollWidth - window.innerWidth,
    culprits: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.chart'))
      .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`),
  }));
}

async function assertNoSidewaysScroll(page, when) {
  const {extra, culprits} = await overflow(page);
  assert.ok(extra <= 0, `${when}: the page is ${extra} px wider than the window; past the edge: ${culprits.join(', ')}`);
}

// Runs the form as it stands and waits for the end (runScenario clicks a list entry, which the
// phone hides behind its menu).
async function runForm(page) {
  await page.click('#run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
}

async function chooseOnPhone(page, id) {
  await page.click('#scenario-menu');
  assert.equal(await page.getAttribute('#scenario-menu', 'aria-expanded'), 'true');
  assert.ok(await page.isVisible(`#scenarios [data-scenario="${id}"]`), 'the scenario menu did not open');
  await screenshot(page, 'layout-phone-menu', {fullPage: false});
  await page.click(`#scenarios [data-scenario="${id}"]`);
  assert.equal(await page.isVisible('#scenarios'), false, 'the scenario menu stays open after a choice');
  assert.equal(await page.getAttribute('#scenario-menu', 'aria-expanded'), 'false');
}

test('phone (390×844): a scenario menu, stacked fields, full-width results, no sideways scroll', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await assertNoSidewaysScroll(page, 'on load');
    // The list is folded behind one button that names the chosen scenario.
    assert.equal(await page.isVisible('#scenarios'), false, 'the scenario list takes the phone\'s screen before the form');
    assert.match(await page.textContent('#scenario-menu'), /gather/);
    await chooseOnPhone(page, 'deadlock');
    assert.match(await page.textContent('#scenario-menu'), /deadlock/);
    assert.match(await page.textContent('#scenario-title'), /Deadlock/i);
    await chooseOnPhone(page, 'gather');

    // Fields stack: each as wide as the form, one under the other.
    const boxes = await page.$$eval('#run-form .fields > .field, #params > .field', (els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      return {w: r.width, x: r.left};
    }));
    const formWidth = await page.$eval('#run-form .fields', (el) => el.getBoundingClientRect().width);
    for (const b of boxes) assert.ok(b.w >= formWidth * 0.9, `a field ${Math.round(b.w)} px wide in a ${Math.round(formWidth)} px form`);
    // Words are not wrapped one a line: the summary's lines hold several words each.
    const summary = await page.$eval('#scenario-summary', (el) => ({words: el.textContent.split(/\s+/).length, lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight))}));
    assert.ok(summary.words / summary.lines >= 4, `the summary's ${summary.words} words take ${summary.lines} lines`);

    await page.fill('#param-tasks', '3');
    await page.fill('#repeat', '1');
    await runForm(page);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    await assertNoSidewaysScroll(page, 'after a gather run');
    // The results take the page's width: the timeline's and comparison's cards span the main column.
    const main = await page.$eval('main', (el) => el.getBoundingClientRect().width);
    for (const id of ['timeline', 'comparison']) {
      const card = await page.$eval(`#${id}`, (el) => el.closest('section').getBoundingClientRect().width);
      assert.ok(card >= main - 2 && main >= PHONE.width - 40, `#${id}'s card is ${Math.round(card)} px of a ${Math.round(main)} px column`);
    }
    await screenshot(page, 'layout-phone-390x844');
  }, {viewport: PHONE});
});

test('laptop (1280×800, 1440×900): sidebar beside the form, no sideways scroll', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    assert.equal(await page.isVisible('#scenario-menu'), false, 'the phone\'s menu button shows on a laptop');
    assert.ok(await page.isVisible('#scenarios [data-scenario="race"]'), 'the scenario list is not shown');
    const nav = await page.$eval('nav.sidebar', (el) => el.getBoundingClientRect());
    const form = await page.$eval('#run-form', (el) => el.getBoundingClientRect());
    assert.ok(nav.right <= form.left, 'the sidebar is not to the left of the form');
    const result = await runScenario(page, 'gather', {tasks: 3});
    assert.equal(result.state, 'done', result.error);
    await assertNoSidewaysScroll(page, 'after a gather run at 1280×800');
    await screenshot(page, 'layout-laptop-1280x800');
    await page.setViewportSize({width: 1440, height: 900});
    await assertNoSidewaysScroll(page, 'at 1440×900');
  }, {viewport: LAPTOP});
});

test('a long value without spaces never widens the page', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    // Runs, and is printed, quoted in the summary and in the comparison's differences.
    const item = 'x'.repeat(2000);
    const ran = await runScenario(page, 'check-stock', {item, delay: 0.1}, undefined, {scale: 0.01});
    assert.equal(ran.state, 'done', ran.error);
    assert.ok(ran.lines.some((l) => l.includes(item)), 'the long item is not printed');
    await assertNoSidewaysScroll(page, 'after a run with a 2,000-character item');
    // Refused, and quoted in the error.
    const refused = await runScenario(page, 'gather', {tasks: 'y'.repeat(3000)});
    assert.equal(refused.state, 'error');
    assert.match(refused.error, /params\.tasks/);
    await assertNoSidewaysScroll(page, 'after a refused 3,000-character tasks');
    await page.setViewportSize(PHONE);
    await assertNoSidewaysScroll(page, 'the same, on a phone');
  }, {viewport: LAPTOP});
});

test('"abc" and "3s" in a number box are refused by the engine, by name', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    for (const [box, typed, field] of [['#param-tasks', 'abc', 'params.tasks'], ['#param-tasks', '3s', 'params.tasks'], ['#scale', '3s', 'scale'], ['#repeat', '2x', 'repeat']]) {
      await page.fill('#param-tasks', '3');
      await page.fill('#scale', '0.1');
      await page.fill('#repeat', '1');
      await page.fill(box, typed);
      await runForm(page);
      const error = await page.textContent('#error');
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'error', `${typed} in ${box} was taken: ${await page.textContent('#run-summary')}`);
      // The field and what was typed, so the reader sees which box and why.
      assert.ok(error.includes(field) && error.includes(`"${typed}"`), `error for ${typed} in ${box}: ${error}`);
      assert.doesNotMatch(error, /got null/);
      // And what the box takes, so the reader need not look for the help text.
      assert.match(error, /expected (integer|number) [\d.]+\.\.[\d.]+, got/, `error for ${typed} in ${box}: ${error}`);
      assert.equal(await page.getAttribute(box, 'aria-invalid'), 'true', `${box} is not marked invalid`);
    }
  });
});

test('choosing another scenario during a run leaves the results labelled with the run\'s request', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await page.click('#scenarios [data-scenario="gather"]');
    await page.fill('#param-delay', '4');
    await page.fill('#scale', '0.5');
    await page.fill('#repeat', '1');
    await page.setChecked('#native', false);
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.state === 'running');
    await page.click('#scenarios [data-scenario="deadlock"]');
    assert.match(await page.textContent('#scenario-title'), /deadlock/i);
    assert.ok(await page.isVisible('#results-elsewhere'), 'nothing says the form and the results differ');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    assert.match(await page.textContent('#results-heading'), /^Results: gather\b/);
    assert.match(await page.textContent('#run-summary'), /^gather · asyncio · .*delay=4.*scale 0\.5/);
    assert.match(await page.textContent('#results-elsewhere'), /deadlock.*gather/);
    assert.equal(await page.getAttribute('#results', 'data-scenario'), 'gather');
    await screenshot(page, 'layout-switched-during-run');
    // Choosing gather again: the form and the results agree, and the note goes.
    await page.click('#scenarios [data-scenario="gather"]');
    assert.equal(await page.isVisible('#results-elsewhere'), false);
  });
});

test('each scenario starts at its recorded scale, and the form says when no recorded run matches', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await page.waitForFunction(() => document.getElementById('recorded-match').dataset.match !== '');
    assert.equal(await page.getAttribute('#recorded-match', 'data-match'), 'exact', await page.textContent('#recorded-match'));
    await page.fill('#scale', '0.5');
    assert.equal(await page.getAttribute('#recorded-match', 'data-match'), 'differs');
    assert.match(await page.textContent('#recorded-match'), /No recorded native run of this request: scale 0\.1 recorded, 0\.5 here/);
    await page.fill('#param-tasks', '7');
    assert.match(await page.textContent('#recorded-match'), /tasks \d+ recorded, 7 here/);
    // The next scenario does not inherit 0.5: it starts where `samovar bench` recorded it.
    await page.click('#scenarios [data-scenario="race"]');
    assert.equal(await page.inputValue('#scale'), '0.1');
    assert.equal(await page.getAttribute('#recorded-match', 'data-match'), 'exact', await page.textContent('#recorded-match'));
    // The workload scenario has no recorded native run at all.
    await page.click('#scenarios [data-scenario="workload"]');
    assert.equal(await page.getAttribute('#recorded-match', 'data-match'), 'none');
  });
});

test('keyboard: skip link first, the scenario list is one Tab stop, Run after the form, the outcome announced', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return el.id || el.dataset?.scenario || el.className || el.tagName;
    });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the run form');
    assert.ok(await page.$eval('.skip-link', (el) => el.getBoundingClientRect().top >= 0), 'the focused skip link is off screen');
    // Without the skip link: the list is one stop (the chosen scenario), then the form.
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'gather');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'http-get');
    assert.equal(await page.getAttribute('#scenarios [data-scenario="http-get"]', 'aria-selected'), 'true');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.getAttribute('#scenarios [data-scenario="gather"]', 'aria-selected'), 'true');
    // Then the form, past at most the decision guide's summary (decide.js) between them.
    const toForm = [];
    for (let i = 0; i < 3 && toForm.at(-1) !== 'model'; i++) {
      await page.keyboard.press('Tab');
      toForm.push(await focused());
    }
    assert.equal(toForm.at(-1), 'model', `Tab order after the scenario list: ${toForm.join(' → ')}`);

    // With the skip link: straight to the form, then its fields, then Run.
    // Without the hash the form wrote (share.js), which would open the page on its prompt.
    await page.goto(page.url().replace(/#.*$/, ''));
    await page.waitForFunction(() => document.body.dataset.state === 'idle', null, {timeout: RUN_TIMEOUT_MS});
    await page.$eval('#repeat', (el) => { el.value = '1'; });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.equal(await focused(), 'run-form');
    const controls = await page.$$eval('#run-form .fields :is(input, select, textarea)', (els) => els.filter((el) => el.getClientRects().length).length);
    const order = [];
    for (let i = 0; i < controls + 1 && order.at(-1) !== 'run'; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    assert.equal(order.at(-1), 'run', `Tab order after the skip link: ${order.join(' → ')}`);
    assert.equal(order.length, controls + 1, `Tab order after the skip link: ${order.join(' → ')}`);
    // Visible focus: the focused Run button draws an outline.
    assert.notEqual(await page.$eval('#run', (el) => getComputedStyle(el).outlineStyle), 'none');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
    // The outcome is announced in a live region.
    assert.equal(await page.getAttribute('#status', 'role'), 'status');
    assert.match(await page.textContent('#status'), /^Done: gather/);
    // After Run (and the form's own tools below it), Tab moves on into the results.
    await page.focus('#run');
    const after = [];
    for (let i = 0; i < 4 && !await page.evaluate(() => document.getElementById('results').contains(document.activeElement)); i++) {
      await page.keyboard.press('Tab');
      after.push(await focused());
    }
    assert.ok(await page.evaluate(() => document.getElementById('results').contains(document.activeElement)),
      `after Run, Tab went to ${after.join(' → ')}`);
  });
});

test('every control has a label, and colours are not the only cue', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'gather', {tasks: 3});
    assert.equal(result.state, 'done', result.error);
    const unnamed = await page.$$eval('input, select, textarea, button, [role="option"], a[href]', (els) => els
      .filter((el) => el.getClientRects().length || el.classList.contains('skip-link'))
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim()))
      .map((el) => el.outerHTML.slice(0, 120)));
    assert.deepEqual(unnamed, []);
    // Checks carry a mark, not only a colour.
    for (const row of result.checks) assert.match(row, /^[✓✗•]/, `check row ${row}`);
    // Each bar of the wall-time chart is named beside it.
    const labels = await page.$$eval('#comparison svg text', (ts) => ts.map((t) => t.textContent));
    assert.ok(labels.some((t) => t.startsWith('this run')) && labels.some((t) => t.startsWith('native')), `chart text: ${labels.join(' | ')}`);
  }, {viewport: LAPTOP});
});
