// The `samovar` CLI from outside: golden output, the JSON report's contract, bad input,
// deadlines (and that no worker process outlives a run), trace export, the catalog, `scale`,
// `http-get`, `bench`, and parity with the WASM node runner.
//   node --test tests/cli/cli.test.mjs
// SAMOVAR_BIN and SAMOVAR_NODE_RUN override the native binary and the node runner.
// The machine may be a busy 2-core box: every wait is bounded, nothing synchronises by
// sleeping, and times are asserted only as orders of magnitude or sums of measured parts.
import test, { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';

const BIN = process.env.SAMOVAR_BIN ?? fileURLToPath(new URL('../../build/native/native/samovar', import.meta.url));
const NODE_RUN = process.env.SAMOVAR_NODE_RUN ?? fileURLToPath(new URL('../../web/node-run.mjs', import.meta.url));
// Where node-run.mjs itself looks for the module (it honours SAMOVAR_WASM too).
const WASM_MODULE = process.env.SAMOVAR_WASM ?? join(dirname(NODE_RUN), '..', 'build', 'wasm', 'page', 'samovar.js');

// Hang guards, not time limits: a busy 2-core machine has been seen to take over 30 s for a
// default gil run.
const RUN_TIMEOUT = 90_000;

// ---- processes ----

const live = new Map();  // child -> how to kill it (and, if detached, its whole process group)
after(() => {
  for (const kill of live.values()) kill();
});

// Runs a command to its end (or kills it after timeoutMs). `detached` gives it a session of
// its own (setsid), whose id is its pid: whatever it starts stays in that session, so what it
// leaves behind can be found without mistaking another test's processes for its own.
function exec(command, args, { timeoutMs = RUN_TIMEOUT, detached = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached });
    const kill = () => {
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch { /* already gone */ }
    };
    live.set(child, kill);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(kill, timeoutMs);
    const done = () => { clearTimeout(timer); live.delete(child); };
    child.on('error', (e) => { done(); reject(e); });
    child.on('close', (code, signal) => {
      done();
      resolve({ code, signal, stdout, stderr, pid: child.pid, elapsed_s: (performance.now() - started) / 1e3 });
    });
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

// The live processes of session `sid` (from /proc/PID/stat: state, ppid, pgrp, session follow
// the command name, which is in parentheses and may hold anything). A zombie is not counted:
// it runs nothing, and whoever adopted it reaps it.
function sessionProcesses(sid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;  // it ended while we looked
    }
    const close = stat.lastIndexOf(')');
    const [state, ppid, , session] = stat.slice(close + 2).split(' ');
    if (Number(session) === sid && state !== 'Z' && state !== 'X')
      found.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state, ppid: Number(ppid) });
  }
  return found;
}

// Nothing that `result`'s (detached) run started is still running. A worker told to go as
// the run ends may take a moment to do so: it is given up to 5 s, polled, then killed and
// reported.
async function assertNothingLeft(result, what) {
  let left = sessionProcesses(result.pid);
  for (let waited = 0; left.length > 0 && waited < 5_000; waited += 100) {
    await pause(100);
    left = sessionProcesses(result.pid);
  }
  for (const { pid } of left) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  assert.deepEqual(left, [], `${what}: processes left running after the run ended`);
}

// ---- golden text output ----

const TIMESTAMP = /^\s*\d+\.\d+s\s+/;

// asyncio's debug mode reports a step that held the loop over 100 ms, which a busy machine can
// cause in any run: such a line is timing, not the guide's. The column of who printed is as
// wide as the widest name, so with it the others are padded further.
const SLOW_STEP = /^asyncio\s+Executing <Task '.*'> took \d+\.\d+ seconds$/;

// A report's output without asyncio's slow-step reports.
const guideLines = (report) => report.output.filter(({ who, text }) => !SLOW_STEP.test(`${who}  ${text}`));

async function textRun(args) {
  const result = await samovar('run', ...args);
  assertExit(result, 0, `run ${args.join(' ')}`);
  // The summary: a line starting "-- ", then the metrics and one line per check.
  const all = result.stdout.trimEnd().split('\n');
  const at = all.findLastIndex((line) => line.startsWith('-- '));
  assert.ok(at >= 0, `no summary in ${result.stdout}`);
  const lines = all.slice(0, at);
  const summary = all.slice(at).join('\n');
  for (const line of lines) assert.match(line, TIMESTAMP, 'every output line starts with its time');
  return {
    lines: lines.map((line) => line.replace(TIMESTAMP, '')).filter((line) => !SLOW_STEP.test(line))
      .map((line) => line.replace(/ {2,}/, '  ')),
    summary,
  };
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
  assert.match(summary, /^-- gather \(asyncio, native\): wall \d+\.\d{4} s\n   metrics: .*peak_concurrent_sleeps 3, .*tasks 3\n   ✓ concurrent: yes, as this variant should$/);
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
  // Nothing overlaps one after another: that is what the sequential model should show.
  assert.match(summary, /^-- gather \(sequential, native\): wall \d+\.\d{4} s\n   metrics: .*\n   ✓ concurrent: no, as this variant should$/);
});

test('golden: brew-chai', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['brew-chai']);
  assert.deepEqual(lines, ['main  Brewing chai...', 'main  Chai is ready']);
  assert.match(summary, /^-- brew-chai \(asyncio, native\): wall \d+\.\d{4} s\n   metrics: .*\n   ✓ thread_free_while_sleeping: yes, as this variant should$/);
});

