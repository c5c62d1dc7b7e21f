// The `samovar` CLI from outside: golden output, the JSON report's contract, bad input,
// deadlines, trace export, the catalog, `bench`, and parity with the WASM node runner.
//   node --test tests/cli/cli.test.mjs
// SAMOVAR_BIN and SAMOVAR_NODE_RUN override the native binary and the node runner.
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const BIN = process.env.SAMOVAR_BIN ?? fileURLToPath(new URL('../../build/native/native/samovar', import.meta.url));
const NODE_RUN = process.env.SAMOVAR_NODE_RUN ?? fileURLToPath(new URL('../../web/node-run.mjs', import.meta.url));
// Where node-run.mjs itself looks for the module (it honours SAMOVAR_WASM too).
const WASM_MODULE = process.env.SAMOVAR_WASM ?? join(dirname(NODE_RUN), '..', 'build', 'wasm', 'page', 'samovar.js');

const RUN_TIMEOUT = 30_000;

// ---- processes ----

const live = new Set();
after(() => {
  for (const child of live) child.kill('SIGKILL');
});

function exec(command, args, timeoutMs = RUN_TIMEOUT) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = () => { clearTimeout(timer); live.delete(child); };
    child.on('error', (e) => { done(); reject(e); });
    child.on('close', (code, signal) => { done(); resolve({ code, signal, stdout, stderr }); });
  });
}

const samovar = (...args) => exec(BIN, args);
const wasm = (...args) => exec(process.execPath, [NODE_RUN, ...args]);

function assertExit(result, code, what) {
  assert.equal(result.signal, null, `${what}: killed by ${result.signal}\nstderr: ${result.stderr}`);
  assert.equal(result.code, code, `${what}: exit ${result.code}, expected ${code}\nstderr: ${result.stderr}`);
}

async function runJson(run, args, code = 0) {
  const result = await run(...args);
  assertExit(result, code, args.join(' '));
  return JSON.parse(result.stdout);
}

function assertWasmBuilt() {
  assert.ok(existsSync(WASM_MODULE),
    `WASM module ${WASM_MODULE} is missing: build it with \`cmake --build --preset wasm\``);
}

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'samovar-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---- golden text output ----

const TIMESTAMP = /^\s*\d+\.\d+s\s+/;

async function textRun(args) {
  const result = await samovar('run', ...args);
  assertExit(result, 0, `run ${args.join(' ')}`);
  const lines = result.stdout.trimEnd().split('\n');
  const summary = lines.pop();
  for (const line of lines) assert.match(line, TIMESTAMP, 'every output line starts with its time');
  return { lines: lines.map((line) => line.replace(TIMESTAMP, '')), summary };
}

test('golden: gather (asyncio) starts all three brews, then all finish', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['gather']);
  assert.deepEqual(lines, [
    'task 1  Brewing Masala chai...',
    'task 2  Brewing Green chai...',
    'task 3  Brewing Ginger chai...',
    'task 1  Masala chai is ready...',
    'task 2  Green chai is ready...',
    'task 3  Ginger chai is ready...',
  ]);
  assert.ok(summary.startsWith('-- gather (asyncio, native): wall '), summary);
  assert.match(summary, /^-- gather \(asyncio, native\): wall \d+\.\d{4} s; concurrent: yes$/);
});

test('golden: gather --model sequential alternates brewing and ready', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['gather', '--model', 'sequential']);
  assert.deepEqual(lines, [
    'main  Brewing Masala chai...',
    'main  Masala chai is ready...',
    'main  Brewing Green chai...',
    'main  Green chai is ready...',
    'main  Brewing Ginger chai...',
    'main  Ginger chai is ready...',
  ]);
  assert.match(summary, /^-- gather \(sequential, native\): wall \d+\.\d{4} s; concurrent: no$/);
});

test('golden: brew-chai', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['brew-chai']);
  assert.deepEqual(lines, ['main  Brewing chai...', 'main  Chai is ready']);
  assert.match(summary, /^-- brew-chai \(asyncio, native\): wall \d+\.\d{4} s; thread_free_while_sleeping: yes$/);
});

