// The decision guide ("Which model?", web/page/decide.js): every path of the guide's questions
// ends at the model the guide recommends, "Show me" selects the scenario and fills the request,
// and every figure shown is a value of the recorded results the server sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inPage, screenshot, RUN_TIMEOUT_MS } from './harness.mjs';
import { seconds, count } from '../../web/page/format.js';

// Every path, stated from the guide: the answers given, the model it recommends and where it says
// so, and the scenario that shows it (with the model it runs, where the scenario has several).
// The free-threaded path is samovar's: the guide never mentions Python without the GIL.
const PATHS = {
  'overlap:no': {model: 'sequential', scenario: 'gather', runs: 'sequential', why: '7.3 Start simple - single-threaded first'},
  'overlap:yes bound:io libs:async many:thousands': {model: 'asyncio', scenario: 'gather', runs: 'asyncio', why: '9 many concurrent operations; 5 Thousands of tasks'},
  'overlap:yes bound:io libs:async many:few': {model: 'asyncio', scenario: 'http-get', why: '5 Best for: I/O bound tasks'},
  'overlap:yes bound:io libs:blocking loop:yes': {model: 'asyncio', scenario: 'check-stock', why: '3.2 run_in_executor keeps the loop responsive'},
  'overlap:yes bound:io libs:blocking loop:no shared-threads:yes': {model: 'threading', scenario: 'race', runs: 'threading', why: '7.2 Always use locks for shared mutable data'},
  'overlap:yes bound:io libs:blocking loop:no shared-threads:no': {model: 'threading', scenario: 'compare', why: '5 Standard libraries work; 7.2 ThreadPoolExecutor'},
  'overlap:yes bound:cpu gil:gil shared-procs:no': {model: 'multiprocessing', scenario: 'encrypt', why: '9 Essential for CPU-bound tasks'},
  'overlap:yes bound:cpu gil:gil shared-procs:yes': {model: 'multiprocessing', scenario: 'race', runs: 'multiprocessing', why: '5 Communication: IPC mechanisms'},
  'overlap:yes bound:cpu gil:free': {model: 'threading', scenario: 'gil', why: 'samovar: no GIL, threads use every core'},
  'overlap:yes bound:mixed mixed:yes': {model: 'asyncio', scenario: 'health-monitor', why: '4.2 daemon thread + event loop'},
  'overlap:yes bound:mixed mixed:no': {model: 'threading', scenario: 'compare', why: '5 Best for: Mixed I/O + some CPU; 9 mixed workloads'},
};

async function openPanel(page) {
  await page.click('#decide summary');
  await page.waitForSelector('#decide fieldset[data-question="overlap"]');
}

// Presses an answer's button (a DOM click: the keyboard test drives real input; this keeps the
// walk over every path quick on a loaded machine).
async function press(page, question, id) {
  await page.$eval(`#decide fieldset[data-question="${question}"] button[data-answer="${id}"]`, (b) => b.click());
}

// Answers the questions in order ("question:answer ..."), returns the leaf's model and Show-me text.
async function answer(page, path) {
  for (const step of path.split(' ')) {
    const [question, id] = step.split(':');
    await press(page, question, id);
  }
  return page.evaluate(() => ({
    leaf: document.getElementById('decide').dataset.leaf,
    model: document.querySelector('#decide .decide-leaf')?.dataset.model,
    show: document.querySelector('#decide .decide-show')?.textContent,
    request: JSON.parse(document.querySelector('#decide .decide-show')?.dataset.request ?? 'null'),
  }));
}

// The figures of one side once loaded: label -> {text, value}.
async function figures(page, side) {
  await page.waitForFunction(() => !document.querySelector('#decide .decide-figures').textContent.startsWith('Reading'), null, {timeout: 10_000});
  return page.$$eval(`#decide .decide-side[data-side="${side}"] .decide-figure`, (spans) => spans.map((s) => ({
    label: s.dataset.label, text: s.textContent, value: s.dataset.value === undefined ? null : Number(s.dataset.value),
  })));
}

async function recorded(page) {
  return page.evaluate(async () => (await fetch('/results/native.json', {cache: 'no-cache'})).json());
}

function record(results, scenario, model, params, trace = 'spans') {
  const r = results.find((x) => x.scenario === scenario && x.model === model && (x.trace_level ?? 'spans') === trace
    && Number.isFinite(x.wall_s) && Object.entries(params).every(([k, v]) => x.params[k] === v));
  assert.ok(r, `no recorded ${scenario} ${model} ${JSON.stringify(params)}`);
  return r;
}

