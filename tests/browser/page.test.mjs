// End-to-end test of the page: real engine (WASM), real server, Debian's Chromium.
//
//   SAMOVAR_URL=http://127.0.0.1:8123/ node --test tests/browser/
// or let the test start the server itself:
//   SAMOVAR_BIN=build/native/native/samovar SAMOVAR_PAGE_DIR=build/wasm/page \
//   SAMOVAR_RESULTS=build/native/results/native.json node --test tests/browser/
// Optional: CHROMIUM (default /usr/bin/chromium), SCREENSHOT (path of a PNG of the finished gather run);
// SCREENSHOT_DEADLOCK, _GIL, _ENCRYPT, _PROCESSES, _FAILED, _TRUNCATED, _LOADED and _REPEAT for
// those tests' pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, runScenario, checkShown, guideRows, metricRange, linesText, assertChecksPassed, SLOW_STEP, RUN_TIMEOUT_MS } from './harness.mjs';

test('gather with 3 tasks: output, checks, timeline and native comparison', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true, 'page is not cross-origin isolated (COOP/COEP headers)');
    assert.equal(await page.evaluate(() => typeof globalThis.Plot?.plot), 'function', 'vendor/plot.umd.min.js did not load');
    const defaultSelected = await page.$eval('#scenarios [data-scenario="gather"]', (li) => li.classList.contains('selected'));
    assert.ok(defaultSelected, 'gather is not the default scenario');

    assert.equal(await page.inputValue('#repeat'), '3', 'the page\'s compare repeats 3 times by default');
    const result = await runScenario(page, 'gather', {tasks: 3}, undefined, {repeat: 3});
    if (process.env.SCREENSHOT) await page.screenshot({path: process.env.SCREENSHOT, fullPage: true});
    assert.equal(result.state, 'done', `run ended in state ${result.state}: ${result.error}`);

    // Guide 2.3: all three start brewing, in order, before any is ready; then they are ready in the same order.
    assert.deepEqual(guideRows(result).map((r) => `${r.who}: ${r.text}`), [
      'task 1: Brewing Masala chai...',
      'task 2: Brewing Green chai...',
      'task 3: Brewing Ginger chai...',
      'task 1: Masala chai is ready...',
      'task 2: Green chai is ready...',
      'task 3: Ginger chai is ready...',
    ], `lines:\n${linesText(result.rows)}`);
    assert.equal(checkShown(result.checks, 'concurrent'), true, `checks: ${result.checks.join(' | ')}`);
    assert.ok(await page.isVisible('#checks li.pass >> text=concurrent'), 'the concurrent check is not shown as passed');
    // The metrics panel shows the report's metrics with their values.
    for (const [name, shown] of [['tasks', '3'], ['peak_concurrent_sleeps', '3'], ['lines_dropped', '0'], ['spans_dropped', '0']]) {
      assert.equal(result.metrics[name]?.shown, shown, `metric ${name}; metrics shown: ${JSON.stringify(result.metrics)}`);
      assert.equal(result.metrics[name].warn, false, `metric ${name} is flagged`);
    }
    assert.ok(await page.isVisible('#metrics'), 'the metrics panel is not visible');

    const lanes = JSON.parse(await page.getAttribute('#timeline', 'data-lanes'));
    for (const lane of ['task 1', 'task 2', 'task 3']) assert.ok(lanes.includes(lane), `timeline lanes ${JSON.stringify(lanes)} lack "${lane}"`);
    assert.ok(await page.$('#timeline svg'), 'timeline chart not drawn');

    // Served by samovar serve: the same request ran natively too, and is shown beside this run.
    const comparison = await page.evaluate(() => ({...document.getElementById('comparison').dataset}));
    assert.equal(comparison.native, 'live', `no native run: ${await page.textContent('#comparison')}`);
    assert.ok(Number(comparison.nativeWallS) > 0, `data-native-wall-s = ${comparison.nativeWallS}`);
    assert.ok(Number(comparison.wasmWallS) > 0, `data-wasm-wall-s = ${comparison.wasmWallS}`);
    assert.match(await page.textContent('#wall-summary'), /median of 3, .*median of 3, /);
    assert.ok(await page.$('#comparison svg'), 'no wall-time chart');
    // The headline metric, both sides, and the two runs' lines matched row by row.
    const sleeps = await page.$$eval('#headline tr[data-metric="peak_concurrent_sleeps"] td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(sleeps.slice(0, 2), ['3', '3'], `headline row: ${sleeps}`);
    assert.equal(sleeps.at(-1), '1.00×');
    const columns = await page.$$eval('#output-columns tbody tr', (trs) => trs.map((tr) => [tr.className, ...[...tr.cells].slice(1).map((td) => td.textContent)]));
    const guideColumns = columns.filter(([, left, right]) => !SLOW_STEP.test(left.replace(/^asyncio: /, '')) && !SLOW_STEP.test(right.replace(/^asyncio: /, '')));
    assert.deepEqual(guideColumns.map(([kind]) => kind), Array(6).fill('same'), JSON.stringify(columns));
    assert.deepEqual(guideColumns[0].slice(1), ['task 1: Brewing Masala chai...', 'task 1: Brewing Masala chai...']);

    const conditions = await page.textContent('#conditions');
    assert.match(conditions, /cross-origin isolated: yes/);
    assert.match(conditions, /timer resolution: /);
    assert.match(conditions, /cores: \d+ here .*, \d+ native/);

  });
});