test('tea names cycle through the guide\'s three teas', { timeout: RUN_TIMEOUT }, async () => {
  const { lines } = await textRun(['gather', '--set', 'tasks=5']);
  assert.deepEqual(lines.filter((line) => line.includes('Brewing')), [
    'task 1  Brewing Masala chai...',
    'task 2  Brewing Green chai...',
    'task 3  Brewing Ginger chai...',
    'task 4  Brewing Masala chai...',
    'task 5  Brewing Green chai...',
  ]);
  assert.equal(lines.filter((line) => line.includes('is ready')).length, 5);
});

// ---- the JSON report ----

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const STATES = ['running', 'waiting', 'blocked'];

test('run --json: the report has every field of the contract, with its type', { timeout: RUN_TIMEOUT }, async () => {
  const report = await runJson(samovar, ['run', 'gather', '--json']);
  assert.equal(report.schema_version, 1);
  assert.equal(report.scenario, 'gather');
  assert.equal(report.model, 'asyncio');
  assert.deepEqual(report.params, { tasks: 3, delay: 3, blocking: false }, 'defaults are filled in');
  assert.equal(report.scale, 0.1);
  assert.equal(report.seed, 1);
  assert.equal(report.trace_level, 'spans');
  assert.equal(report.platform, 'native');
  assert.equal(report.error, undefined);

  const { machine } = report;
  assert.ok(Number.isInteger(machine.cores) && machine.cores >= 1, `machine.cores ${machine.cores}`);
  assert.equal(typeof machine.os, 'string');
  assert.ok(machine.os.length > 0);
  assert.equal(machine.browser, null);
  assert.equal(machine.cross_origin_isolated, null);
  assert.ok(isNumber(machine.timer_resolution_s) && machine.timer_resolution_s > 0);

  // 3 brews of 3 guide seconds at scale 0.1 cannot end before 0.3 s.
  assert.ok(isNumber(report.wall_s) && report.wall_s >= 0.29, `wall_s ${report.wall_s}`);

  assert.equal(report.output.length, 6);
  for (const line of report.output) {
    assert.ok(isNumber(line.t_s), `t_s of ${JSON.stringify(line)}`);
    assert.equal(typeof line.who, 'string');
    assert.equal(typeof line.text, 'string');
    assert.equal(typeof line.stable, 'boolean');
  }
  assert.deepEqual(report.output.map((l) => l.who), ['task 1', 'task 2', 'task 3', 'task 1', 'task 2', 'task 3']);

  assert.equal(typeof report.metrics, 'object');
  for (const [name, value] of Object.entries(report.metrics)) assert.ok(isNumber(value), `metrics.${name} ${value}`);
  assert.equal(report.metrics.tasks, 3);
  assert.equal(report.metrics.lines_dropped, 0);

  assert.deepEqual(report.checks, { concurrent: true });

  assert.ok(report.trace.length > 0);
  for (const span of report.trace) {
    assert.equal(typeof span.lane, 'string');
    assert.ok(STATES.includes(span.state), `state ${span.state}`);
    assert.equal(typeof span.name, 'string');
    assert.ok(isNumber(span.start_s));
    if ('end_s' in span) assert.ok(isNumber(span.end_s) && span.end_s >= span.start_s, JSON.stringify(span));
  }
});

test('run --json: the three sleeps overlap in time', { timeout: RUN_TIMEOUT }, async () => {
  const report = await runJson(samovar, ['run', 'gather', '--json']);
  const sleeps = ['task 1', 'task 2', 'task 3'].map((lane) => {
    const span = report.trace.find((s) => s.lane === lane && s.state === 'waiting' && s.name === 'sleep');
    assert.ok(span && isNumber(span.end_s), `${lane} has a finished sleep span`);
    return span;
  });
  for (const a of sleeps)
    for (const b of sleeps)
      assert.ok(a.start_s < b.end_s && b.start_s < a.end_s,
        `${a.lane} [${a.start_s}, ${a.end_s}] overlaps ${b.lane} [${b.start_s}, ${b.end_s}]`);
});

test('run --json --model sequential: checks say not concurrent', { timeout: RUN_TIMEOUT }, async () => {
  const report = await runJson(samovar, ['run', 'gather', '--model', 'sequential', '--json']);
  assert.equal(report.model, 'sequential');
  assert.deepEqual(report.checks, { concurrent: false });
  assert.ok(report.wall_s >= 0.89, `three 0.3 s brews one after another: wall_s ${report.wall_s}`);
});

// ---- bad input ----

