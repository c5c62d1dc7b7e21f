// A process worker: one "process" of a WASM ProcessPoolExecutor. A plain worker (a browser
// Worker or a node worker_threads Worker) that web/pre.js starts beside the module and sends
// {memory, module, glue, table, slot, incarnation, sharedBlock}: the parent's
// WebAssembly.Memory, its compiled WebAssembly.Module, the URL of its JS glue, the address of
// the process table (engine/platform/wasm/process.cpp, which has the protocol), this worker's
// slot in it, the incarnation its state word carries, and the address of the parent's shared
// memory block (engine/platform/wasm/shared_memory.cpp), the one thing the instance may reach
// in the parent's memory: multiprocessing.Value and its kin live there. Here the glue is loaded again to make a NEW instance
// of the module with its OWN memory: a global changed here does not change the parent's.
// main() does not run, and the instance starts neither pthreads nor workers of its own.
// Then, one request at a time: wait for REQUEST, copy the bytes into this instance, call its
// samovar_process_call, copy the answer back (asking the parent for room when it does not
// fit). If the instance aborts or throws, the slot says CRASHED and why, and this worker
// waits to be terminated: an instance that aborted cannot be trusted again.
'use strict';

// Mirrors process.cpp (asserted there): the header's fields, a slot's, its phases.
const LAYOUT_VERSION = 1;
const T_LAYOUT_VERSION = 0, T_SLOT_SIZE = 8, T_SLOTS = 12;
const S_STATE = 0, S_REQUEST = 4, S_REQUEST_LEN = 8, S_ANSWER = 12, S_ANSWER_CAP = 16, S_ANSWER_LEN = 20,
  S_ERROR_LEN = 24, S_ERROR = 28, ERROR_BYTES = 240;
const STARTING = 0, READY = 1, REQUEST = 2, RUNNING = 3, NEED_ROOM = 4, ANSWERING = 5, ANSWERED = 6, CRASHED = 7;

const isNode = typeof process === 'object' && process.versions != null && process.versions.node != null;
const port = isNode ? require('worker_threads').parentPort : null;
const post = (message) => (isNode ? port.postMessage(message) : self.postMessage(message));

let memory = null;  // the parent's WebAssembly.Memory: its buffer grows
let slotBase = 0;
let stateIndex = 0;
let incarnation = 0;
let buffer = null, i32 = null, u32 = null, u8 = null;
let instance = null;  // this process's own Module

// The parent's memory may have grown since: views are re-made whenever its length changed.
function views() {
  if (buffer === null || memory.buffer.byteLength !== buffer.byteLength) {
    buffer = memory.buffer;
    i32 = new Int32Array(buffer);
    u32 = new Uint32Array(buffer);
    u8 = new Uint8Array(buffer);
  }
}

const field = (offset) => (slotBase + offset) >> 2;
const mine = (phase) => ((incarnation << 4) | phase) | 0;
const cas = (from, to) => Atomics.compareExchange(i32, stateIndex, mine(from), mine(to)) === mine(from);

function start(message) {
  memory = message.memory;
  incarnation = message.incarnation;
  views();
  const table = message.table;
  if (i32[(table + T_LAYOUT_VERSION) >> 2] !== LAYOUT_VERSION) {
    throw new Error(`process table layout ${i32[(table + T_LAYOUT_VERSION) >> 2]}, expected ${LAYOUT_VERSION}`);
  }
  slotBase = table + i32[(table + T_SLOTS) >> 2] + message.slot * i32[(table + T_SLOT_SIZE) >> 2];
  stateIndex = field(S_STATE);
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
  if (!cas(STARTING, READY)) return;  // recycled or killed before it was up: it will be terminated
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
    if (seen === mine(READY) || seen === mine(ANSWERED)) {
      if (!linger(seen)) Atomics.wait(i32, stateIndex, seen);
      continue;
    }
    if (seen !== mine(REQUEST) || !cas(REQUEST, RUNNING)) return;  // dead or recycled
    if (!answer()) return;
  }
}

// Runs the request in this instance and hands the answer over; false if this worker is done.
function answer() {
  views();
  const length = u32[field(S_REQUEST_LEN)];
  let bytes;
  try {
    bytes = run(u8.subarray(u32[field(S_REQUEST)], u32[field(S_REQUEST)] + length));
  } catch (e) {
    crash(describe(e));
    return false;
  }
  for (;;) {
    views();
    if (bytes.byteLength > u32[field(S_ANSWER_CAP)]) {
      u32[field(S_ANSWER_LEN)] = bytes.byteLength;
      if (!cas(RUNNING, NEED_ROOM)) return false;
      Atomics.notify(i32, stateIndex);
      while (Atomics.load(i32, stateIndex) === mine(NEED_ROOM)) Atomics.wait(i32, stateIndex, mine(NEED_ROOM));
      if (Atomics.load(i32, stateIndex) !== mine(RUNNING)) return false;
      continue;
    }
    if (!cas(RUNNING, ANSWERING)) return false;
    views();
    u8.set(bytes, u32[field(S_ANSWER)]);
    u32[field(S_ANSWER_LEN)] = bytes.byteLength;
    const done = cas(ANSWERING, ANSWERED);
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
  if (cas(RUNNING, ANSWERING)) {
    views();
    const bytes = new Uint8Array(ERROR_BYTES);  // encodeInto cuts at a character's end
    const written = new TextEncoder().encodeInto(text, bytes).written;
    u8.set(bytes.subarray(0, written), slotBase + S_ERROR);
    u32[field(S_ERROR_LEN)] = written;
    cas(ANSWERING, CRASHED);
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

if (isNode) {
  port.once('message', onMessage);
} else {
  self.onmessage = (event) => {
    self.onmessage = null;
    onMessage(event.data);
  };
}
