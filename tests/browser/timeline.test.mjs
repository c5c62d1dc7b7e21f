// The timeline: zoom and pan (wheel, drag, keys, Reset), a span's details on hover and keyboard focus,
// every lane in a row (its own or a density row), the marker where the engine's span budget ran out,
// and a redraw on resize. What the chart shows is read from #timeline's data attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, runScenario, screenshot } from './harness.mjs';

async function state(page) {
  return page.evaluate(() => {
    const d = document.getElementById('timeline').dataset;
    const json = (v) => (v === undefined ? undefined : JSON.parse(v));
    return {
      xDomain: json(d.xDomain), rows: json(d.rows), lanes: json(d.lanes), plot: json(d.plot),
      densityRows: Number(d.densityRows), stopped: d.stopped === undefined ? null : Number(d.stopped), width: Number(d.width),
    };
  });
}

const span = ([a, b]) => b - a;

// The timeline's card only: a whole page of 100,000 tasks' output is 13,000 px tall.
async function shoot(page, name) {
  const card = await page.$('section[aria-labelledby="timeline-heading"]');
  await card.scrollIntoViewIfNeeded();
  const box = await card.boundingBox();
  await screenshot(page, name, {fullPage: false, clip: {x: Math.max(0, box.x - 8), y: Math.max(0, box.y - 8), width: box.width + 16, height: box.height + 16}});
}

// The client point of time `t` in row `row`, with that row scrolled into the lanes' viewport.
async function pointAt(page, t, row) {
  const {xDomain: [x0, x1], plot} = await state(page);
  await page.$eval('.tl-viewport', (v, y) => { v.scrollTop = Math.max(0, y - v.clientHeight / 2); }, plot.top + row * plot.rowHeight);
  await page.$eval('#timeline', (el) => el.scrollIntoView({block: 'center'}));
  const box = await (await page.$('.tl-lanes')).boundingBox();
  return {x: box.x + plot.left + ((t - x0) / (x1 - x0)) * plot.width, y: box.y + plot.top + (row + 0.5) * plot.rowHeight};
}

async function hoverText(page, t, row) {
  const {x, y} = await pointAt(page, t, row);
  await page.mouse.move(x, y);
  await page.waitForFunction(() => !document.querySelector('#timeline .tl-tooltip').hidden, null, {timeout: 5_000});
  return page.textContent('#timeline .tl-tooltip');
}

// Waits until the chart's x domain is {narrowerThan: seconds}, {startsAfter: seconds} or {is: [a, b]}.
// The predicate is a function given its bound as an argument: a string predicate needs eval once it
// polls, which the page's Content-Security-Policy refuses (it failed whenever a redraw came a frame late).
async function waitForDomain(page, want, label) {
  await page.waitForFunction((w) => {
    const d = document.getElementById('timeline').dataset.xDomain;
    if (d === undefined) return false;
    const [a, b] = JSON.parse(d);
    if (w.narrowerThan !== undefined) return b - a < w.narrowerThan;
    if (w.startsAfter !== undefined) return a > w.startsAfter;
    return a === w.is[0] && b === w.is[1];
  }, want, {timeout: 15_000})
    .catch(async (e) => assert.fail(`${label}: x domain ${JSON.stringify((await state(page)).xDomain)} (${e.message})`));
  return (await state(page)).xDomain;
}