const BAD_INPUT = [
  [['run', 'nope'], 'error: scenario: "nope" is not allowed; allowed: brew-chai, gather, http-get, check-stock, daemon, race, deadlock, encrypt, health-monitor, producer-consumer, gil, scale'],
  [['run', 'gather', '--model', 'bogus'], 'error: model: "bogus" is not allowed; allowed: asyncio, sequential'],
  [['run', 'gather', '--set', 'size=3'], 'error: params.size: unknown field; allowed: tasks, delay, blocking'],
  [['run', 'gather', '--set', 'tasks=abc'], 'error: params.tasks: expected an integer, got string "abc"'],
  [['run', 'gather', '--set', 'tasks=0'], 'error: params.tasks: 0 is out of range; allowed: integer 1..1000000'],
  [['run', 'gather', '--scale', '0'], 'error: scale: 0 is out of range; allowed: number 0.001..10'],
  [['run', 'gather', '--scale', 'inf'], 'error: scale: expected a number, got string "inf"'],
  [['run', 'gather', '--set', 'tasks'], 'error: --set tasks: expected name=value'],
  [['run', 'gather', '--frobnicate'], 'The following argument was not expected: --frobnicate'],
];

for (const [args, message] of BAD_INPUT) {
  test(`bad input: samovar ${args.join(' ')} exits 2 and says why`, { timeout: RUN_TIMEOUT }, async () => {
    const result = await samovar(...args);
    assertExit(result, 2, args.join(' '));
    assert.equal(result.stdout, '', 'nothing on stdout');
    if (message instanceof RegExp) assert.match(result.stderr, message);
    else assert.ok(result.stderr.split('\n').includes(message), `stderr has the line ${JSON.stringify(message)}:\n${result.stderr}`);
  });
}

test('bad input: a negative --scale, --seed or --deadline is refused, not replaced by the default', {
  timeout: RUN_TIMEOUT,
}, async () => {
  for (const [option, field] of [['--scale', 'scale'], ['--seed', 'seed'], ['--deadline', 'deadline_s']]) {
    const result = await samovar('run', 'gather', option, '-1');
    assertExit(result, 2, `run gather ${option} -1`);
    assert.match(result.stderr, new RegExp(`^error: ${field}: -1 is out of range`, 'm'));
  }
});

// ---- deadline and trace export ----

test('deadline: a run that outlives its deadline exits 1 with error.code "deadline"', { timeout: RUN_TIMEOUT }, async () => {
  const report = await runJson(samovar, ['run', 'gather', '--set', 'delay=60', '--scale', '1', '--deadline', '0.2', '--json'], 1);
  assert.equal(report.error.code, 'deadline');
  assert.equal(typeof report.error.message, 'string');
  assert.ok(report.wall_s < 60, `stopped early: wall_s ${report.wall_s}`);
  assert.equal(report.output.filter((l) => l.text.includes('is ready')).length, 0, 'no brew finished');
});

test('--trace FILE writes Chrome Trace Event JSON', { timeout: RUN_TIMEOUT }, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'gather.trace.json');
  assertExit(await samovar('run', 'gather', '--trace', file), 0, 'run gather --trace');
  const { traceEvents } = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(Array.isArray(traceEvents));
  const threadNames = traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args.name);
  for (const lane of ['task 1', 'task 2', 'task 3']) assert.ok(threadNames.includes(lane), `thread_name ${lane} in ${threadNames}`);
  const complete = traceEvents.filter((e) => e.ph === 'X');
  assert.ok(complete.length > 0, 'complete (X) events');
  for (const e of complete) assert.ok(isNumber(e.ts) && isNumber(e.dur), JSON.stringify(e));
  assert.deepEqual(readdirSync(dir), ['gather.trace.json'], 'no temporary file left');
});

// ---- the catalog ----