test('tasks=0 is rejected and the error names params.tasks', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'gather', {tasks: 0});
    assert.equal(result.state, 'error', `state ${result.state}; error shown: ${JSON.stringify(result.error)}`);
    assert.match(result.error, /^bad_request: .*params\.tasks\b/, `error shown: ${JSON.stringify(result.error)}`);
    assert.ok(await page.isVisible('#error'), 'error is not visible');
    assert.match(result.status, /Request rejected \(bad_request\)/);
    assert.match(result.summary, /— rejected$/);
    assert.equal(await page.getAttribute('#param-tasks', 'aria-invalid'), 'true', 'the tasks box is not marked invalid');
    // Nothing ran: no output, and no checks or timeline of a run.
    assert.deepEqual(result.rows, []);
    assert.equal(await page.isVisible('#checks'), false, 'checks shown for a request that did not run');
    assert.equal(await page.isVisible('#timeline'), false, 'timeline shown for a request that did not run');
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

// With hold > 0 both tasks hold their first lock before either asks for its second, so a
// deadlock is certain however the threads are scheduled: the default run (hold 0.1 guide s) and
// a hold of 0.001 guide s (0.1 ms here, far less than a thread may wait to be scheduled on a
// loaded machine) both deadlock. Nothing here depends on a thread starting within the hold.
test('deadlock in the page: the cycle is found, reported, drawn, and the run ends', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    for (const params of [{}, {hold: 0.001, fix: 'none'}]) {
      const label = `deadlock ${JSON.stringify(params)}`;
      const {state, error, rows, checks, metrics} = await runScenario(page, 'deadlock', params);
      if (process.env.SCREENSHOT_DEADLOCK && !Object.keys(params).length) await page.screenshot({path: process.env.SCREENSHOT_DEADLOCK, fullPage: true});
      // A detected and broken deadlock is a finding, not a failed run.
      assert.equal(state, 'done', `${label}: run ended in state ${state}: ${error}`);
      const texts = rows.map((r) => r.text);
      const listing = `${label}: lines:\n${linesText(rows)}`;
      // Each task took its first lock, and neither got its second.
      assert.ok(texts.includes('Task 1 acquired lock a'), listing);
      assert.ok(texts.includes('Task 2 acquired lock b'), listing);
      assert.ok(!texts.includes('Task 1 acquired lock b') && !texts.includes('Task 2 acquired lock a'), listing);
      assert.ok(texts.includes('Deadlock detected: Task 1 holds lock_a and waits for lock_b; Task 2 holds lock_b and waits for lock_a; both waits failed with DeadlockError'),
        listing);
      assert.equal(checkShown(checks, 'deadlock_detected'), true, `${label}: checks: ${checks.join(' | ')}`);
      // Not completing is what the guide's code should show: a pass, not a red cross.
      assert.equal(checkShown(checks, 'completed'), true, `${label}: checks: ${checks.join(' | ')}`);
      assert.ok(checks.includes('✓completed: no, as this variant should'), `${label}: checks: ${checks.join(' | ')}`);
      assert.equal(metrics.tasks_completed?.shown, '0', `${label}: metrics: ${JSON.stringify(metrics)}`);
      // The default hold, 0.1 guide s at scale 0.1.
      if (!Object.keys(params).length) assert.equal(metrics.hold_s?.shown, '0.01', `${label}: metrics: ${JSON.stringify(metrics)}`);
      const lanes = await timelineLanes(page);
      for (const lane of ['Task 1', 'Task 2', 'lock_a', 'lock_b']) assert.ok(lanes.includes(lane), `${label}: lanes ${JSON.stringify(lanes)} lack "${lane}"`);
      const cycle = JSON.parse(await page.getAttribute('#timeline', 'data-deadlock'));
      assert.deepEqual(cycle.map((d) => `${d.lane}>${d.waits_for}>${d.held_by}`).sort(), ['Task 1>lock_b>Task 2', 'Task 2>lock_a>Task 1'], label);
      assert.match(await page.textContent('#timeline-note'), /Deadlock at .*Task 1 waits for lock_b, held by Task 2/, label);
    }
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

// Output times are the report's t_s as drawn (3 decimals); a sleep never ends early, so each
// lower bound below holds on any machine however loaded. SLACK covers the rounding and the
// clock's resolution.
const SLACK_S = 0.005;

test('the model control: gather under the sequential model brews one chai at a time', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'gather', {tasks: 3, delay: 3}, 'sequential');
    const {state, error, summary, checks, metrics} = result;
    const rows = guideRows(result);
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.match(summary, /^gather · sequential · /, 'the run summary does not name the sequential model');
    assert.deepEqual(rows.map((r) => r.text), [
      'Brewing Masala chai...', 'Masala chai is ready...',
      'Brewing Green chai...', 'Green chai is ready...',
      'Brewing Ginger chai...', 'Ginger chai is ready...',
    ], `lines:\n${linesText(rows)}`);
    // 3 guide s at scale 0.1 each, one after another: the n-th chai cannot be ready before n × 0.3 s.
    rows.filter((r) => r.text.endsWith('is ready...')).forEach((r, i) => {
      assert.ok(r.t >= 0.3 * (i + 1) - SLACK_S, `"${r.text}" at ${r.t} s, before ${0.3 * (i + 1)} s:\n${linesText(rows)}`);
    });
    // Nothing overlaps one after another: what the sequential model should show, so a pass.
    assert.equal(checkShown(checks, 'concurrent'), true, `checks: ${checks.join(' | ')}`);
    assert.ok(checks.includes('✓concurrent: no, as this variant should'), `checks: ${checks.join(' | ')}`);
    assert.ok(await page.isVisible('#checks li.pass >> text=concurrent'), 'the concurrent check is not shown as passed');
    assert.equal(metrics.peak_concurrent_sleeps?.shown, '1', `metrics: ${JSON.stringify(metrics)}`);
  });
});

