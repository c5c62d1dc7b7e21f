// bench/python's CPython programs beside `samovar run`, and `samovar bench` recording both.
//   node --test tests/bench/bench.test.mjs
// SAMOVAR_BIN overrides the native binary; PYTHON the interpreter (default python3 on PATH).
// The bench test runs `samovar bench --quick` twice at once, once with python3 hidden.
// Small scales keep it short; nothing is asserted of a wall time but that it was measured.
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.SAMOVAR_BIN ?? fileURLToPath(new URL('../../build/native/native/samovar', import.meta.url));
const PROGRAMS = fileURLToPath(new URL('../../bench/python/', import.meta.url));
const PYTHON_GIVEN = process.env.PYTHON ?? 'python3';
const SUMMARY = '@samovar-summary ';

const live = new Set();
after(() => { for (const child of live) child.kill('SIGKILL'); });

// Runs a command to its end; killed after timeoutMs (a hang guard, not a time limit).
function exec(command, args, { timeoutMs = 90_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); live.delete(child); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// The interpreter itself rather than a launcher in front of it (pyenv's shim takes a second a
// start), as bench resolves it.
const PYTHON = await (async () => {
  const r = await exec(PYTHON_GIVEN, ['-c', 'import sys; print(sys.executable)']);
  assert.equal(r.code, 0, `${PYTHON_GIVEN} runs: ${r.stderr}`);
  return r.stdout.trim() || PYTHON_GIVEN;
})();

function program(scenario) {
  return join(PROGRAMS, `${scenario.replaceAll('-', '_')}.py`);
}

async function runPython(request) {
  const result = await exec(PYTHON, ['-B', program(request.scenario), JSON.stringify(request)]);
  assert.equal(result.code, 0, `${JSON.stringify(request)}: exit ${result.code}\n${result.stderr}`);
  const lines = result.stdout.split('\n').filter((l) => l !== '');
  const last = lines.pop();
  assert.ok(last?.startsWith(SUMMARY), `the summary is the last line: ${last}`);
  const summary = JSON.parse(last.slice(SUMMARY.length));
  assert.ok(lines.every((l) => !l.startsWith(SUMMARY)), 'one summary line');
  const unstable = new Set(summary.unstable_lines);
  return { summary, output: lines.map((text, i) => ({ text, stable: !unstable.has(i) })) };
}

async function runNative(request) {
  const args = ['run', request.scenario, '--json', '--no-spans'];
  if (request.model) args.push('--model', request.model);
  if (request.scale !== undefined) args.push('--scale', String(request.scale));
  for (const [k, v] of Object.entries(request.params ?? {}))
    args.push('--set', `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const result = await exec(BIN, args);
  assert.equal(result.code, 0, `samovar ${args.join(' ')}: exit ${result.code}\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

// A line's shape: what is left when the figures (totals, times, ports, process ids) are taken
// out, for the lines whose text depends on timing or place (a memory difference may be below 0).
// A list of worker processes is one shape however many workers took calls, and with deadlock's
// timeouts either task may be the one that gives up its lock (a or b).
const shape = (text) => text.replace(/-?\d+(\.\d+)?/g, '#')
  .replace(/# \(# calls\)(, # \(# calls\))+/g, '# (# calls)')
  .replace(/\block [ab]\b/g, 'lock #');

// Where CPython legitimately prints a line samovar does not: the GIL-off row needs a
// free-threaded interpreter, and the program says that it has none.
const PYTHON_ONLY_SHAPES = {
  gil: [/GIL off: not in this interpreter/],
};
// Checks whose value depends on the interpreter or on timing, not on the program's logic.
const CHECKS_THAT_MAY_DIFFER = {
  race: ['exact'],  // sync=none: CPython's GIL switches between bytecodes, C++ threads anywhere
  encrypt: ['ran_in_more_than_one_worker'],  // CPython's pool may give one worker every card
  gil: ['one_gil_holder_at_a_time', 'gil_off_tasks_overlapped'],  // the trace's, not CPython's
  'producer-consumer': ['producers_waited_for_space'],  // timing: a tiny scale may not fill it
  scale: ['all_units_waited_at_once'],  // timing: a thread may wake before the last one starts
};

const url_server = createServer((req, res) => {
  const m = /^\/delay\/([0-9.]+)$/.exec(req.url);
  if (!m) { res.writeHead(404).end(); return; }
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}\n'), Number(m[1]) * 1e3);
});
after(() => url_server.close());

// scale's sweeps, small: every step of samovar's list for the model, up to its end.
const SWEEPS = [
  { scenario: 'scale', params: { sweep_to: 1000 }, scale: 0.05 },
  { scenario: 'scale', model: 'threading', params: { sweep_to: 100 }, scale: 0.05 },
  { scenario: 'scale', model: 'multiprocessing', params: { sweep_to: 5 }, scale: 0.05 },
];

const CASES = [
  { scenario: 'brew-chai', scale: 0.02 },
  { scenario: 'brew-chai', model: 'sequential', scale: 0.02 },
  { scenario: 'gather', params: { tasks: 5 }, scale: 0.02 },
  { scenario: 'gather', model: 'sequential', scale: 0.02 },
  { scenario: 'gather', params: { blocking: true }, scale: 0.02 },
  { scenario: 'http-get', scale: 0.02 },
  { scenario: 'http-get', params: { requests: 1, url: 'URL' } },
  { scenario: 'check-stock', scale: 0.05 },
  { scenario: 'check-stock', params: { blocking: true, item: 'Ginger chai' }, scale: 0.05 },
  { scenario: 'daemon', scale: 0.02 },
  { scenario: 'daemon', params: { variant: 'daemon' }, scale: 0.02 },
  { scenario: 'health-monitor', scale: 0.05 },
  { scenario: 'race', params: { increments: 20000 } },
  { scenario: 'race', params: { increments: 20000, sync: 'lock' } },
  { scenario: 'race', params: { increments: 20000, sync: 'atomic', threads: 3 } },
  { scenario: 'race', model: 'multiprocessing', params: { increments: 20000 } },
  { scenario: 'race', model: 'multiprocessing', params: { increments: 20000, value: true, sync: 'lock' } },
  { scenario: 'deadlock', scale: 0.05 },
  { scenario: 'deadlock', params: { fix: 'ordering' }, scale: 0.05 },
  { scenario: 'deadlock', params: { fix: 'timeout' }, scale: 0.05 },
  { scenario: 'encrypt', params: { work: 2000, rounds: 1 } },
  { scenario: 'producer-consumer', scale: 0.02 },
  { scenario: 'producer-consumer', model: 'asyncio', scale: 0.02 },
  { scenario: 'producer-consumer', model: 'multiprocessing', params: { value: true }, scale: 0.02 },
  { scenario: 'gil', params: { work: 20000, rounds: 1 } },
  { scenario: 'scale', params: { tasks: 1000, switches: 10000 }, scale: 0.05 },
  { scenario: 'scale', model: 'threading', params: { tasks: 1000, switches: 10000 } },
  { scenario: 'scale', model: 'multiprocessing', params: { tasks: 20 } },
  ...SWEEPS,
];

test('each CPython program prints what samovar run prints, and a summary', { timeout: 240_000 }, async (t) => {
  await new Promise((resolve) => url_server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${url_server.address().port}/delay/0.01`;
  for (const base of CASES) {
    const request = structuredClone(base);
    if (request.params?.url === 'URL') request.params.url = url;
    await t.test(JSON.stringify(request), async () => {
      const [native, python] = await Promise.all([runNative(request), runPython(request)]);
      const stable = (output) => output.filter((o) => o.stable).map((o) => o.text);
      // The stable lines are equal, in order; what varies is marked so on both sides.
      assert.deepEqual(stable(python.output), stable(native.output));
      const nativeShapes = new Set(native.output.map((o) => shape(o.text)));
      const extra = PYTHON_ONLY_SHAPES[request.scenario] ?? [];
      for (const o of python.output.filter((l) => !l.stable))
        assert.ok(nativeShapes.has(shape(o.text)) || extra.some((re) => re.test(o.text)),
          `"${o.text}" has the shape of a line samovar prints: ${[...nativeShapes].join(' | ')}`);

      const s = python.summary;
      assert.equal(s.scenario, native.scenario);
      assert.equal(s.model, native.model);
      assert.deepEqual(Object.keys(s.params).sort(), Object.keys(native.params).sort());
      assert.ok(typeof s.wall_s === 'number' && s.wall_s > 0, `wall_s ${s.wall_s}`);
      assert.match(s.python.version, /^3\.\d+/);
      assert.equal(s.python.implementation, 'CPython');
      // Its metrics and checks carry samovar's names, and the checks that follow from the
      // program's logic (not from the interpreter or timing) agree.
      for (const name of Object.keys(s.metrics))
        assert.ok(name in native.metrics, `metric ${name} is one of samovar's: ${Object.keys(native.metrics)}`);
      const mayDiffer = CHECKS_THAT_MAY_DIFFER[request.scenario] ?? [];
      for (const [name, value] of Object.entries(s.checks)) {
        assert.ok(name in native.checks, `check ${name} is one of samovar's`);
        if (!mayDiffer.includes(name)) assert.equal(value, native.checks[name], `check ${name}`);
      }
    });
  }
});

test('race: CPython counts every lock-protected update, and reports unsynchronised ones as they fell', { timeout: 60_000 }, async () => {
  const locked = await runPython({ scenario: 'race', params: { sync: 'lock', increments: 30000 } });
  assert.deepEqual(locked.output.map((o) => o.text), ['Chai stock: 60000']);
  assert.equal(locked.summary.metrics.lost, 0);
  const racy = await runPython({ scenario: 'race', params: { increments: 30000 } });
  const m = racy.summary.metrics;
  assert.equal(m.expected, 60000);
  assert.equal(m.lost, m.expected - m.actual);
  assert.equal(racy.summary.checks.exact, m.lost === 0);
  assert.deepEqual(racy.output.map((o) => o.text), [`Chai stock: ${m.actual}`]);
});

test('scale: CPython sweeps the steps samovar sweeps and reports them in its sweep shape', { timeout: 120_000 }, async (t) => {
  for (const request of SWEEPS) {
    await t.test(JSON.stringify(request), async () => {
      const [native, python] = await Promise.all([runNative(request), runPython(request)]);
      const sweep = python.summary.sweep;
      assert.deepEqual(Object.keys(sweep).sort(), ['memory', 'points']);
      assert.equal(sweep.memory, native.sweep.memory, 'memory read as samovar reads it natively');
      assert.deepEqual(sweep.points.map((p) => [p.unit, p.n]), native.sweep.points.map((p) => [p.unit, p.n]));
      for (const p of sweep.points) {
        assert.deepEqual(Object.keys(p).sort(), Object.keys(native.sweep.points[0]).sort());
        assert.ok(p.wall_s > 0 && Number.isFinite(p.us_per_unit) && Number.isFinite(p.bytes_per_unit), JSON.stringify(p));
      }
      // A line a step, with the step's own figures.
      assert.deepEqual(python.output.map((o) => o.text),
        sweep.points.map((p) => `${p.n} ${p.unit} waiting at once: ${p.wall_s.toFixed(3)} s, ${p.us_per_unit.toFixed(2)} us and ${p.bytes_per_unit.toFixed(0)} bytes each`));
      assert.equal(python.summary.metrics.sweep_largest, sweep.points.at(-1).n);
      // One loop thread starts every coroutine before any timer is looked at: all wait at once.
      if (request.model === undefined) assert.equal(python.summary.checks.all_units_waited_at_once, true);
    });
  }
  // Pooled processes hold what they touched: a sweep of them holds more than a megabyte each.
  const processes = await runPython(SWEEPS[2]);
  assert.ok(processes.summary.sweep.points.every((p) => p.bytes_per_unit > 1e6), JSON.stringify(processes.summary.sweep));
});

test('scale: a thread that cannot start ends CPython\'s sweep, said as samovar says it', { timeout: 60_000 }, async () => {
  // Address space for a few 8 MiB thread stacks only: thread creation fails part way.
  const request = { scenario: 'scale', model: 'threading', params: { sweep_to: 1000 }, scale: 0.02 };
  const r = await exec('sh', ['-c', `ulimit -v 600000; exec "$0" -B "$1" "$2"`, PYTHON, program('scale'), JSON.stringify(request)]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1).slice(SUMMARY.length));
  const { points, limit } = summary.sweep;
  assert.match(limit, /^thread (\d+) of (\d+) could not start: /);
  const [, k, of] = /^thread (\d+) of (\d+)/.exec(limit).map(Number);
  assert.equal(points.at(-1).n, k - 1, 'the threads that did start are the last step');
  assert.equal(of, k <= 10 ? 10 : k <= 100 ? 100 : 1000);
  assert.ok(points.length < 3, 'the sweep ended at the limit');
});