test('list --json: each scenario with its models, params and guide section', { timeout: RUN_TIMEOUT }, async () => {
  const catalog = await runJson(samovar, ['list', '--json']);
  assert.equal(catalog.schema_version, 1);
  const byId = Object.fromEntries(catalog.scenarios.map((s) => [s.id, s]));
  for (const scenario of catalog.scenarios) {
    assert.ok(scenario.models.includes(scenario.default_model), `${scenario.id}: default_model is one of its models`);
    for (const param of scenario.params) {
      const numeric = param.type === 'int' || param.type === 'number';
      for (const key of ['name', 'type', 'default', 'help', ...(numeric ? ['min', 'max'] : [])])
        assert.ok(key in param, `${scenario.id}.${param.name} has ${key}`);
      assert.ok(param.help.length > 0, `${scenario.id}.${param.name} has help`);
    }
  }
  const params = (id) => byId[id].params.map(({ name, type, default: d, min, max }) => ({ name, type, default: d, min, max }));

  assert.ok(byId.gather, 'gather is listed');
  assert.equal(byId.gather.guide, '2.3');
  assert.deepEqual([...byId.gather.models].sort(), ['asyncio', 'sequential']);
  assert.equal(byId.gather.default_model, 'asyncio');
  assert.deepEqual(params('gather'), [
    { name: 'tasks', type: 'int', default: 3, min: 1, max: 1000000 },
    { name: 'delay', type: 'number', default: 3, min: 0, max: 60 },
    { name: 'blocking', type: 'bool', default: false, min: undefined, max: undefined },
  ]);

  assert.ok(byId['brew-chai'], 'brew-chai is listed');
  assert.equal(byId['brew-chai'].guide, '2.2');
  assert.deepEqual([...byId['brew-chai'].models].sort(), ['asyncio', 'sequential']);
  assert.equal(byId['brew-chai'].default_model, 'asyncio');
  assert.deepEqual(params('brew-chai'), [
    { name: 'delay', type: 'number', default: 2, min: 0, max: 60 },
    { name: 'blocking', type: 'bool', default: false, min: undefined, max: undefined },
  ]);
});

// ---- parity with the WASM build ----

const PARITY_RUNS = [
  ['gather'],
  ['gather', '--model', 'sequential'],
  ['brew-chai'],
  ['gather', '--set', 'tasks=5'],
];

for (const args of PARITY_RUNS) {
  test(`parity: run ${args.join(' ')} prints the same lines natively and in WASM`, { timeout: 60_000 }, async () => {
    assertWasmBuilt();
    const [native, web] = await Promise.all([
      runJson(samovar, ['run', ...args, '--json']),
      runJson(wasm, ['run', ...args, '--json']),
    ]);
    assert.equal(native.platform, 'native');
    assert.equal(web.platform, 'wasm');
    const lines = (report) => report.output.map(({ who, text }) => [who, text]);
    assert.ok(native.output.length > 0);
    assert.deepEqual(lines(web), lines(native));
    assert.deepEqual(web.checks, native.checks);
    for (const key of ['schema_version', 'scenario', 'model', 'params', 'scale', 'seed', 'trace_level'])
      assert.deepEqual(web[key], native[key], key);
  });
}

// Threads interleave differently on each run and target: stable lines must be equal and in
// order; lines marked unstable (who got which cup, a total after lost updates, a time) must
// have the same shapes, numbers aside. Checks are compared where the outcome is not a race, nor
// a matter of timing on a loaded machine (how often a ticker or a logger got to run: their own
// tests check those). With fix=timeout, which task times out, and how often, is timing too, as
// is whether a few short encrypt calls spread over both workers, and whether a loaded machine
// held an event loop long enough for debug mode to warn (health-monitor, check-stock).
const THREAD_PARITY_RUNS = [
  [['race', '--set', 'sync=lock'], true],
  [['race', '--set', 'gil=true'], true],
  [['race'], false],
  [['deadlock'], true],
  [['deadlock', '--set', 'fix=ordering'], true],
  [['deadlock', '--set', 'fix=timeout'], true, false],
  [['producer-consumer'], true],
  [['producer-consumer', '--model', 'asyncio'], true],
  [['gil'], false],
  [['daemon'], true],
  [['health-monitor'], false, false],
  [['check-stock'], false, false],
  [['encrypt', '--set', 'work=100000'], false],
  [['race', '--model', 'multiprocessing'], true],
  [['race', '--model', 'multiprocessing', '--set', 'value=true', '--set', 'sync=lock'], true],
  [['race', '--model', 'multiprocessing', '--set', 'value=true'], false],
  [['producer-consumer', '--model', 'multiprocessing'], true],
  [['producer-consumer', '--model', 'multiprocessing', '--set', 'value=true'], true],
];

