// The Code panel: the scenario's Python and C++, shipped beside the page under src/, and the
// line that printed an output line marked on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inPage, runScenario, screenshot, RUN_TIMEOUT_MS } from './harness.mjs';
import { printPatterns, pythonLinesFor } from '../../web/page/code.js';

const repo = (path) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');

// What the page shows for the output line with that text once it is clicked: the marked lines
// of each side and the output line's src.
// `click` false: a DOM click, where the layout (a phone's) may put another element on top.
async function pickLine(page, text, click = true) {
  const line = `#output li:has(.text:text-is("${text}"))`;
  if (click) await page.click(line);
  else await page.$eval(line, (li) => li.click());
  await page.waitForFunction(() => document.querySelector('#code-cpp li.hit') || document.querySelector('#code-python li.hit'));
  return page.evaluate((t) => {
    const hits = (id) => [...document.querySelectorAll(`#${id} li.hit`)].map((li) => ({n: Number(li.dataset.line), code: li.querySelector('code').textContent}));
    const li = [...document.querySelectorAll('#output li')].find((l) => l.querySelector('.text').textContent === t);
    return {python: hits('code-python'), cpp: hits('code-cpp'), src: li.dataset.src, note: document.getElementById('code-note').textContent};
  }, text);
}

test('gather: clicking "Brewing Masala chai..." marks the print on both sides', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    const index = await page.evaluate(async () => (await fetch('src/index.json')).json());
    assert.deepEqual(index.gather, {cpp: 'cpp/engine/scenarios/gather.cpp', python: 'python/gather.py'});
    const served = await page.evaluate(async () => (await fetch('src/python/gather.py')).text());
    assert.equal(served, repo('bench/python/gather.py'), 'src/python/gather.py is not the repository\'s');

    const result = await runScenario(page, 'gather', {tasks: 3}, 'asyncio');
    assert.equal(result.state, 'done', result.error);
    await page.waitForSelector('#code-cpp li[data-line]');
    const asyncio = await pickLine(page, 'Brewing Masala chai...');
    assert.match(asyncio.src, /^engine\/scenarios\/gather\.cpp:\d+$/);
    assert.equal(asyncio.cpp.length, 1, asyncio.note);
    assert.equal(`engine/scenarios/gather.cpp:${asyncio.cpp[0].n}`, asyncio.src);
    assert.match(asyncio.cpp[0].code, /ctx\.print\(\{"Brewing ", name/);
    assert.equal(asyncio.python.length, 1, asyncio.note);
    assert.match(asyncio.python[0].code, /print\(f"Brewing \{name\}/);
    assert.equal(asyncio.python[0].code, repo('bench/python/gather.py').split('\n')[asyncio.python[0].n - 1]);
    // The marked lines are scrolled into their panes.
    for (const id of ['code-python', 'code-cpp']) {
      const seen = await page.$eval(`#${id} ol`, (ol) => {
        const li = ol.querySelector('li.hit');
        return li.offsetTop >= ol.scrollTop && li.offsetTop + li.offsetHeight <= ol.scrollTop + ol.clientHeight;
      });
      assert.ok(seen, `${id}: the marked line is scrolled out of view`);
    }
    await screenshot(page, 'code-gather');

    // The same text printed by the sequential model comes from other prints, on both sides.
    const sequential = await runScenario(page, 'gather', {tasks: 3}, 'sequential');
    assert.equal(sequential.state, 'done', sequential.error);
    const seq = await pickLine(page, 'Brewing Masala chai...');
    assert.match(seq.cpp[0].code, /ctx\.print\(\{"Brewing ", tea\(i\)/);
    assert.equal(seq.python.length, 1, seq.note);
    assert.match(seq.python[0].code, /print\(f"Brewing \{TEAS\[i % 3\]\}/);
    assert.notEqual(seq.python[0].n, asyncio.python[0].n);
  });
});

test('the keyboard picks output lines; hovering marks them too', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'brew-chai', {}, 'asyncio');
    assert.equal(result.state, 'done', result.error);
    await page.waitForSelector('#code-python li[data-line]');
    await page.focus('#output');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => ({
      focused: document.activeElement.querySelector('.text')?.textContent,
      python: document.querySelector('#code-python li.hit code')?.textContent,
      cpp: document.querySelector('#code-cpp li.hit code')?.textContent,
    }));
    assert.equal(first.focused, 'Brewing chai...');
    assert.match(first.python ?? '', /run\.print\("Brewing chai\.\.\."\)/);
    assert.match(first.cpp ?? '', /ctx\.print\("Brewing chai\.\.\."\)/);
    await page.hover('#output li:has(.text:text-is("Chai is ready"))');
    await page.waitForFunction(() => /Chai is ready/.test(document.querySelector('#code-python li.hit code')?.textContent ?? ''));
  });
});