test('scale: past its deadline CPython\'s sweep fails as the others do, and leaves no worker behind', { timeout: 60_000 }, async () => {
  for (const model of ['asyncio', 'threading', 'multiprocessing']) {
    const request = { scenario: 'scale', model, deadline_s: 0.5, params: { sweep_to: 8, delay: 10 } };
    // stdout closes only when every process holding it has ended: a worker left waiting for
    // calls would hold it past the hang guard.
    const r = await exec(PYTHON, ['-B', program('scale'), JSON.stringify(request)], { timeoutMs: 30_000 });
    assert.equal(r.code, 1, `${model}: exit ${r.code} ${r.signal ?? ''} ${r.stderr}`);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1).slice(SUMMARY.length));
    assert.equal(summary.error.code, 'deadline_exceeded', model);
  }
});

test('bad input: a clear error naming the field, exit 2', { timeout: 60_000 }, async () => {
  const cases = [
    [['{not json'], /request/],
    [[JSON.stringify({ scenario: 'gather', params: { tasks: 0 } })], /params\.tasks.*1 to 1000000/],
    [[JSON.stringify({ scenario: 'gather', params: { teas: 3 } })], /params\.teas/],
    [[JSON.stringify({ scenario: 'gather', model: 'threading' })], /model/],
    [[JSON.stringify({ scenario: 'gather', scale: 0 })], /scale/],
    [[JSON.stringify({ scenario: 'brew-chai' })], /scenario/],
    [[JSON.stringify({ scenario: 'gather', colour: 'red' })], /colour/],
    [['[1, 2]'], /request/],
  ];
  for (const [args, pattern] of cases) {
    const r = await exec(PYTHON, ['-B', program('gather'), ...args]);
    assert.equal(r.code, 2, `${args}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '', 'nothing ran');
  }
  // scale's caps per model, as samovar's own.
  for (const [model, sweepTo, pattern] of [
    ['threading', 1001, /params\.sweep_to: 1001 is more than this target allows: at most 1000 threads waiting at once/],
    ['multiprocessing', 65, /params\.sweep_to: 65 is more than this target allows: at most 64 worker processes/],
    ['asyncio', 1000001, /params\.sweep_to: 1000001 is out of range/]]) {
    const request = JSON.stringify({ scenario: 'scale', model, params: { sweep_to: sweepTo } });
    const r = await exec(PYTHON, ['-B', program('scale'), request]);
    assert.equal(r.code, 2, `${request}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stdout, '', 'nothing ran');
    const native = await exec(BIN, ['run', 'scale', '--model', model, '--set', `sweep_to=${sweepTo}`]);
    assert.equal(native.code, 2, native.stderr);
    assert.match(native.stderr, pattern);
  }
  const url = await exec(PYTHON, ['-B', program('http-get'),
    JSON.stringify({ scenario: 'http-get', params: { url: 'ftp://example.invalid/' } })]);
  assert.equal(url.code, 2, url.stderr);
  assert.match(url.stderr, /params\.url/);
});

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'samovar-bench-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function assertRecord(r) {
  const what = JSON.stringify(r).slice(0, 300);
  assert.equal(typeof r.scenario, 'string', what);
  assert.equal(typeof r.model, 'string', what);
  assert.equal(typeof r.params, 'object', what);
  assert.ok(typeof r.scale === 'number' && typeof r.seed === 'number', what);
}