test('golden: encrypt prints the guide\'s one line; its figures are in the summary', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['encrypt', '--set', 'work=200000']);
  assert.deepEqual(lines, ['main  4321_drac_tiderc']);
  assert.match(summary, /^   metrics: .*pool_s \d.*, speedup \d/m);
  assert.match(summary, /^   ✓ results_equal_sequential: yes, as this variant should$/m);
});

test('golden: deadlock fix=ordering completes, as it should: no check is shown failed', { timeout: RUN_TIMEOUT }, async () => {
  const { lines, summary } = await textRun(['deadlock', '--set', 'fix=ordering']);
  // Both take lock_a first: which task goes first is timing.
  assert.deepEqual([...lines].sort(), ['Task 1  Task 1 acquired lock a', 'Task 1  Task 1 acquired lock b',
    'Task 2  Task 2 acquired lock a', 'Task 2  Task 2 acquired lock b']);
  assert.match(summary, /^   ✓ completed: yes, as this variant should$/m);
  assert.match(summary, /^   ✓ deadlock_detected: no, as this variant should$/m);
  assert.doesNotMatch(summary, /✗/);
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

  assert.equal(guideLines(report).length, 6);
  for (const line of guideLines(report)) {
    assert.ok(isNumber(line.t_s), `t_s of ${JSON.stringify(line)}`);
    assert.equal(typeof line.who, 'string');
    assert.equal(typeof line.text, 'string');
    assert.equal(typeof line.stable, 'boolean');
  }
  assert.deepEqual(guideLines(report).map((l) => l.who), ['task 1', 'task 2', 'task 3', 'task 1', 'task 2', 'task 3']);

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
  [['run', 'nope'], 'error: scenario: "nope" is not allowed; allowed: brew-chai, gather, http-get, check-stock, daemon, race, deadlock, encrypt, health-monitor, producer-consumer, gil, scale, compare, workload'],
  [['run', 'gather', '--model', 'bogus'], 'error: model: "bogus" is not allowed; allowed: asyncio, sequential'],
  [['run', 'gather', '--set', 'size=3'], 'error: params.size: unknown field; allowed: tasks, delay, blocking'],
  [['run', 'gather', '--set', 'tasks=abc'], 'error: params.tasks: expected integer 1..1000000, got string "abc"'],
  [['run', 'gather', '--set', 'tasks=0'], 'error: params.tasks: 0 is out of range; allowed: integer 1..1000000'],
  [['run', 'gather', '--scale', '0'], 'error: scale: 0 is out of range; allowed: number 0.001..10'],
  [['run', 'gather', '--scale', 'inf'], 'error: scale: expected number 0.001..10, got string "inf"'],
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

// Hostile values: numbers no double holds, bytes that are not UTF-8 (given through a shell,
// as raw bytes), control characters and spaces in a URL. The same error on both targets.
const rawArgs = (bytes) => `"$(printf '${bytes}')"`;
const HOSTILE = [
  [['run', 'gather', '--set', 'delay=1e999'], 'error: params.delay: expected number 0..60, got string "1e999"'],
  [['run', 'gather', '--scale', '1e999'], 'error: scale: expected number 0.001..10, got string "1e999"'],
  [['run', 'gather', '--seed', '1e400'], 'error: seed: expected integer 0..4294967295, got string "1e400"'],
  [['run', 'gather', '--deadline', '-1e400'], 'error: deadline_s: expected number 0.1..3600, got string "-1e400"'],
  [['run', 'http-get', '--set', 'url=http://127.0.0.1:1/x\r\nHost: internal'], 'error: params.url: has a control character at 20; allowed: printable text'],
  [['run', 'http-get', '--set', 'url=http://127.0.0.1:1/a b'], 'error: params.url: bad URL: a space or control character at 20; percent-encode it'],
  [['run', 'gather', '--set', rawArgs('de\\377lay=1')], 'error: params.de\uFFFDlay: unknown field; allowed: tasks, delay, blocking'],
  [['run', 'gather', '--set', rawArgs('delay=\\377')], 'error: params.delay: expected number 0..60, got string "\uFFFD"'],
];
const shellQuote = (arg) => (arg.startsWith('"$(') ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
for (const [args, message] of HOSTILE) {
  for (const [target, program] of [['native', [BIN]], ['wasm', [process.execPath, NODE_RUN]]]) {
    test(`hostile input (${target}): ${JSON.stringify(args.join(' '))} exits 2 naming the field`, { timeout: RUN_TIMEOUT }, async () => {
      if (target === 'wasm') assertWasmBuilt();
      const result = await exec('/bin/sh', ['-c', [...program, ...args].map(shellQuote).join(' ')]);
      assertExit(result, 2, args.join(' '));
      assert.equal(result.stdout, '', 'nothing on stdout');
      assert.ok(result.stderr.split('\n').includes(message), `stderr has the line ${JSON.stringify(message)}:\n${result.stderr}`);
    });
  }
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

// Deadlines outside asyncio: CPU work on threads, a process pool at work, threads blocked in a
// lock cycle the detector will not look at before the deadline. Each run is made far longer
// than its deadline (the figures are measured natively on 2 idle cores), so passing the
// deadline is certain; it must end soon after with exit 1 and error.code "deadline", and leave
// no process behind (workers are `samovar-worker`s natively, Workers inside node in WASM: the
// run's own session must be empty either way). `native` and `wasm` are each target's extra
// args (WASM has fewer worker processes).
const DEADLINE_S = 1;
const DEADLINE_RUNS = [
  // 4 tasks, each counting the primes below 20,000,000 (~8 s natively), in one thread, then
  // on threads and in processes: minutes.
  { args: ['gil', '--set', 'work=20000000', '--set', 'threads=4'] },
  // 4 cards x 10^9 rounds of hashing, in the pool's 2 workers and in this process: minutes.
  // Past the deadline while the workers hash, they must be stopped, not left to finish.
  { args: ['encrypt', '--set', 'work=1000000000'] },
  // Processes incrementing a shared Value under its lock, 10^7 each: ~7 s natively (16
  // processes), ~16 s in WASM (4). (Without a Value, 16 x 10^7 increments take ~0.15 s, too
  // near the least deadline, 0.1 s, to be sure of passing it.)
  {
    args: ['race', '--model', 'multiprocessing', '--set', 'value=true', '--set', 'sync=lock', '--set', 'increments=10000000'],
    native: ['--set', 'threads=16'],
    wasm: ['--set', 'threads=4'],
  },
  // 2 producers x 10,000 cups, each served in 1 s by 2 consumer processes: hours.
  {
    args: ['producer-consumer', '--model', 'multiprocessing', '--set', 'items=10000', '--set', 'serve=10'],
  },
  // Deadlocked at once (hold 0.1 s), but the detector looks only after 10 s.
  { args: ['deadlock', '--set', 'detect_after=10', '--scale', '1'] },
];

for (const target of ['native', 'wasm']) {
  for (const { args, native = [], wasm: wasmArgs = [] } of DEADLINE_RUNS) {
    const runArgs = ['run', ...args, ...(target === 'native' ? native : wasmArgs), '--deadline', String(DEADLINE_S), '--json'];
    // Loading the module and starting its workers comes before the run's clock starts in WASM.
    const bound = DEADLINE_S + (target === 'native' ? 10 : 20);
    test(`deadline (${target}): ${runArgs.slice(1, -3).join(' ')} stops at its deadline and leaves no process`, {
      timeout: 90_000,
    }, async () => {
      if (target === 'wasm') assertWasmBuilt();
      const result = target === 'native'
        ? await exec(BIN, runArgs, { timeoutMs: 60_000, detached: true })
        : await exec(process.execPath, [NODE_RUN, ...runArgs], { timeoutMs: 60_000, detached: true });
      await assertNothingLeft(result, runArgs.join(' '));
      assertExit(result, 1, runArgs.join(' '));
      const report = JSON.parse(result.stdout);
      assert.equal(report.platform, target);
      assert.deepEqual(report.error?.code, 'deadline', `error ${JSON.stringify(report.error)}`);
      assert.match(report.error.message, /deadline/);
      assert.ok(result.elapsed_s < bound, `ended ${result.elapsed_s.toFixed(1)} s after it started (bound ${bound} s)`);
      // Run to the deadline, not failed early; stopped soon after it.
      assert.ok(report.wall_s >= DEADLINE_S * 0.9 && report.wall_s < bound, `wall_s ${report.wall_s}`);
    });
  }
}

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

test('--trace to a directory is refused before the run; an unwritable trace loses neither the report nor a file', {
  timeout: RUN_TIMEOUT,
}, async (t) => {
  const dir = tempDir(t);
  const refused = await samovar('run', 'brew-chai', '--trace', dir);
  assertExit(refused, 2, 'run brew-chai --trace DIR');
  assert.match(refused.stderr, /^error: --trace .*: is a directory; allowed: a file path$/m);
  const blocked = join(dir, 'file');
  writeFileSync(blocked, 'not a directory');
  const unwritable = await samovar('run', 'brew-chai', '--json', '--trace', join(blocked, 'trace.json'));
  assertExit(unwritable, 1, 'run brew-chai --trace FILE/trace.json');
  assert.equal(JSON.parse(unwritable.stdout).scenario, 'brew-chai', 'the report is printed whole');
  assert.match(unwritable.stderr, /^samovar: --trace: /m);
  assert.deepEqual(readdirSync(dir), ['file'], 'no temporary file left');
});

// ---- scale (guide 8.2) and http-get (guide 2.4), natively ----

// A line's text with its numbers as N; the numbers of a line, in order.
const shapeOf = (text) => text.replace(/\d+(\.\d+)?/g, 'N');
const numbers = (text) => (text.match(/\d+(?:\.\d+)?/g) ?? []).map(Number);

// Each figure is a share of the run: every part measured inside it adds up to at most its
// wall time (a sum of measured parts, not a limit on how fast the machine is).
test('scale: asyncio\'s cost per task, as README runs it (defaults, --no-spans)', { timeout: 200_000 }, async () => {
  const report = await runJson(samovar, ['run', 'scale', '--no-spans', '--json']);
  assert.equal(report.model, 'asyncio');
  assert.equal(report.trace_level, 'off');
  assert.deepEqual(report.params, { tasks: 100000, delay: 1, switches: 1000000, sweep_to: 0 });
  assert.deepEqual(report.checks, { all_tasks_finished: true });
  const { metrics: m } = report;
  assert.equal(m.tasks, 100000);
  for (const name of ['overhead_us_per_task', 'bytes_per_task', 'switch_ns'])
    assert.ok(isNumber(m[name]) && m[name] > 0, `metrics.${name} ${m[name]}`);
  // A sleeping task holds at least its coroutine frame, and not a page of its own.
  assert.ok(m.bytes_per_task >= 16 && m.bytes_per_task < 16384, `bytes_per_task ${m.bytes_per_task}`);
  const sleep_s = 1 * report.scale;
  const parts_s = sleep_s + (m.tasks * m.overhead_us_per_task) / 1e6 + (report.params.switches * m.switch_ns) / 1e9;
  assert.ok(parts_s <= report.wall_s * 1.001 + 1e-4, `the parts (${parts_s} s) fit in the run (${report.wall_s} s)`);

  assert.deepEqual(report.output.map((l) => [l.who, shapeOf(l.text), l.stable]), [
    ['main', 'N tasks gathered, each sleeping N s: N us and N bytes per task', false],
    ['main', 'N suspend/resume through the loop (sleep(N)): N ns each', false],
  ]);
  const [tasks, each_s, us, bytes] = numbers(report.output[0].text);
  assert.deepEqual([tasks, each_s], [100000, sleep_s]);
  assert.ok(Math.abs(us - m.overhead_us_per_task) <= 0.0006, `line says ${us} us, metric ${m.overhead_us_per_task}`);
  assert.ok(Math.abs(bytes - m.bytes_per_task) <= 0.6, `line says ${bytes} bytes, metric ${m.bytes_per_task}`);
  const [switches, , ns] = numbers(report.output[1].text);
  assert.equal(switches, 1000000);
  assert.ok(Math.abs(ns - m.switch_ns) <= 0.06, `line says ${ns} ns, metric ${m.switch_ns}`);
});

test('scale --model threading: a pool round trip, an uncontended Lock, a thread start', { timeout: 200_000 }, async () => {
  const report = await runJson(samovar, ['run', 'scale', '--model', 'threading', '--no-spans', '--set', 'tasks=20000', '--json']);
  assert.equal(report.model, 'threading');
  assert.deepEqual(report.checks, { lock_free_at_end: true });
  const { metrics: m } = report;
  for (const name of ['pool_round_trip_us', 'lock_acquire_release_ns', 'thread_start_join_us'])
    assert.ok(isNumber(m[name]) && m[name] > 0, `metrics.${name} ${m[name]}`);
  const parts_s = (20000 * m.pool_round_trip_us) / 1e6 + (1000000 * m.lock_acquire_release_ns) / 1e9 +
    (100 * m.thread_start_join_us) / 1e6;
  assert.ok(parts_s <= report.wall_s * 1.001 + 1e-4, `the parts (${parts_s} s) fit in the run (${report.wall_s} s)`);

  assert.deepEqual(report.output.map((l) => [l.who, shapeOf(l.text), l.stable]), [
    ['main', 'N calls through a ThreadPoolExecutor, one at a time: N us each, submit to result', false],
    ['main', 'N uncontended Lock acquire and release: N ns each', false],
    ['main', 'N threads started and joined: N us each', false],
  ]);
  const [calls, round_trip] = numbers(report.output[0].text);
  const [pairs, lock_ns] = numbers(report.output[1].text);
  const [threads, start_us] = numbers(report.output[2].text);
  assert.deepEqual([calls, pairs, threads], [20000, 1000000, 100]);
  assert.ok(Math.abs(round_trip - m.pool_round_trip_us) <= 0.006, `${round_trip} vs ${m.pool_round_trip_us}`);
  assert.ok(Math.abs(lock_ns - m.lock_acquire_release_ns) <= 0.06, `${lock_ns} vs ${m.lock_acquire_release_ns}`);
  assert.ok(Math.abs(start_us - m.thread_start_join_us) <= 0.06, `${start_us} vs ${m.thread_start_join_us}`);
});

test('http-get: the GETs of the run\'s own /delay server are all in flight at once', { timeout: 200_000 }, async () => {
  const report = await runJson(samovar, ['run', 'http-get', '--set', 'requests=5', '--json']);
  // The URL holds the port chosen for this run: the lines are not stable.
  assert.deepEqual(guideLines(report).map((l) => l.who).sort(), ['task 1', 'task 2', 'task 3', 'task 4', 'task 5']);
  for (const line of guideLines(report)) {
    assert.equal(line.stable, false, line.text);
    assert.match(line.text, /^Fetches http:\/\/127\.0\.0\.1:\d+\/delay\/0\.2 with status 200$/);
  }
  assert.deepEqual(report.checks, { all_ok: true, overlapped: true });
  assert.equal(report.metrics.requests, 5);
  assert.equal(report.metrics.failed, 0);
  // The guide's "N requests take ~2 s, not 2 s each", without a stopwatch: all five waited
  // for their answers together (each opens its span before its request goes out, and no
  // answer comes before 0.2 s).
  assert.equal(report.metrics.peak_in_flight, 5, 'five requests in flight at once');
  assert.ok(report.wall_s >= 0.2, `no answer before 0.2 s: wall_s ${report.wall_s}`);
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
// Parity alone passes when both targets are wrong the same way: each case also names the
// checks (and metrics) the scenario guarantees whatever the timing, and both targets must
// have exactly those values. A check that depends on timing (how often a ticker ran, whether
// a producer found the queue full, whether a race lost updates this time) is only required
// to exist on both sides, as a boolean.

function assertGuaranteed(native, web, { checks = {}, metrics = {} }) {
  assert.equal(native.platform, 'native');
  assert.equal(web.platform, 'wasm');
  assert.deepEqual(Object.keys(web.checks).sort(), Object.keys(native.checks).sort(), 'the same checks');
  assert.deepEqual(Object.keys(web.metrics).sort(), Object.keys(native.metrics).sort(), 'the same metrics');
  assert.deepEqual(web.expected_checks, native.expected_checks, 'the same expected checks');
  for (const report of [native, web]) {
    for (const [name, value] of Object.entries(report.checks))
      assert.equal(typeof value, 'boolean', `${report.platform}: checks.${name}`);
    // Each check says what this variant should show: the same on both targets.
    assert.deepEqual(Object.keys(report.expected_checks).sort(), Object.keys(report.checks).sort(), `${report.platform}: expected_checks`);
    for (const [name, value] of Object.entries(checks))
      assert.equal(report.checks[name], value, `${report.platform}: checks.${name}`);
    for (const [name, value] of Object.entries(metrics))
      assert.equal(report.metrics[name], value, `${report.platform}: metrics.${name}`);
  }
  for (const key of ['schema_version', 'scenario', 'model', 'params', 'scale', 'seed', 'trace_level'])
    assert.deepEqual(web[key], native[key], key);
}

async function bothTargets(args) {
  assertWasmBuilt();
  return Promise.all([runJson(samovar, ['run', ...args, '--json']), runJson(wasm, ['run', ...args, '--json'])]);
}

// Runs with no thread in them: every line is stable, and in order.
const PARITY_RUNS = [
  { args: ['gather'], checks: { concurrent: true }, metrics: { tasks: 3 } },
  { args: ['gather', '--model', 'sequential'], checks: { concurrent: false }, metrics: { tasks: 3 } },
  { args: ['brew-chai'], checks: { thread_free_while_sleeping: true } },
  { args: ['gather', '--set', 'tasks=5'], checks: { concurrent: true }, metrics: { tasks: 5 } },
];

for (const { args, ...guaranteed } of PARITY_RUNS) {
  test(`parity: run ${args.join(' ')} prints the same lines natively and in WASM`, { timeout: 200_000 }, async () => {
    const [native, web] = await bothTargets(args);
    const lines = (report) => guideLines(report).map(({ who, text }) => [who, text]);
    assert.ok(native.output.length > 0);
    assert.deepEqual(lines(web), lines(native));
    assert.deepEqual(web.checks, native.checks);
    assertGuaranteed(native, web, guaranteed);
  });
}

// Threads interleave differently on each run and target: stable lines must be equal and in
// order; lines marked unstable (who got which cup, a total after lost updates, a time) must
// have the same shapes, numbers aside (`sameShapes: false` where even which lines appear is
// timing: with fix=timeout, which task times out and how often; how many times a logger or
// a ticker got to run). `checks` and `metrics` are what the scenario guarantees (above).
const THREAD_PARITY_RUNS = [
  { args: ['race', '--set', 'sync=lock'], checks: { exact: true }, metrics: { expected: 200000, lost: 0 } },
  // The modelled GIL switches only between increments, never inside one.
  { args: ['race', '--set', 'gil=true'], checks: { exact: true }, metrics: { expected: 200000, lost: 0 } },
  { args: ['race'], metrics: { expected: 200000 } },  // how many updates are lost is the race
  // With a hold, both tasks hold their first lock before either asks for its second: it
  // deadlocks every time (DESIGN.md, 3.5), the cycle is found and both waits fail.
  { args: ['deadlock'], checks: { deadlock_detected: true, completed: false }, metrics: { tasks_completed: 0 } },
  { args: ['deadlock', '--set', 'fix=ordering'], checks: { deadlock_detected: false, completed: true }, metrics: { tasks_completed: 2 } },
  // A timed wait never takes part in the wait-for graph: nothing to detect, both get through.
  { args: ['deadlock', '--set', 'fix=timeout'], checks: { deadlock_detected: false, completed: true }, metrics: { tasks_completed: 2 }, sameShapes: false },
  // Whether a producer found the queue full (producers_waited_for_space, puts_that_waited,
  // peak_queue_size) is timing; every cup served once, within maxsize, is not.
  ...['threading', 'asyncio'].map((model) => ({
    args: ['producer-consumer', '--model', model],
    checks: { each_cup_served_once: true, queue_within_maxsize: true },
    metrics: { cups: 10, served: 10 },
  })),
  // gil_off_tasks_overlapped asks whether the threads ran at the same moment: timing.
  { args: ['gil'], checks: { same_results: true, one_gil_holder_at_a_time: true } },
  { args: ['daemon'], checks: { daemon_died_at_exit: true, program_waited_for_non_daemon: true } },
  { args: ['health-monitor'], sameShapes: false },
  { args: ['check-stock'], sameShapes: false },
  // Whether a few short calls spread over both workers is timing.
  { args: ['encrypt', '--set', 'work=100000'], checks: { results_equal_sequential: true, no_worker_left: true } },
  {
    args: ['race', '--model', 'multiprocessing'],
    checks: { exact: false, each_process_counted_its_own: true, parent_unchanged: true },
    metrics: { expected: 200000, actual: 0 },
  },
  {
    args: ['race', '--model', 'multiprocessing', '--set', 'value=true', '--set', 'sync=lock'],
    checks: { exact: true },
    metrics: { expected: 200000, actual: 200000, lost: 0 },
  },
  { args: ['race', '--model', 'multiprocessing', '--set', 'value=true'], metrics: { expected: 200000 } },
  {
    args: ['producer-consumer', '--model', 'multiprocessing'],
    checks: { each_cup_served_once: true, queue_within_maxsize: true, parent_count_unchanged: true },
    metrics: { cups: 10, served: 10, served_count_in_parent: 0 },
  },
  {
    args: ['producer-consumer', '--model', 'multiprocessing', '--set', 'value=true'],
    checks: { each_cup_served_once: true, queue_within_maxsize: true, served_count_exact: true },
    metrics: { cups: 10, served: 10, served_count_in_parent: 10 },
  },
];

const stableLines = (report) => report.output.filter((l) => l.stable).map(({ who, text }) => [who, text]);
const shapes = (report) => [...new Set(guideLines(report).filter((l) => !l.stable).map(({ who, text }) => `${shapeOf(who)}: ${shapeOf(text)}`))].sort();

for (const { args, sameShapes = true, ...guaranteed } of THREAD_PARITY_RUNS) {
  test(`parity: run ${args.join(' ')} prints the same stable lines, and lines of the same shapes, natively and in WASM`, { timeout: 200_000 }, async () => {
    const [native, web] = await bothTargets(args);
    assert.ok(native.output.length > 0);
    assert.deepEqual(stableLines(web), stableLines(native));
    if (sameShapes) assert.deepEqual(shapes(web), shapes(native));
    assertGuaranteed(native, web, guaranteed);
  });
}

// An explored schedule is chosen by its seed alone, so one seed gives the same run on both
// targets: every line with its (virtual) time, every span, every turn, every metric.
const EXPLORED_RUNS = [
  ['race', '--set', 'increments=30'],
  ['deadlock', '--set', 'hold=0'],
  ['producer-consumer', '--set', 'items=3'],
  ['race', '--set', 'increments=30', '--strategy', 'pct', '--depth', '2', '--steps', '150'],
];
for (const args of EXPLORED_RUNS) {
  test(`parity: run ${args.join(' ')} --schedule explore gives the same run natively and in WASM`, { timeout: 200_000 }, async () => {
    for (const seed of ['1', '4']) {
      const [native, web] = await bothTargets([...args, '--schedule', 'explore', '--seed', seed]);
      assert.equal(native.schedule, 'explore');
      assert.ok(native.explore.steps_taken > 0, 'steps were taken');
      for (const key of ['output', 'trace', 'explore', 'checks', 'expected_checks', 'metrics', 'wall_s'])
        assert.deepEqual(web[key], native[key], `seed ${seed}: ${key}`);
    }
  });
}

test('explore: the guide\'s deadlock is found within 100 schedules, the same on both targets, and its seed replays it', { timeout: 200_000 }, async () => {
  assertWasmBuilt();
  const args = ['explore', 'deadlock', '--set', 'hold=0', '--runs', '100', '--seed', '1'];
  const [native, web] = await Promise.all([runJson(samovar, [...args, '--json']), runJson(wasm, [...args, '--json'])]);
  assert.ok(native.deadlocked > 0, `deadlocked: ${native.deadlocked}`);
  for (const key of ['runs', 'wrong', 'deadlocked', 'lost_updates', 'failed_checks', 'errors', 'steps_taken', 'switches'])
    assert.equal(web[key], native[key], key);
  assert.equal(web.first_wrong.seed, native.first_wrong.seed);
  assert.deepEqual(native.first_wrong.what, ['deadlocked']);
  assert.equal(native.first_wrong.replayed_same, true);
  // The text names the replay; running it fails the same way.
  const text = await samovar(...args);
  assertExit(text, 0, args.join(' '));
  const replay = /Replay: samovar (run .*)$/m.exec(text.stdout);
  assert.ok(replay, text.stdout);
  assert.match(replay[1], new RegExp(`--seed ${native.first_wrong.seed}$`));
  const again = await runJson(samovar, [...replay[1].split(' '), '--json']);
  assert.equal(again.explore.all_blocked, true);
  assert.equal(again.checks.deadlock_detected, true);
  assert.deepEqual(again.output, native.first_wrong.report.output);
});

test('explore: the race loses an update within 20 schedules; with a lock, none in 300', { timeout: 200_000 }, async () => {
  const racy = await runJson(samovar, ['explore', 'race', '--set', 'increments=20', '--runs', '20', '--json']);
  assert.ok(racy.lost_updates > 0);
  const locked = await runJson(samovar, ['explore', 'race', '--set', 'increments=20', '--set', 'sync=lock', '--runs', '300', '--json']);
  assert.equal(locked.wrong, 0);
  assert.equal(locked.first_wrong, null);
});

test('explore: bad input is exit 2 and names the field', { timeout: 200_000 }, async () => {
  for (const [args, field] of [
    [['explore', 'gather'], 'schedule'],
    [['explore', 'race', '--strategy', 'dfs'], 'strategy'],
    [['run', 'race', '--strategy', 'pct'], 'strategy'],
  ]) {
    const result = await samovar(...args);
    assertExit(result, 2, args.join(' '));
    assert.match(result.stderr, new RegExp(field), result.stderr);
  }
});

// http-get: natively the run starts its own /delay server, but WASM has no listening socket
// and under node no page origin to ask (a relative URL fails), so the parity run gives both
// the same URL: a /delay server in this test process. Which response arrives first is timing,
// so the lines are marked unstable (their text is the same on both) and compared in any order.
async function delayServer(t) {
  const server = createServer((request, response) => {
    const match = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(request.url);
    if (request.method !== 'GET' || !match) {
      response.writeHead(404).end();
      return;
    }
    const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      Math.min(Number(match[1]), 30) * 1000);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return `http://127.0.0.1:${server.address().port}`;
}

test('parity: run http-get against one /delay server prints the same lines natively and in WASM', { timeout: 200_000 }, async (t) => {
  const url = `${await delayServer(t)}/delay/0.2`;
  const [native, web] = await bothTargets(['http-get', '--set', 'requests=4', '--set', `url=${url}`]);
  const sorted = (report) => guideLines(report).map(({ who, text, stable }) => [who, text, stable]).sort();
  // On a mismatch, say what else the run reported (an error, a failed request's reason).
  const told = (report) => JSON.stringify({ error: report.error, checks: report.checks, metrics: report.metrics, wall_s: report.wall_s });
  assert.deepEqual(sorted(native), [1, 2, 3, 4].map((n) => [`task ${n}`, `Fetches ${url} with status 200`, false]), `native: ${told(native)}`);
  assert.deepEqual(sorted(web), sorted(native), `wasm: ${told(web)}`);
  // All four in flight at once (each opens its span before its request is sent, and no
  // answer comes before 0.2 s): the guide's "N requests take ~2 s, not 2 s each".
  assertGuaranteed(native, web, {
    checks: { all_ok: true, overlapped: true },
    metrics: { requests: 4, failed: 0, peak_in_flight: 4 },
  });
});

// With its defaults, http-get GETs the built-in /delay: natively from a server the run starts,
// under node from one the runner starts (web/node-run.mjs), so it works on every surface.
test('parity: run http-get with its defaults: every GET succeeds natively and in WASM', { timeout: 200_000 }, async () => {
  const [native, web] = await bothTargets(['http-get']);
  const told = (report) => JSON.stringify({ error: report.error, output: report.output, metrics: report.metrics });
  assert.deepEqual(stableLines(web), stableLines(native));
  assert.deepEqual(guideLines(web).map(({ text }) => text), Array(3).fill('Fetches /delay/0.2 with status 200'), `wasm: ${told(web)}`);
  for (const { text } of guideLines(native)) assert.match(text, /^Fetches http:\/\/127\.0\.0\.1:\d+\/delay\/0\.2 with status 200$/);
  assertGuaranteed(native, web, {
    checks: { all_ok: true, overlapped: true },
    metrics: { requests: 3, failed: 0 },
  });
});

// compare's HTTP row GETs the built-in /delay as http-get does: under node from the runner's own.
test('parity: compare\'s HTTP row: every GET succeeds natively and in WASM', { timeout: 200_000 }, async () => {
  const [native, web] = await bothTargets(['compare', '--set', 'rows=http']);
  for (const report of [native, web]) {
    const told = JSON.stringify({ error: report.error, checks: report.checks });
    assert.equal(report.checks['http/sequential_io_ok'], true, told);
    assert.equal(report.checks['http/asyncio_io_ok'], true, told);
    // Three GETs of 0.2 s each: one after another, then all at once.
    assert.ok(report.metrics['http/sequential_s'] >= 0.6, told);
    assert.ok(report.metrics['http/asyncio_s'] >= 0.2, told);
  }
});

// scale: every line is a measurement (unstable), so the shapes are compared, and the checks.
for (const [args, checks] of [
  [['scale', '--set', 'tasks=2000', '--set', 'switches=20000'], { all_tasks_finished: true }],
  [['scale', '--model', 'threading', '--set', 'tasks=2000', '--set', 'switches=20000'], { lock_free_at_end: true }],
]) {
  test(`parity: run ${args.join(' ')} prints lines of the same shapes natively and in WASM`, { timeout: 200_000 }, async () => {
    const [native, web] = await bothTargets(args);
    assert.deepEqual(stableLines(web), stableLines(native));
    assert.deepEqual(shapes(web), shapes(native));
    assert.equal(shapes(native).length, native.output.length, 'one line of each kind');
    assertGuaranteed(native, web, { checks });
    for (const report of [native, web])
      for (const [name, value] of Object.entries(report.metrics))
        if (!['lines_dropped', 'spans_dropped'].includes(name))
          assert.ok(isNumber(value) && value > 0, `${report.platform}: metrics.${name} ${value}`);
  });
}

test('parity: list --json is the same catalog natively and in WASM', { timeout: 200_000 }, async () => {
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
  test(`parity: ${args.join(' ')} is the same bad input natively and in WASM`, { timeout: 200_000 }, async () => {
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
  const result = await exec(BIN, ['bench', '--quick', '--out', out], { timeoutMs: 170_000 });
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
    assert.ok(!('trace' in r), `no trace in ${what}`);
    assert.ok(Array.isArray(r.output) && r.output.length <= 200, `at most 200 output lines in ${what}`);
  }
  const recorded = new Set(file.results.map((r) => `${r.scenario}/${r.model}`));
  for (const key of ['brew-chai/asyncio', 'brew-chai/sequential', 'gather/asyncio', 'gather/sequential'])
    assert.ok(recorded.has(key), `${key} recorded`);

  // The guide's 2.3, from the recorded figures: gathered brews overlap and take about one brew
  // (0.3 s at scale 0.1); one after another they take one brew each. Generous: with 10 tasks
  // (3 s against 0.3 s), asyncio must only be faster than sequential, which cannot take less
  // than tasks x 0.3 s. (With 3 tasks a 0.6 s stall of a busy machine would be enough to
  // make asyncio as slow: only the checks are asserted.)
  for (const tasks of [3, 10]) {
    const find = (model) => {
      const found = file.results.filter((r) => r.scenario === 'gather' && r.model === model &&
        r.params.tasks === tasks && r.params.blocking === false && r.scale === 0.1 && r.trace_level === 'spans');
      assert.equal(found.length, 1, `one gather/${model} record with ${tasks} tasks`);
      return found[0];
    };
    const gathered = find('asyncio');
    const sequential = find('sequential');
    assert.deepEqual(gathered.checks, { concurrent: true }, `gather/asyncio, ${tasks} tasks`);
    assert.deepEqual(sequential.checks, { concurrent: false }, `gather/sequential, ${tasks} tasks`);
    const brew_s = gathered.params.delay * gathered.scale;
    assert.ok(sequential.wall_s >= tasks * brew_s * 0.99, `sequential, ${tasks} tasks: wall_s ${sequential.wall_s}`);
    assert.ok(gathered.wall_s >= brew_s * 0.99, `asyncio, ${tasks} tasks: wall_s ${gathered.wall_s}`);
    if (tasks === 10)
      assert.ok(gathered.wall_s < sequential.wall_s,
        `${tasks} tasks: asyncio ${gathered.wall_s} s is faster than sequential ${sequential.wall_s} s`);
  }
  assert.deepEqual(readdirSync(dir), ['native.json'], 'no *.tmp.* file left');
});

// ---- run --spec (workload specs, docs/WORKLOAD.md) ----

const GOOD_SPEC = {
  version: 1,
  counters: [{ name: 'stock', shared: false }],
  tasks: ['chai', 'coffee'].map((name) => ({
    name,
    steps: [{ step: 'print', text: `brewing ${name}` }, { step: 'sleep', seconds: 1 },
      { step: 'cpu', units: 2 }, { step: 'incr', counter: 'stock', times: 100, locked: true }],
  })),
};

test('run --spec FILE runs the workload under the model asked for, on both targets', async (t) => {
  assertWasmBuilt();
  const file = join(tempDir(t), 'spec.json');
  writeFileSync(file, JSON.stringify(GOOD_SPEC));
  for (const run of [samovar, wasm]) {
    const report = await runJson(run, ['run', '--spec', file, '--model', 'threading', '--json']);
    assert.equal(report.scenario, 'workload');
    assert.deepEqual(report.spec.tasks.map((task) => task.name), ['chai', 'coffee']);
    assert.equal(report.checks.counters_exact, true);
    assert.equal(report.checks.one_gil_holder_at_a_time, true);
    assert.equal(report.metrics.primes, 2 * 2 * 753);
    const texts = report.output.map((line) => line.text);
    for (const text of ['chai started', 'brewing chai', 'chai finished', 'coffee finished'])
      assert.ok(texts.includes(text), `${text} in ${texts}`);
  }
});

test('run --spec with a bad file exits 2 and says why, on both targets', async (t) => {
  assertWasmBuilt();
  const dir = tempDir(t);
  const missing = join(dir, 'missing.json');
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, '{"version": 1, tasks');
  const badField = join(dir, 'bad.json');
  const bad = structuredClone(GOOD_SPEC);
  bad.tasks[1].steps[1].seconds = 'x';
  writeFileSync(badField, JSON.stringify(bad));
  const cases = [
    [missing, new RegExp(`^error: --spec ${missing}: cannot be read; allowed: a JSON file\n`)],
    [dir, /cannot be read; allowed: a JSON file/],
    [notJson, /^error: --spec .*not\.json: not JSON/],
    [badField, /^error: spec\.tasks\[1\]\.steps\[1\]\.seconds: .*expected number 0\.\.60, got string "x"/],
  ];
  for (const [file, message] of cases) {
    const [native, web] = await Promise.all([samovar('run', '--spec', file), wasm('run', '--spec', file)]);
    assertExit(native, 2, `native --spec ${file}`);
    assertExit(web, 2, `wasm --spec ${file}`);
    assert.equal(native.stdout, '');
    assert.match(native.stderr, message);
    assert.match(web.stderr, message);
  }
  // A spec is for the workload scenario only.
  const other = await samovar('run', 'gather', '--spec', badField);
  assertExit(other, 2, 'gather --spec');
  assert.match(other.stderr, /^error: spec: /);
});