test('phone width: the Code panel stacks its two sides and stays inside its card', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    // gather is the page's first scenario (the phone's menu hides the list runScenario clicks).
    await page.fill('#repeat', '1');
    await page.click('#run');
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, {timeout: RUN_TIMEOUT_MS});
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'done', await page.textContent('#status'));
    await page.waitForSelector('#code-cpp li[data-line]');
    const picked = await pickLine(page, 'Green chai is ready...', false);
    assert.match(picked.python[0]?.code ?? '', /\{name\} is ready/, picked.note);
    // The panes scroll their long lines inside the card rather than widen it, or the page.
    const box = await page.evaluate(() => {
      const card = document.getElementById('code').getBoundingClientRect();
      const [py, cc] = ['code-python', 'code-cpp'].map((id) => document.querySelector(`#${id} ol`).getBoundingClientRect());
      return {overflow: Math.max(py.right, cc.right) - card.right, stacked: cc.top >= py.bottom,
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth};
    });
    assert.ok(box.page <= 0, `the page scrolls ${box.page} px sideways`);
    assert.ok(box.overflow <= 0, `a code pane reaches ${box.overflow} px past its card`);
    assert.ok(box.stacked, 'Python and C++ are side by side at 390 px');
    await page.$eval('#code', (el) => el.scrollIntoView());
    await screenshot(page, 'code-phone', {fullPage: false});
  }, {viewport: {width: 390, height: 844}});
});

// The matching itself, on the repository's files: each C++ print picks its Python twin.
test('a C++ print picks the Python print of the same variant', () => {
  const pair = (stem) => [printPatterns(repo(`bench/python/${stem}.py`), 'python'), printPatterns(repo(`engine/scenarios/${stem}.cpp`), 'cpp')];
  const cppLine = (stem, pattern) => repo(`engine/scenarios/${stem}.cpp`).split('\n').findIndex((l) => pattern.test(l)) + 1;
  const pyLine = (stem, pattern) => repo(`bench/python/${stem}.py`).split('\n').findIndex((l) => pattern.test(l)) + 1;
  const [racePy, raceCpp] = pair('race');
  // race prints "Chai stock: N" in three places on each side, in another order.
  for (const fn of ['own_copies', 'shared_value']) {
    const c = raceCpp.find((p) => p.fn === fn);
    const py = pythonLinesFor('Chai stock: 7', racePy, raceCpp, c.line);
    assert.deepEqual(py.map((n) => racePy.find((p) => p.line === n).fn), [fn]);
  }
  const [pcPy, pcCpp] = pair('producer_consumer');
  // A process's line, which the parent prints as it is: print(line) in Python too.
  assert.deepEqual(pythonLinesFor('Producer 1 put cup 1-1', pcPy, pcCpp, cppLine('producer_consumer', /ctx\.print_at\(/)),
    [pyLine('producer_consumer', /run\.print\(line, /)]);
  const [httpPy, httpCpp] = pair('http_get');
  assert.deepEqual(pythonLinesFor('Failed: timed out', httpPy, httpCpp, cppLine('http_get', /"Failed: "/)),
    [pyLine('http_get', /run\.print\(f"Failed: /)]);
  // A text no print makes marks nothing.
  assert.deepEqual(pythonLinesFor('nothing prints this', httpPy, httpCpp, 0), []);
});