// Scale multiplies every guide duration. A sleep never ends early, so the long run's lower
// bound is exact; the short run's bound is 50 times what its sleeps take, and still far below
// what they would take at the default scale (3 s), so it tells a scale that was used from one that was ignored.
test('the scale control: the report carries the scale, and sleeps last guide seconds × scale', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const long = await runScenario(page, 'gather', {tasks: 2, delay: 1}, 'asyncio', {scale: 1});
    assert.equal(long.state, 'done', `scale 1 ended in state ${long.state}: ${long.error}`);
    assert.match(long.summary, / · scale 1 · seed 1 — wall /, `run summary: ${long.summary}`);
    assert.match(long.timelineNote, /scale 1: 1 guide second = 1 s here/, `timeline note: ${long.timelineNote}`);
    const longReady = long.rows.filter((r) => r.text.endsWith('is ready...'));
    assert.equal(longReady.length, 2, `lines:\n${linesText(long.rows)}`);
    for (const r of longReady) assert.ok(r.t >= 1 - SLACK_S, `at scale 1 a 1 guide s brew was ready at ${r.t} s:\n${linesText(long.rows)}`);

    const short = await runScenario(page, 'gather', {tasks: 2, delay: 30}, 'asyncio', {scale: 0.001});
    assert.equal(short.state, 'done', `scale 0.001 ended in state ${short.state}: ${short.error}`);
    assert.match(short.summary, / · scale 0\.001 · seed 1 — wall /, `run summary: ${short.summary}`);
    assert.match(short.timelineNote, /scale 0\.001: 1 guide second = 0\.001 s here/, `timeline note: ${short.timelineNote}`);
    const shortReady = short.rows.filter((r) => r.text.endsWith('is ready...'));
    assert.equal(shortReady.length, 2, `lines:\n${linesText(short.rows)}`);
    for (const r of shortReady) {
      assert.ok(r.t >= 0.03 - SLACK_S, `at scale 0.001 a 30 guide s brew was ready at ${r.t} s, before 0.03 s`);
      assert.ok(r.t < 1.5, `at scale 0.001 a 30 guide s brew (0.03 s) was ready only at ${r.t} s: was the scale applied?`);
    }
  });
});