for (const [args, sameChecks, sameShapes = true] of THREAD_PARITY_RUNS) {
  test(`parity: run ${args.join(' ')} prints the same stable lines, and lines of the same shapes, natively and in WASM`, { timeout: 60_000 }, async () => {
    assertWasmBuilt();
    const [native, web] = await Promise.all([
      runJson(samovar, ['run', ...args, '--json']),
      runJson(wasm, ['run', ...args, '--json']),
    ]);
    const stable = (report) => report.output.filter((l) => l.stable).map(({ who, text }) => [who, text]);
    const shape = (text) => text.replace(/\d+(\.\d+)?/g, 'N');
    const shapes = (report) => [...new Set(report.output.filter((l) => !l.stable).map(({ who, text }) => `${shape(who)}: ${shape(text)}`))].sort();
    assert.ok(native.output.length > 0);
    assert.deepEqual(stable(web), stable(native));
    if (sameShapes) assert.deepEqual(shapes(web), shapes(native));
    assert.deepEqual(Object.keys(web.checks).sort(), Object.keys(native.checks).sort());
    if (sameChecks) assert.deepEqual(web.checks, native.checks);
  });
}

test('parity: list --json is the same catalog natively and in WASM', { timeout: 60_000 }, async () => {
  assertWasmBuilt();
  const [native, web] = await Promise.all([runJson(samovar, ['list', '--json']), runJson(wasm, ['list', '--json'])]);
  // A limit that differs by target is part of a param's range (DESIGN.md): WASM may allow less
  // (encrypt's workers: the process workers started with the module), never more. All else is equal.
  const maxes = (catalog) => catalog.scenarios.flatMap((s) => s.params.map((p) => [`${s.id}.${p.name}`, p.max]));
  for (const [[name, webMax], [, nativeMax]] of maxes(web).map((m, i) => [m, maxes(native)[i]]))
    if (webMax !== undefined) assert.ok(webMax <= nativeMax, `${name}: max ${webMax} in WASM, ${nativeMax} natively`);
  const withoutMaxes = (catalog) => JSON.parse(JSON.stringify(catalog, (k, v) => (k === 'max' ? undefined : v)));
  assert.deepEqual(withoutMaxes(web), withoutMaxes(native));
});

const BAD_INPUT_PARITY = [
  { args: ['run', 'gather', '--set', 'tasks=0'] },
  { args: ['run', 'nope'] },
  { args: ['run', 'gather', '--set', 'delay=x'] },
  { args: ['run', 'gather', '--scale', '0'] },
  { args: ['run', 'gather', '--deadline', 'soon'] },
];

for (const { args } of BAD_INPUT_PARITY) {
  test(`parity: ${args.join(' ')} is the same bad input natively and in WASM`, { timeout: 60_000 }, async () => {
    assertWasmBuilt();
    const [native, web] = await Promise.all([samovar(...args), wasm(...args)]);
    assertExit(native, 2, `native ${args.join(' ')}`);
    assertExit(web, 2, `wasm ${args.join(' ')}`);
    assert.equal(native.stdout, '');
    assert.equal(web.stdout, '');
    assert.match(native.stderr, /^error: [\w.]+: /);
    assert.equal(web.stderr, native.stderr);
  });
}

// ---- bench ----

test('bench --quick writes the results file atomically', { timeout: 180_000 }, async (t) => {
  const dir = join(tempDir(t), 'r');
  const out = join(dir, 'native.json');
  const result = await exec(BIN, ['bench', '--quick', '--out', out], 170_000);
  assertExit(result, 0, 'bench --quick');
  const file = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(file.schema_version, 1);
  assert.ok(Number.isInteger(file.machine.cores) && file.machine.cores >= 1);
  assert.ok(Array.isArray(file.results) && file.results.length > 0);
  for (const r of file.results) {
    const what = JSON.stringify(r);
    assert.equal(typeof r.scenario, 'string', what);
    assert.equal(typeof r.model, 'string', what);
    assert.equal(typeof r.params, 'object', what);
    assert.ok(isNumber(r.scale) && isNumber(r.seed) && isNumber(r.wall_s) && r.wall_s > 0, what);
    assert.equal(typeof r.checks, 'object', what);
    assert.ok(!('output' in r) && !('trace' in r), `no output or trace in ${what}`);
  }
  const recorded = new Set(file.results.map((r) => `${r.scenario}/${r.model}`));
  for (const key of ['brew-chai/asyncio', 'brew-chai/sequential', 'gather/asyncio', 'gather/sequential'])
    assert.ok(recorded.has(key), `${key} recorded`);
  assert.deepEqual(readdirSync(dir), ['native.json'], 'no *.tmp.* file left');
});