test('zoom and pan: the wheel zooms in, a drag pans, keys zoom and pan, Reset shows the whole run', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'gather');
    assert.equal(run.state, 'done', run.error);
    const full = (await state(page)).xDomain;
    assert.equal(full[0], 0);
    assert.equal(await page.isDisabled('#timeline .tl-reset'), true, 'Reset enabled before any zoom');

    const middle = await pointAt(page, (full[0] + full[1]) / 2, 1);
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.wheel(0, -400);
    const zoomed = await waitForDomain(page, {narrowerThan: 0.8 * span(full)}, 'after wheel in');
    assert.ok(zoomed[0] > full[0] && zoomed[1] < full[1], `zoomed ${zoomed} inside ${full}`);
    const axisTicks = await page.$$eval('#timeline .tl-axis svg text', (ts) => ts.map((t) => t.textContent));
    assert.ok(axisTicks.length > 2, `axis ticks ${axisTicks}`);
    await shoot(page, 'timeline-zoomed');

    // Dragging the chart to the left brings later time into view, at the same zoom.
    await page.mouse.move(middle.x, middle.y);
    await page.mouse.down();
    await page.mouse.move(middle.x - 60, middle.y, {steps: 4});
    await page.mouse.move(middle.x - 120, middle.y, {steps: 4});
    await page.mouse.up();
    const panned = await waitForDomain(page, {startsAfter: zoomed[0]}, 'after drag');
    assert.ok(Math.abs(span(panned) - span(zoomed)) < 1e-9 * Math.max(1, span(full)), `pan kept the zoom: ${panned} vs ${zoomed}`);

    await page.click('#timeline .tl-reset');
    assert.deepEqual(await waitForDomain(page, {is: full}, 'after Reset'), full);

    await page.focus('#timeline .tl-viewport');
    await page.keyboard.press('+');
    const keyed = await waitForDomain(page, {narrowerThan: 0.6 * span(full)}, 'after +');
    await page.keyboard.press('ArrowRight');
    await waitForDomain(page, {startsAfter: keyed[0]}, 'after →');
    await page.keyboard.press('0');
    await waitForDomain(page, {is: full}, 'after 0');
  });
});

test('hover, and keyboard focus, show a span\'s lane, state, object, holder, start and duration', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'deadlock');
    assert.equal(run.state, 'done', run.error);
    const {rows, xDomain: [x0, x1]} = await state(page);
    const row = rows.indexOf('Task 1');
    assert.ok(row >= 0, `rows ${rows}`);
    // Task 1 waits for lock_b, held by Task 2, until the deadlock is found: somewhere along its row.
    const texts = [];
    let blocked;
    for (let k = 19; k > 0 && !blocked; k -= 2) {
      texts.push(await hoverText(page, x0 + (k / 20) * (x1 - x0), row));
      if (texts.at(-1).includes('state: blocked') && texts.at(-1).includes('object: lock_b')) blocked = texts.at(-1);
    }
    assert.ok(blocked, `no wait for lock_b under the pointer along Task 1:\n${texts.join('\n--\n')}`);
    assert.match(blocked, /^Task 1: /);
    assert.match(blocked, /object: lock_b/);
    assert.match(blocked, /held by: Task 2/);
    assert.match(blocked, /start: [\d.]+m?s/);
    assert.match(blocked, /duration: [\d.]+m?s/);
    await shoot(page, 'timeline-hover');

    // Grey on white: the states' hatches and lightness keep them apart without colour.
    assert.ok(await page.$('#timeline .tl-lanes [fill="url(#tl-blocked)"]'), 'blocked spans are not hatched');
    assert.ok(await page.$('#timeline .tl-lanes [fill="url(#tl-held)"]'), 'held spans are not dotted');
    await page.addStyleTag({content: 'html { filter: grayscale(1); }'});
    await shoot(page, 'timeline-greyscale');

    await page.mouse.move(0, 0);
    // From the keyboard: focus the chart, then ↓ picks the first row, and the next.
    await page.focus('#timeline .tl-viewport');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => !document.querySelector('#timeline .tl-tooltip').hidden, null, {timeout: 5_000});
    // (Row 1 when the focus itself already showed row 0.)
    const first = await page.textContent('#timeline .tl-tooltip');
    const at = [0, 1].find((r) => first.startsWith(rows[r]));
    assert.ok(at !== undefined, `the keyboard cursor shows row 0 or 1 (${rows.slice(0, 2)}): ${first}`);
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((lane) => document.querySelector('#timeline .tl-tooltip').textContent.startsWith(lane), rows[at + 1], {timeout: 5_000});
  });
});

// A row label covers its lane, or "task 21–40" covers task 21 to task 40.
function covered(rows) {
  const names = new Set();
  for (const label of rows) {
    const m = /^(.*?)(\d+)–(\d+)$/.exec(label);
    if (!m) names.add(label);
    else for (let i = Number(m[2]); i <= Number(m[3]); i++) names.add(`${m[1]}${i}`);
  }
  return names;
}