test('every path of the questions ends at the guide\'s model, and every path is reached', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    await openPanel(page);
    // Walks the panel's own tree: each question's every answer, depth first.
    const reached = {};
    const walk = async (prefix) => {
      const depth = prefix.length;
      const set = page.locator('#decide fieldset.decide-q').nth(depth);
      const question = await set.getAttribute('data-question');
      for (const id of await set.locator('button').evaluateAll((bs) => bs.map((b) => b.dataset.answer))) {
        await press(page, question, id);
        const path = [...prefix, `${question}:${id}`];
        assert.equal(await set.locator(`button[data-answer="${id}"]`).getAttribute('aria-pressed'), 'true');
        const leaf = await page.evaluate(() => document.getElementById('decide').dataset.leaf);
        if (leaf) {
          reached[path.join(' ')] = await page.evaluate(() => ({
            model: document.querySelector('#decide .decide-leaf').dataset.model,
            request: JSON.parse(document.querySelector('#decide .decide-show').dataset.request),
            reason: document.querySelector('#decide .decide-reason').textContent,
          }));
        } else {
          assert.ok(depth < 8, `no leaf after ${path.join(' ')}`);
          await walk(path);
        }
      }
    };
    await walk([]);
    assert.deepEqual(Object.keys(reached).sort(), Object.keys(PATHS).sort());
    for (const [path, want] of Object.entries(PATHS)) {
      assert.equal(reached[path].model, want.model, `${path}: ${want.why}`);
      assert.equal(reached[path].request.scenario, want.scenario, path);
      if (want.runs) assert.equal(reached[path].request.model, want.runs, path);
      assert.match(reached[path].reason, /guide §|see guide §/, `${path}: the reason names its section`);
    }
    // Pressing an earlier answer again keeps the later ones; changing it drops them.
    await answer(page, 'overlap:yes bound:cpu gil:gil');
    assert.equal(await page.locator('#decide fieldset.decide-q').count(), 4);
    await press(page, 'bound', 'cpu');
    assert.equal(await page.locator('#decide fieldset.decide-q').count(), 4);
    await press(page, 'bound', 'io');
    assert.deepEqual(await page.$$eval('#decide fieldset.decide-q', (s) => s.map((f) => f.dataset.question)), ['overlap', 'bound', 'libs']);
    assert.equal(await page.evaluate(() => document.getElementById('decide').dataset.leaf), '');
  });
});

test('the figures shown are the recorded results\' values, native and CPython', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    const file = await recorded(page);
    const native = file.results;
    const cpython = file.cpython.results;
    await openPanel(page);
    const shown = (list, label) => {
      const f = list.find((x) => x.label === label);
      assert.ok(f, `no figure "${label}" in ${JSON.stringify(list)}`);
      return f;
    };
    const same = (f, value, text) => {
      assert.equal(f.value, value, f.label);
      assert.ok(f.text.endsWith(text), `${f.label}: "${f.text}" vs ${text}`);
    };

    await answer(page, 'overlap:no');
    const gather3 = {tasks: 3, delay: 3, blocking: false};
    let n = await figures(page, 'native');
    for (const model of ['sequential', 'asyncio']) {
      const wall = record(native, 'gather', model, gather3).wall_s;
      same(shown(n, model), wall, seconds(wall));
    }
    const c = await figures(page, 'cpython');
    const cpyWall = record(cpython, 'gather', 'sequential', gather3).wall_s;
    same(shown(c, 'sequential'), cpyWall, seconds(cpyWall));
    assert.match(await page.textContent('#decide .decide-side[data-side="native"]'), new RegExp(`recorded ${file.recorded_at.slice(0, 10)}`));
    await screenshot(page, 'decide-sequential');

    // Table 4's cells as the compare report's own table gives them.
    await answer(page, 'overlap:yes bound:io libs:async many:few');
    n = await figures(page, 'native');
    const compare = record(native, 'compare', 'asyncio', {rows: 'all', models: 'all'});
    const http = compare.table.rows.find((r) => r.name.startsWith('3 HTTP requests'));
    for (const [label, column] of [['sequential', 'Sequential'], ['asyncio', 'Asyncio'], ['threading', 'Threading (GIL)']]) {
      const wall = http.cells[compare.table.columns.indexOf(column)].measured_s;
      assert.ok(n.some((f) => f.label === label && f.value === wall && f.text.endsWith(seconds(wall))), `Table 4 ${column}: ${JSON.stringify(n)}`);
    }

    await answer(page, 'overlap:yes bound:io libs:blocking loop:no shared-threads:yes');
    n = await figures(page, 'native');
    const race = {threads: 2, increments: 100000, gil: false, value: false};
    const lost = record(native, 'race', 'threading', {...race, sync: 'none'}).metrics.lost;
    same(shown(n, 'no lock'), lost, count(lost));
    same(shown(n, 'with a lock'), 0, '0');

    await answer(page, 'overlap:yes bound:cpu gil:free');
    n = await figures(page, 'native');
    const gil = record(native, 'gil', 'threading', {work: 1000000}).metrics;
    same(shown(n, 'GIL on'), gil.gil_on_s, seconds(gil.gil_on_s));
    same(shown(n, 'GIL off'), gil.gil_off_s, seconds(gil.gil_off_s));

    // No leaf shows a number that is not in the file: each is a wall time or metric of a record.
    const values = new Set();
    for (const r of [...native, ...cpython]) {
      values.add(r.wall_s);
      for (const v of Object.values(r.metrics ?? {})) values.add(v);
    }
    for (const path of Object.keys(PATHS)) {
      await answer(page, path);
      for (const side of ['native', 'cpython']) {
        for (const f of await figures(page, side)) {
          if (f.value !== null) assert.ok(values.has(f.value), `${path}: ${f.label} ${f.value} is not a recorded value`);
        }
      }
      assert.ok((await figures(page, 'native')).some((f) => f.value !== null), `${path}: no native figure`);
    }
  });
});