// The page's deadline box sets the request's deadline_s; a run past it fails (error code
// "deadline") and the page says so, keeps what was printed before, and can run again.
test('a failed run: gather past its deadline shows the error, state error', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    // 60 guide s at scale 2 is 120 s of brewing; the deadline is 0.5 s. If the deadline did not
    // stop the run, the wait below gives up after RUN_TIMEOUT_MS and the test fails.
    const failed = await runScenario(page, 'gather', {tasks: 3, delay: 60}, 'asyncio', {scale: 2, deadline: 0.5});
    if (process.env.SCREENSHOT_FAILED) await page.screenshot({path: process.env.SCREENSHOT_FAILED, fullPage: true});
    assert.equal(failed.state, 'error', `state ${failed.state}; error shown: ${JSON.stringify(failed.error)}`);
    assert.match(failed.error, /^deadline: .*0\.5 s/, `error shown: ${JSON.stringify(failed.error)}`);
    assert.ok(await page.isVisible('#error'), 'error is not visible');
    assert.match(failed.status, /Run failed \(deadline\)/, `status: ${failed.status}`);
    assert.match(failed.summary, /— failed \(deadline\)$/, `run summary: ${failed.summary}`);
    // What the run printed before it was stopped is kept: every brew started, none finished.
    assert.deepEqual(guideRows(failed).map((r) => r.text), ['Brewing Masala chai...', 'Brewing Green chai...', 'Brewing Ginger chai...'],
      `lines:\n${linesText(failed.rows)}`);
    assert.equal(await page.$('[aria-invalid="true"]'), null, 'a field is marked invalid for a run that failed');

    const again = await runScenario(page, 'gather', {tasks: 3, delay: 3}, 'asyncio', {scale: 0.1, deadline: 60});
    assert.equal(again.state, 'done', `the run after the failure ended in state ${again.state}: ${again.error}`);
    assert.equal(again.error, '');
    assert.equal(guideRows(again).length, 6, `lines:\n${linesText(again.rows)}`);
  });
});

test('without a native runner (a static host) the nearest recorded request is named, and one click loads one', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await page.route('**/api/run', (route) => route.fulfill({status: 404, contentType: 'text/plain', body: 'not found'}));
    const params = {tasks: 2, delay: 1.5, blocking: false};
    // The premise, from the very file the page reads: nothing recorded for this request.
    const native = await page.evaluate(async () => (await fetch('/results/native.json', {cache: 'no-cache'})).json());
    assert.equal(native.schema_version, 1);
    const recordedGather = native.results.filter((r) => r.scenario === 'gather' && r.model === 'asyncio');
    assert.ok(recordedGather.length > 0, 'native.json has no gather record');
    assert.equal(recordedGather.filter((r) => r.params?.tasks === 2 && r.params?.delay === 1.5).length, 0);

    const {state, error} = await runScenario(page, 'gather', params, 'asyncio', {scale: 0.1});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'nearest');
    const text = await page.textContent('#comparison');
    assert.match(text, /Not run natively: this host has no native runner \(\/api\/run answered HTTP 404\)\./, text);
    assert.match(text, /Native: the nearest recorded request, gather · asyncio · .* \(.*tasks \d+ recorded, 2 here.*\)\./, text);
    assert.ok(await page.$('#comparison svg'), 'no chart beside the nearest record');

    // One click loads a recorded request into the form and runs it: now an exact match.
    const buttons = await page.$$('#comparison button.load-recorded');
    assert.ok(buttons.length >= 1, text);
    const label = await buttons[0].textContent();
    await buttons[0].click();
    const loaded = await page.waitForFunction(() => document.body.dataset.state === 'done'
      && document.getElementById('comparison').dataset.native === 'recorded', null, {timeout: RUN_TIMEOUT_MS}).then(() => true, () => false);
    assert.ok(loaded, `after loading ${label}: state ${await page.evaluate(() => document.body.dataset.state)}; ${await page.textContent('#comparison')}`);
  });
});