test('gather with 1,000 tasks: every lane is in a row, its own or a density row, and nothing is cut', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'gather', {tasks: 1000});
    assert.equal(run.state, 'done', run.error);
    const {rows, lanes, densityRows} = await state(page);
    assert.ok(densityRows > 0, `rows ${rows}`);
    assert.ok(rows.length <= 70, `${rows.length} rows`);
    const names = covered(rows);
    const missing = lanes.filter((l) => !names.has(l));
    assert.deepEqual(missing, [], 'lanes in no row');
    // main and 1,000 tasks: the lanes the engine traced, and a row counting the ones it did not.
    const untraced = rows.map((r) => /^\+([\d,]+) lanes untraced$/.exec(r)).find(Boolean);
    assert.ok(lanes.length + Number(untraced?.[1].replaceAll(',', '') ?? 0) >= 1001, `${lanes.length} lanes, rows ${rows}`);
    assert.doesNotMatch(run.timelineNote, /not drawn/);
    assert.match(run.timelineNote, /a density row such as "task \d+–\d+" stands for [\d,]+ lanes/);
    const group = rows.findIndex((r) => /^task \d+–\d+$/.test(r));
    const {xDomain: [x0, x1]} = await state(page);
    const text = await hoverText(page, x0 + 0.3 * (x1 - x0), group);
    assert.match(text, /^task \d+–\d+ \([\d,]+ lanes\), .*: .*\d+% (waiting|running|with no span)/, text);
    await shoot(page, 'timeline-1000-tasks');
  });
});

test('gather with 100,000 tasks: density rows, drawn and zoomable', {timeout: 180_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'gather', {tasks: 100000}, 'asyncio', {scale: 0.01});
    assert.equal(run.state, 'done', run.error);
    const {rows, densityRows, xDomain: full} = await state(page);
    assert.ok(densityRows > 10, `rows ${rows}`);
    assert.ok(rows.length <= 70, `${rows.length} rows`);
    assert.ok(rows.some((r) => /^\+[\d,]+ lanes untraced$/.test(r)), `no row for the untraced lanes: ${rows}`);
    assert.match(run.timelineNote, /ran but have no spans/);
    await page.focus('#timeline .tl-viewport');
    await page.keyboard.press('+');
    await waitForDomain(page, {narrowerThan: 0.6 * span(full)}, 'after +');
    await shoot(page, 'timeline-100000-tasks');
  });
});

test('race with a lock: a marker where recording stopped, and the time after it hatched as unrecorded', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'race', {sync: 'lock'});
    assert.equal(run.state, 'done', run.error);
    const {stopped, xDomain: [x0, x1], plot} = await state(page);
    assert.ok(stopped !== null && stopped > 0 && stopped < x1, `trace_stopped_s ${stopped} in [0, ${x1}]`);
    const dropped = run.metrics.spans_dropped.shown;
    assert.ok(Number(dropped.replaceAll(',', '')) > 0);
    const label = await page.textContent('#timeline .tl-axis');
    assert.ok(label.includes(`recording stopped: ${dropped} spans dropped`), `axis: ${label}`);
    // The red line stands at trace_stopped_s on the lanes' time scale.
    const lineX = await page.$eval('#timeline .tl-lanes g[stroke="#b3261e"] line', (l) => Number(l.getAttribute('x1') ?? l.getAttribute('x')));
    const expected = plot.left + ((stopped - x0) / (x1 - x0)) * plot.width;
    assert.ok(Math.abs(lineX - expected) < 1.5, `marker at x=${lineX}, expected ${expected}`);
    assert.ok(await page.$('#timeline .tl-lanes [fill="url(#tl-unrecorded)"]'), 'no hatch after the stop');
    assert.match(run.timelineNote, /Recording stopped at [\d.]+m?s of [\d.]+m?s: the engine's span budget \(max_spans\) ran out/);
    const text = await hoverText(page, stopped + 0.5 * (x1 - stopped), 0);
    assert.match(text, /^Not recorded/);
    await shoot(page, 'timeline-recording-stopped');
  });
});

test('resize: the timeline redraws at the new width', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const run = await runScenario(page, 'gather');
    assert.equal(run.state, 'done', run.error);
    const before = (await state(page)).width;
    await page.setViewportSize({width: 900, height: 800});
    await page.waitForFunction((w) => Number(document.getElementById('timeline').dataset.width) < w, before, {timeout: 10_000});
    const after = (await state(page)).width;
    const drawn = await page.$$eval('#timeline svg.tl-lanes, #timeline .tl-axis svg', (svgs) => svgs.map((s) => Number(s.getAttribute('width'))));
    assert.deepEqual(drawn, [after, after]);
    assert.ok(after < before - 200, `width ${before} -> ${after}`);
    await shoot(page, 'timeline-resized');
  });
});
