// A process worker: one "process" of a WASM ProcessPoolExecutor. A plain worker (a browser
// Worker or a node worker_threads Worker) that web/pre.js starts beside the module and sends
// {memory, module, glue, layout, table, slot, incarnation, sharedBlock}: the parent's
// WebAssembly.Memory, its compiled WebAssembly.Module, the URL of its JS glue, the process
// table's layout (pre.js has it; engine/platform/wasm/process.cpp has the table and the
// protocol), the table's address, this worker's slot in it, the incarnation its state word
// carries, and the address of the parent's shared memory block
// (engine/platform/wasm/shared_memory.cpp), the one thing the instance may reach in the
// parent's memory: multiprocessing.Value and its kin live there. Here the glue is loaded again
// to make a NEW instance of the module with its OWN memory: a global changed here does not
// change the parent's.
// main() does not run, and the instance starts neither pthreads nor workers of its own.
// Then, one request at a time: wait for REQUEST, copy the bytes into this instance, call its
// samovar_process_call, copy the answer back (asking the parent for room when it does not
// fit). If the instance aborts or throws, the slot says CRASHED and why, and this worker
// waits to be terminated: an instance that aborted cannot be trusted again.
'use strict';

// Start-up, memory views and the table, shared with io-worker.js (worker-start.js, beside this file).
const { isNode, post, onStart, openTable } =
  typeof require === 'function' ? require('./worker-start.js') : (importScripts('worker-start.js'), self.samovarWorker);

let slotTable = null;  // openTable: the parent's WebAssembly.Memory and the process table
let layout = null;  // slotTable.layout
let fields = null;  // layout.slot: byte offsets of a slot's fields
let phases = null;  // layout.phases: a slot's, as in its state word
let slot = 0;
let stateIndex = 0;
let incarnation = 0;
let i32 = null, u32 = null, u8 = null;
let instance = null;  // this process's own Module

// The parent's memory may have grown since: call before touching it (worker-start.js).
function views() {
  ({ i32, u32, u8 } = slotTable.views());
}

const field = (offset) => slotTable.address(slot, offset) >> 2;
const mine = (phase) => ((incarnation << layout.phase_bits) | phase) | 0;
const cas = (from, to) => Atomics.compareExchange(i32, stateIndex, mine(from), mine(to)) === mine(from);

function start(message) {
  slotTable = openTable(message, 'process table');
  layout = slotTable.layout;
  ({ slot: fields, phases } = layout);
  ({ slot, incarnation } = message);
  views();
  stateIndex = field(fields.state);
  const glue = message.glue;
  const folder = glue.slice(0, glue.lastIndexOf('/') + 1);
  // The glue reads this object as its Module: as a global (a plain build) or as
  // createSamovar's argument (MODULARIZE). pre.js instantiates samovarWasmModule.
  const config = {
    samovarProcessWorker: true,
    samovarWasmModule: message.module,
    samovarSharedBase: message.sharedBlock >> 2,
    samovarSharedWords() {
      views();
      return i32;
    },
    noInitialRun: true,
    mainScriptUrlOrBlob: glue,
    locateFile: (path) => folder + path,
    onAbort(what) {
      if (instance === null) fail(what);  // later, the call that aborted reports it
    },
    onRuntimeInitialized() {
      instance = config;
      // A yield first, so that createSamovar's promise and the glue's own start finish.
      setTimeout(ready, 0);
    },
  };
  if (isNode) {
    // As Emscripten's own pthread worker does: the glue then sees a worker with these globals.
    const fs = require('fs');
    Object.assign(global, {
      self: global,
      require,
      Module: config,
      location: { href: glue },
      importScripts: (file) => (0, eval)(fs.readFileSync(file, 'utf8')),
    });
  } else {
    self.Module = config;
  }
  importScripts(glue);
  if (typeof createSamovar === 'function') createSamovar(config).catch((e) => fail(e));
}

function ready() {
  views();
  if (!cas(phases.starting, phases.ready)) return;  // recycled or killed before it was up: it will be terminated
  Atomics.notify(i32, stateIndex);
  post({ ready: true });
  serve();
}