test('native.json with an unknown schema_version is rejected visibly, and the run still shows', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    // A record that would match the run, so only the schema_version can keep the page from using it.
    const body = JSON.stringify({
      schema_version: 999,
      recorded_at: '2026-01-01T00:00:00Z',
      machine: {cores: 2, os: 'Linux', timer_resolution_s: 1e-9},
      results: [{scenario: 'gather', model: 'asyncio', params: {tasks: 3, delay: 3, blocking: false}, scale: 0.1, seed: 1, wall_s: 0.3}],
    });
    let served = 0;
    await page.route('**/api/run', (route) => route.fulfill({status: 404, contentType: 'text/plain', body: 'not found'}));
    await page.route('**/results/native.json', (route) => {
      served++;
      return route.fulfill({status: 200, contentType: 'application/json', body});
    });
    const result = await runScenario(page, 'gather', {tasks: 3, delay: 3}, 'asyncio', {scale: 0.1});
    const {state, error, checks} = result;
    const rows = guideRows(result);
    assert.ok(served > 0, 'the page never asked for /results/native.json');
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.equal(rows.length, 6, `lines:\n${linesText(rows)}`);
    assert.equal(checkShown(checks, 'concurrent'), true, `checks: ${checks.join(' | ')}`);
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'missing');
    const rejection = await page.textContent('#comparison .error');
    assert.equal(rejection, 'Native results could not be read: results/native.json has schema_version 999; this page reads only 1.');
    assert.ok(await page.isVisible('#comparison .error'), 'the rejection is not visible');
    assert.match(await page.textContent('#conditions'), /native unknown/);
    assert.equal(await page.$('#comparison svg'), null, 'a comparison chart was drawn from a file of an unknown schema');
  });
});

// 20,000 tasks print 40,000 lines, past the engine's max_lines (10,000), and would record 60,002
// spans, past max_spans (50,000); the page draws 500 lines and 40 lanes. Each cut is said in words.
test('truncation notes: dropped lines and spans, and what the page does not draw', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, rows, outputNote, metrics, timelineNote, checks} = await runScenario(page, 'gather', {tasks: 20000, delay: 3}, 'asyncio', {scale: 0.1});
    if (process.env.SCREENSHOT_TRUNCATED) await page.screenshot({path: process.env.SCREENSHOT_TRUNCATED, fullPage: true});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.equal(checkShown(checks, 'concurrent'), true, `checks: ${checks.join(' | ')}`);
    assert.equal(rows.length, 500);
    assert.ok(outputNote.includes('First 500 of 10,000 lines shown; 9,500 more lines not shown.'), `output note: ${outputNote}`);
    // 40,000 guide lines, and one per slow loop step (see guideRows), past the first 10,000.
    const linesDropped = (30_000 + Number(metrics.slow_steps?.shown)).toLocaleString('en-US');
    assert.deepEqual(metrics.lines_dropped, {shown: linesDropped, warn: true}, `metrics: ${JSON.stringify(metrics)}`);
    assert.ok(outputNote.includes(`The engine dropped ${linesDropped} further lines to bound memory (metrics.lines_dropped = ${linesDropped}).`), `output note: ${outputNote}`);
    assert.equal(metrics.peak_concurrent_sleeps?.shown, '20,000', `metrics: ${JSON.stringify(metrics)}`);
    const spansDropped = Number(metrics.spans_dropped?.shown.replaceAll(',', ''));
    assert.ok(spansDropped >= 10_002, `metrics.spans_dropped shown as ${metrics.spans_dropped?.shown}`);
    assert.equal(metrics.spans_dropped.warn, true);
    assert.ok(timelineNote.includes(`The engine dropped ${spansDropped.toLocaleString('en-US')} spans (metrics.spans_dropped).`), `timeline note: ${timelineNote}`);
    assert.match(timelineNote, /Showing the first 40 of the trace's [\d,]+ lanes; [\d,]+ lanes not drawn\./, `timeline note: ${timelineNote}`);
    assert.equal((await timelineLanes(page)).length, 40);
  });
});