// Both runs at once: the file's shape is asserted, not its figures, and a busy machine only
// makes them slower.
test('bench --quick records native and CPython results side by side; without python3, says so', { timeout: 200_000 }, async (t) => {
  const dir = tempDir(t);
  const out = join(dir, 'results.json');
  const md = join(dir, 'PERFORMANCE.md');
  const hidden = join(dir, 'no-python');
  mkdirSync(hidden);
  const bin = join(dir, 'empty-bin');
  mkdirSync(bin);
  const missingOut = join(hidden, 'results.json');
  const [r, missing] = await Promise.all([
    exec(BIN, ['bench', '--quick', '--out', out, '--python', PYTHON,
      '--markdown', md], { timeoutMs: 190_000 }),
    exec(BIN, ['bench', '--quick', '--out', missingOut], { timeoutMs: 190_000, env: { ...process.env, PATH: bin } }),
  ]);

  assert.equal(missing.code, 0, missing.stderr);
  const without = JSON.parse(readFileSync(missingOut, 'utf8'));
  assert.ok(without.results.length > 0);
  assert.deepEqual(without.cpython, { missing: 'no python3 on PATH' });
  assert.match(missing.stdout, /cpython: no python3 on PATH/);

  assert.equal(r.code, 0, r.stderr);
  const file = JSON.parse(readFileSync(out, 'utf8'));
  assert.ok(file.results.length > 0);
  for (const n of file.results) {
    assertRecord(n);
    assert.ok(Array.isArray(n.output) && n.output.length <= 200, 'at most 200 lines kept');
    assert.equal(n.output_cut, n.output_lines > n.output.length);
  }
  // gather with 10,000 tasks prints 20,000 lines: cut, and said so.
  const big = file.results.find((n) => n.scenario === 'gather' && n.params.tasks === 10000);
  assert.equal(big.output.length, 200);
  assert.equal(big.output_cut, true);

  const cpython = file.cpython;
  assert.match(cpython.version, /^3\.\d+/);
  assert.equal(cpython.implementation, 'CPython');
  assert.ok(cpython.path.length > 0);
  assert.equal(cpython.results.length, file.results.length, 'one CPython entry per request');
  let ran = 0;
  for (const [i, c] of cpython.results.entries()) {
    assertRecord(c);
    const n = file.results[i];
    assert.equal(c.scenario, n.scenario);
    assert.deepEqual(c.params, n.params);
    if ('skipped' in c) {
      assert.ok(c.skipped.length > 0);
      continue;
    }
    ran++;
    assert.ok(!('error' in c), `${JSON.stringify(c.error)} in ${c.scenario}`);
    assert.ok(c.wall_s > 0 && typeof c.metrics === 'object' && typeof c.checks === 'object');
    assert.ok(Array.isArray(c.output) && c.output.length <= 200);
    // Stable lines as the native run's, in order.
    const stable = (o) => o.filter((l) => l.stable).map((l) => l.text);
    if (!n.output_cut && !c.output_cut) assert.deepEqual(stable(c.output), stable(n.output), c.scenario);
  }
  assert.ok(ran >= 20, `${ran} CPython runs`);
  // scale's sweeps as CPython swept them, each beside samovar's, for the page's charts.
  const sweeps = cpython.results.filter((c) => c.scenario === 'scale' && c.params.sweep_to > 0);
  assert.deepEqual(sweeps.map((c) => c.model), ['asyncio', 'threading', 'multiprocessing']);
  for (const c of sweeps) {
    const n = file.results[cpython.results.indexOf(c)];
    assert.deepEqual(c.sweep.points.map((p) => p.n), n.sweep.points.map((p) => p.n), `${c.model}'s steps`);
    assert.equal(c.sweep.memory, n.sweep.memory);
  }
  const text = readFileSync(md, 'utf8');
  assert.match(text, /## The machine/);
  assert.match(text, new RegExp(`CPython: ${cpython.version.replace(/\./g, '\\.')}`));
  assert.match(text, /\| gather \| asyncio \| blocking=false delay=3(\.0)? tasks=3 \| spans \| [0-9.]+ \| [0-9.]+ \| [0-9.]+× \| sleeps at once 3 · 3 \|/);
  // Table 4 as compare measured it: its four rows, each cell measured (ideal; the guide's).
  const compare = file.results.find((n) => n.scenario === 'compare');
  assert.equal(compare.table.rows.length, 4);
  assert.match(text, /## The guide's Table 4 \(8\.1\), measured by `compare`/);
  assert.match(text, /\| 3 HTTP requests \(2s each\) \| [0-9.]+ \([0-9.]+; 6\.000\) \|/);
  // scale's sweeps, one table per model, a row per N the native sweep reached.
  for (const unit of ['coroutines', 'threads', 'processes']) {
    const sweep = file.results.find((n) => n.sweep && n.sweep.points[0].unit === unit);
    assert.ok(sweep, unit);
    assert.match(text, new RegExp(`### ${sweep.model}: up to ${sweep.params.sweep_to} ${unit}`));
    for (const p of sweep.sweep.points) assert.match(text, new RegExp(`\\n\\| ${p.n} \\| [0-9.]+ \\|`), `${unit} ${p.n}`);
    // CPython's sweep of the same request beside it: its µs and bytes per unit at each N.
    const num = '-?[0-9.e+-]+';
    for (const p of sweep.sweep.points)
      assert.match(text, new RegExp(`\\n\\| ${p.n} \\| [0-9.]+ \\| ${num} \\| ${num} \\| ${num} \\| ${num} \\|`), `CPython's ${unit} ${p.n}`);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['PERFORMANCE.md', 'empty-bin', 'no-python', 'results.json'], 'no *.tmp.* file left');
});