// Watches the state word for a moment before sleeping on it: a request that comes within the
// window is taken without a wake-up (most of a round trip). True if the word changed.
const LINGER_MS = 0.05;
const CORES = isNode ? require('os').cpus().length : navigator.hardwareConcurrency || 1;
function linger(seen) {
  if (CORES < 2) return false;  // the parent could not run meanwhile
  const until = performance.now() + LINGER_MS;
  while (performance.now() < until) {
    if (Atomics.load(i32, stateIndex) !== seen) return true;
  }
  return false;
}

// Blocks this worker for good: it has nothing else to do, and terminate() still ends it.
// Between calls the state is READY, or ANSWERED until the parent has copied the answer.
function serve() {
  for (;;) {
    views();
    const seen = Atomics.load(i32, stateIndex);
    if (seen === mine(phases.ready) || seen === mine(phases.answered)) {
      if (!linger(seen)) Atomics.wait(i32, stateIndex, seen);
      continue;
    }
    if (seen !== mine(phases.request) || !cas(phases.request, phases.running)) return;  // dead or recycled
    if (!answer()) return;
  }
}

// Runs the request in this instance and hands the answer over; false if this worker is done.
function answer() {
  views();
  const request = u32[field(fields.request)];
  const length = u32[field(fields.request_len)];
  let bytes;
  try {
    bytes = run(u8.subarray(request, request + length));
  } catch (e) {
    crash(describe(e));
    return false;
  }
  for (;;) {
    views();
    if (bytes.byteLength > u32[field(fields.answer_cap)]) {
      u32[field(fields.answer_len)] = bytes.byteLength;
      if (!cas(phases.running, phases.need_room)) return false;
      Atomics.notify(i32, stateIndex);
      while (Atomics.load(i32, stateIndex) === mine(phases.need_room)) Atomics.wait(i32, stateIndex, mine(phases.need_room));
      if (Atomics.load(i32, stateIndex) !== mine(phases.running)) return false;
      continue;
    }
    if (!cas(phases.running, phases.answering)) return false;
    views();
    u8.set(bytes, u32[field(fields.answer)]);
    u32[field(fields.answer_len)] = bytes.byteLength;
    const done = cas(phases.answering, phases.answered);
    Atomics.notify(i32, stateIndex);
    return done;
  }
}

// Copies `request` (a view on the parent's memory) into this instance and calls it. The
// answer is a view on this instance's memory, valid until its next call.
function run(request) {
  const M = instance;
  const size = request.byteLength;
  const input = M._malloc(Math.max(1, size));
  const lengthWord = M._malloc(4);
  if (!input || !lengthWord) throw new Error(`out of memory for a request of ${size} bytes`);
  new Uint8Array(M.wasmMemory.buffer).set(request, input);
  const output = M._samovar_process_call(input, size, lengthWord);
  const own = M.wasmMemory.buffer;  // after the call: it may have grown
  const length = new Uint32Array(own)[lengthWord >> 2];
  M._free(input);
  M._free(lengthWord);
  return new Uint8Array(own, output, length);
}

function describe(e) {
  if (e && e.name === 'ExitStatus') return `it called exit(${e.status})`;
  return String((e && e.message) || e);
}

// The instance failed mid-call: the slot says why, and the parent terminates this worker.
function crash(text) {
  if (cas(phases.running, phases.answering)) {
    views();
    const bytes = new Uint8Array(layout.error_bytes);  // encodeInto cuts at a character's end
    const written = new TextEncoder().encodeInto(text, bytes).written;
    u8.set(bytes.subarray(0, written), slotTable.address(slot, fields.error));
    u32[field(fields.error_len)] = written;
    cas(phases.answering, phases.crashed);
    Atomics.notify(i32, stateIndex);
  }
  post({ crashed: true });
}

// Before it is up: the parent marks the slot CRASHED with this text.
function fail(e) {
  post({ error: `its instance did not start: ${String((e && e.stack) || e)}` });
}

function onMessage(message) {
  try {
    start(message);
  } catch (e) {
    fail(e);
  }
}

onStart(onMessage);