test('scale in the page: what a task costs, and the threading model\'s own costs', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const tasks = await runScenario(page, 'scale', {tasks: 2000, delay: 0.5, switches: 10000});
    assert.equal(tasks.state, 'done', `run ended in state ${tasks.state}: ${tasks.error}`);
    assert.equal(tasks.lines.length, 2, `lines:\n${tasks.lines.join('\n')}`);
    assert.ok(tasks.lines[0].includes('2000 tasks gathered, each sleeping 0.050 s: '), tasks.lines[0]);
    assert.ok(tasks.lines[1].includes('10000 suspend/resume through the loop (sleep(0)): '), tasks.lines[1]);
    assertChecksPassed(tasks.checks, ['all_tasks_finished']);
    for (const name of ['overhead_us_per_task', 'bytes_per_task', 'switch_ns']) {
      assert.ok(tasks.metrics[name], `metrics panel lacks ${name}: ${JSON.stringify(tasks.metrics)}`);
      assert.ok(Number.parseFloat(tasks.metrics[name].shown.replace(/,/g, '')) >= 0, `${name}: ${tasks.metrics[name].shown}`);
    }

    const threads = await runScenario(page, 'scale', {tasks: 200, switches: 1000}, 'threading');
    assert.equal(threads.state, 'done', `run ended in state ${threads.state}: ${threads.error}`);
    assert.equal(threads.lines.length, 3, `lines:\n${threads.lines.join('\n')}`);
    assert.ok(threads.lines[0].includes('200 calls through a ThreadPoolExecutor, one at a time: '), threads.lines[0]);
    assertChecksPassed(threads.checks, ['lock_free_at_end']);
    for (const name of ['pool_round_trip_us', 'lock_acquire_release_ns', 'thread_start_join_us'])
      assert.ok(threads.metrics[name], `metrics panel lacks ${name}: ${JSON.stringify(threads.metrics)}`);
  });
});

test('compare in the page: Table 4 as a table (every cell) and a chart', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error, checks} = await runScenario(page, 'compare', {rows: 'cpu', work: 4}, undefined, {scale: 0.02});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.ok(checkShown(checks, 'cpu/order_agrees_with_guide') !== undefined, `checks: ${checks}`);
    const table = await page.evaluate(() => ({
      head: [...document.querySelectorAll('#compare-table th')].map((th) => th.textContent),
      cells: [...document.querySelectorAll('#compare-table tbody td')].map((td) => td.textContent),
      chart: Boolean(document.querySelector('#compare-table .chart svg')),
    }));
    assert.deepEqual(table.head, ['workload', 'Sequential', 'Asyncio', 'Threading (GIL)', 'Threading, GIL off', 'Multiprocessing']);
    assert.equal(table.cells.length, 6);
    assert.equal(table.cells[0], 'CPU-intensive calculation');
    for (const cell of table.cells.slice(1)) assert.match(cell, /^[\d.]+s.*ideal [\d.]+s/, `cell ${cell}`);
    assert.match(table.cells[1], /the guide says 8 s/);
    assert.ok(table.chart, 'a chart beside the table');
  });
});

test('the spec editor: a workload written in the page runs; a bad field is named', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await page.click('#scenarios [data-scenario="workload"]');
    const spec = {version: 1, tasks: [{name: 'one', steps: [{step: 'print', text: 'hello'}, {step: 'sleep', seconds: 1}]},
      {name: 'two', steps: [{step: 'sleep', seconds: 1}]}]};
    await page.fill('#spec', JSON.stringify(spec));
    const ran = await runScenario(page, 'workload', {}, 'asyncio');
    assert.equal(ran.state, 'done', `run ended in state ${ran.state}: ${ran.error}`);
    assert.ok(ran.lines.some((l) => l.endsWith('hello')), `lines:\n${ran.lines.join('\n')}`);
    assert.equal(ran.metrics.peak_sleep?.shown, '2');
    spec.tasks[1].steps[0].seconds = 'x';
    await page.fill('#spec', JSON.stringify(spec));
    const bad = await runScenario(page, 'workload');
    assert.equal(bad.state, 'error');
    assert.match(bad.error, /spec\.tasks\[1\]\.steps\[0\]\.seconds/);
  });
});