test('Show me selects the scenario with the recorded request, which the run then matches', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    await openPanel(page);
    await page.click('#scenarios [data-scenario="gather"]');
    await page.fill('#scale', '0.5');
    await answer(page, 'overlap:yes bound:io libs:blocking loop:no shared-threads:yes');
    await page.click('#decide .decide-show');
    const form = await page.evaluate(() => ({
      selected: document.querySelector('#scenarios li.selected')?.dataset.scenario,
      model: document.getElementById('model').value,
      sync: document.getElementById('param-sync').value,
      threads: document.getElementById('param-threads').value,
      gil: document.getElementById('param-gil').checked,
      scale: document.getElementById('scale').value,
      focused: document.activeElement?.id,
    }));
    assert.deepEqual(form, {selected: 'race', model: 'threading', sync: 'lock', threads: '2', gil: false, scale: '0.1', focused: 'run'});
    // The page's link follows the form it filled (share.js).
    await page.waitForFunction(() => /^#race\?.*sync=lock/.test(location.hash), null, {timeout: 10_000});
    // Run without the live native run: the page finds the recorded run of exactly this request.
    await page.setChecked('#native', false);
    await page.fill('#repeat', '1');
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    assert.equal(await page.getAttribute('#comparison', 'data-native'), 'recorded', await page.textContent('#comparison'));

    // Every leaf's request fills the form: each param it names is a field of its scenario, set so.
    for (const [path, want] of Object.entries(PATHS)) {
      const {show, request} = await answer(page, path);
      assert.equal(request.scenario, want.scenario);
      assert.ok(show.startsWith(`Show me: ${want.scenario}`), show);
      await page.$eval('#decide .decide-show', (b) => b.click());
      assert.equal(await page.evaluate(() => document.querySelector('#scenarios li.selected')?.dataset.scenario), request.scenario, path);
      assert.equal(await page.inputValue('#model'), request.model, path);
      assert.equal(await page.inputValue('#scale'), String(request.scale), path);
      for (const [name, value] of Object.entries(request.params)) {
        const field = await page.$(`#param-${name}`);
        assert.ok(field, `${path}: ${request.scenario} has no param ${name}`);
        const shownValue = await field.evaluate((el) => (el.type === 'checkbox' ? el.checked : el.value));
        assert.equal(shownValue, typeof value === 'boolean' ? value : String(value), `${path}: ${name}`);
      }
    }
  });
});

test('keyboard alone reaches a recommendation and Show me; the panel fits a phone width', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    await page.focus('#decide summary');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Enter');  // yes, I/O, async libraries, thousands
    assert.equal(await page.evaluate(() => document.getElementById('decide').dataset.leaf), 'asyncio-many');
    assert.equal(await page.evaluate(() => document.activeElement.closest('.decide-leaf') !== null), true, 'focus did not move to the recommendation');
    // 'toggle' comes a task after the summary is pressed: on a busy machine the answers can come
    // first (CI saw it). A late one must leave the focus where the reader is.
    await page.evaluate(() => document.getElementById('decide').dispatchEvent(new Event('toggle')));
    assert.equal(await page.evaluate(() => document.activeElement.closest('.decide-leaf') !== null), true, 'a late toggle took the focus');
    await figures(page, 'native');
    await screenshot(page, 'decide-phone');
    // The panel's content wraps to a phone's width: given 358 px (390 less the page's margins), it
    // needs no more. The column it gets at this width is the page layout's to give, and its test's.
    const fit = await page.$eval('#decide', (d) => {
      d.style.width = '358px';
      const out = {scroll: d.scrollWidth, client: d.clientWidth};
      d.style.width = '';
      return out;
    });
    assert.ok(fit.scroll <= fit.client, `the panel scrolls sideways: ${JSON.stringify(fit)}`);
    await page.keyboard.press('Tab');
    assert.match(await page.evaluate(() => document.activeElement.textContent), /^Show me: gather · asyncio \(/);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'run');
    assert.equal(await page.inputValue('#param-tasks'), '1000');
  }, {viewport: {width: 390, height: 844}});
});

test('with no results recorded the panel says so, and shows no figure', {timeout: 60_000}, async () => {
  await inPage(async (page) => {
    await page.route('**/results/native.json', (route) => route.fulfill({status: 404, body: 'not found'}));
    await openPanel(page);
    await answer(page, 'overlap:yes bound:cpu gil:gil shared-procs:no');
    await page.waitForSelector('#decide .decide-figures .empty');
    assert.equal(await page.textContent('#decide .decide-figures'), 'No results recorded on this machine yet: run `samovar bench`.');
    assert.equal(await page.locator('#decide .decide-figure').count(), 0);
    assert.match(await page.textContent('#decide .decide-leaf h3'), /^Recommended: multiprocessing/);
  });
});