test('scale\'s sweep in the page: per-unit time and memory drawn on log axes beside the native sweep', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    assert.equal(await page.isVisible('#sweep'), false, 'the sweep section shows before a sweep');
    const {state, error, rows} = await runScenario(page, 'scale', {sweep_to: 1000, delay: 1}, 'asyncio', {scale: 0.05});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.deepEqual(rows.map((r) => r.text.replace(/:.*/, '')), ['10 coroutines waiting at once', '100 coroutines waiting at once', '1000 coroutines waiting at once']);
    assert.equal(await page.getAttribute('#sweep', 'data-points'), '3');
    assert.equal((await page.$$('#sweep .sweep-charts > figure')).length, 2, 'the two log-axis charts are not drawn');
    assert.match(await page.textContent('#sweep'), /Memory here: the module's heap in use\. native: resident memory of the process and its children\./);
  });
});

// `samovar bench --quick` (the fixture) records CPython's sweep to 100,000 coroutines.
test('scale\'s sweep in the page: CPython\'s recorded sweep drawn as a third curve', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const {state, error} = await runScenario(page, 'scale', {sweep_to: 100000, delay: 1}, 'asyncio', {scale: 0.1});
    assert.equal(state, 'done', `run ended in state ${state}: ${error}`);
    assert.equal(await page.getAttribute('#sweep', 'data-points'), '5');
    const text = await page.textContent('#sweep');
    assert.match(text, /CPython: resident memory of the process and its children\./);
    assert.doesNotMatch(text, /No sweep from[^.]*CPython/);
    // Each chart's legend names the three series, and each draws a line per series.
    for (const figure of await page.$$('#sweep .sweep-charts > figure')) {
      assert.match(await figure.textContent(), /CPython/);
      assert.ok((await figure.$$('[aria-label="line"] path')).length >= 3, 'a line per series');
    }
  });
});

// A recorded workload request carries its spec; loading it must put that spec in the editor
// (and its seed and repeat in the form), so that the run is the recorded request exactly.
test('loading a recorded workload request restores its spec, and the run is that request', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const spec = {version: 1, tasks: [
      {name: 'kettle', steps: [{step: 'print', text: 'kettle on'}, {step: 'sleep', seconds: 1}, {step: 'cpu', units: 2}]},
      {name: 'cups', steps: [{step: 'print', text: 'cups out'}, {step: 'sleep', seconds: 1}]}]};
    // A real native record of that spec, added to the results file the page reads.
    const record = await page.evaluate(async (spec) => (await fetch('/api/run', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({schema_version: 1, scenario: 'workload', model: 'threading', params: {gil: false}, scale: 0.05, seed: 7, repeat: 2, spec})})).json(), spec);
    assert.equal(record.error, undefined, JSON.stringify(record.error));
    assert.deepEqual(record.spec, spec);
    const file = await page.evaluate(async () => (await fetch('/results/native.json', {cache: 'no-cache'})).json());
    file.results.push(record);
    await page.route('**/results/native.json', (route) => route.fulfill({status: 200, contentType: 'application/json', body: JSON.stringify(file)}));
    // As on a static host: no native run, so the comparison is with a record, exact only when the
    // whole request is. The requests the page would have run natively are kept to compare.
    const sent = [];
    await page.route('**/api/run', (route) => {
      sent.push(route.request().postDataJSON());
      return route.fulfill({status: 404, contentType: 'text/plain', body: 'not found'});
    });

    // The editor's own spec: the record differs in its spec, and the page says so.
    const first = await runScenario(page, 'workload', {}, 'threading');
    assert.equal(first.state, 'done', `run ended in state ${first.state}: ${first.error}`);
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'nearest');
    const text = await page.textContent('#comparison');
    assert.match(text, /spec of 2 tasks \(kettle, cups\) recorded, spec of 3 tasks \(Masala chai, Ginger chai, Green chai\) here/, text);

    const button = page.locator('#comparison button.load-recorded', {hasText: 'kettle'});
    assert.equal(await button.count(), 1, text);
    assert.equal(await button.textContent(), 'threading · gil=false · scale 0.05 · seed 7 · spec of 2 tasks (kettle, cups)');
    await button.click();
    const loaded = await page.waitForFunction(() => document.body.dataset.state === 'done'
      && document.getElementById('comparison').dataset.native === 'recorded', null, {timeout: RUN_TIMEOUT_MS}).then(() => true, () => false);
    assert.ok(loaded, `after loading: state ${await page.evaluate(() => document.body.dataset.state)}; ${await page.textContent('#comparison')}`);
    if (process.env.SCREENSHOT_LOADED) await page.screenshot({path: process.env.SCREENSHOT_LOADED, fullPage: true});
    assert.deepEqual(JSON.parse(await page.inputValue('#spec')), spec);
    assert.equal(await page.inputValue('#seed'), '7');
    assert.equal(await page.inputValue('#repeat'), '2');
    const rows = await page.$$eval('#output li .text', (spans) => spans.map((s) => s.textContent));
    for (const line of ['kettle on', 'cups out']) assert.ok(rows.includes(line), `lines:\n${rows.join('\n')}`);
    // What the page ran (and sent to the native runner) is the recorded request.
    const ran = sent.at(-1);
    assert.deepEqual({scenario: ran.scenario, model: ran.model, params: ran.params, scale: ran.scale, seed: ran.seed, repeat: ran.repeat, trace: ran.trace, spec: ran.spec},
      {scenario: 'workload', model: 'threading', params: {gil: false}, scale: 0.05, seed: 7, repeat: 2, trace: 'spans', spec});
  });
});

// With repeat N the lines, checks and timeline are run 1's and the metrics the medians of the N
// runs: each panel says which it shows, and a metric the runs disagree on shows their range.
test('a repeated request: the metrics say they are medians with their ranges, the output, checks and timeline that they are run 1', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const headings = () => page.evaluate(() => ['output-heading', 'checks-heading', 'timeline-heading', 'metrics-heading']
      .map((id) => document.getElementById(id).textContent.trim()));
    const repeated = await runScenario(page, 'race', {threads: 2, increments: 100000, sync: 'none'}, 'threading', {repeat: 3});
    if (process.env.SCREENSHOT_REPEAT) await page.screenshot({path: process.env.SCREENSHOT_REPEAT, fullPage: true});
    assert.equal(repeated.state, 'done', `run ended in state ${repeated.state}: ${repeated.error}`);
    assert.deepEqual(await headings(), ['Output · run 1 of 3', 'Checks · run 1 of 3', 'Timeline · run 1 of 3', 'Metrics · median of 3 runs']);
    assert.match(await page.textContent('#metrics-note'), /^Each metric is the median of 3 runs, with \(least–most\) where they differ\. The output, checks and timeline are run 1's/);
    assert.match(repeated.summary, /— wall \S+s, the median of 3 runs \(\S+s–\S+s\), on WASM /, repeated.summary);
    // A timed figure differs between runs: the median shown lies within the range beside it.
    const perIncrement = repeated.metrics.ns_per_increment;
    assert.ok(perIncrement?.range, `metrics: ${JSON.stringify(repeated.metrics)}`);
    const [least, most] = metricRange(perIncrement);
    const median = Number(perIncrement.shown.replaceAll(',', ''));
    assert.ok(least < most && least <= median && median <= most, JSON.stringify(perIncrement));
    // One every run agrees on has none.
    assert.deepEqual(repeated.metrics.expected, {shown: '200,000', warn: false});
    // Beside the native run: medians in the headline table, each side's run 1 in the output columns.
    assert.match(await page.textContent('#headline caption'), /^Each side's median over its runs, with \(least–most\) where they differ\.$/);
    assert.match(await page.textContent('#comparison details.side-output summary'), /^Output side by side \(each side's run 1\): /);

    const once = await runScenario(page, 'race', {}, 'threading', {repeat: 1});
    assert.equal(once.state, 'done', `run ended in state ${once.state}: ${once.error}`);
    assert.deepEqual(await headings(), ['Output', 'Checks', 'Timeline', 'Metrics']);
    assert.equal(await page.textContent('#metrics-note'), '');
    assert.equal(await page.$('#metrics .range'), null, 'a range shown for one run');
  });
});
