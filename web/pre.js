// Under node (the engine tests, web/node-run.mjs) or in a browser (the page).
var samovarOnNode = !!(typeof process === 'object' && process.versions && process.versions.node);

// Node 20 has a global fetch, and Emscripten 3.1.6's loader would use it to read the .wasm
// by URL, which node cannot; under node this shadows it so the loader reads the file.
var fetch = samovarOnNode ? undefined : globalThis.fetch;

// Starts the worker script at `url` (one beside this file: io-worker.js, process-worker.js)
// as a node worker_threads Worker or a browser Worker, whichever the host has. onMessage gets
// each message it sends; onStopped(why) is called when it fails to load, throws or exits (node
// reports a failed start twice: as an error, then as an exit). The workers' side of this is
// worker-start.js.
function samovarStartWorker(url, onMessage, onStopped) {
  var worker = samovarOnNode ? new (require('worker_threads').Worker)(url, { execArgv: [] }) : new Worker(url);
  if (samovarOnNode) {
    worker.on('message', onMessage);
    worker.on('error', function (e) { onStopped((e && e.stack) || e); });
    worker.on('exit', function (code) { onStopped('exit code ' + code); });
  } else {
    worker.onmessage = function (event) { onMessage(event.data); };
    worker.onerror = function (event) { onStopped(event.message || 'it did not load'); };
  }
  return worker;
}

// The I/O worker's slot table's layout (engine/platform/wasm/io_table.cpp has the table and the
// protocol, and asserts these offsets): byte offsets of its header's fields and of a slot's,
// and a slot's states. In JS they are here only: the I/O worker is handed them. Bump version
// with io_table.cpp's kLayoutVersion (2: requests carry a kind). Names as in io_table.cpp.
var samovarIoLayout = {
  version: 2,
  header: { doorbell: 0, worker_ready: 4, layout_version: 8, slot_count: 12, slot_size: 16, slots_offset: 20 },
  slot: {
    state: 0, notify: 4, request: 8, request_json_len: 12, request_body_len: 16, response: 20, response_cap: 24,
    status: 28, headers_len: 32, body_len: 36, error_len: 40
  },
  states: { free: 0, submitted: 1, in_flight: 2, done: 3 }
};

// The I/O worker (io-worker.js, beside this file) does HTTP and files for the engine through
// the slot table of engine/platform/wasm/io_table.cpp. One per module, started on the main runtime
// thread only (pthreads share it), in preRun: the module is instantiated by then and the
// table is constant-initialized. A run dependency holds main (and createSamovar's promise)
// until the worker serves the table; under node it is unref()'d only then, or node could
// exit before main runs. If it fails, fetches fail at once with an error, never hang.
// A process worker's instance has none: its calls do no I/O.
if (!Module['ENVIRONMENT_IS_PTHREAD'] && !Module['samovarProcessWorker']) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function samovarStartIoWorker() {
    if (typeof Module['_samovar_io_table'] !== 'function') return;
    var table = Module['_samovar_io_table']();
    var url = locateFile('io-worker.js');
    var worker = samovarStartWorker(url, onMessage, stopped);
    var pending = true;
    var gone = false;
    function settle() {
      if (pending) {
        pending = false;
        removeRunDependency('samovar-io-worker');
      }
    }
    function stopped(why) {
      if (gone) return;  // node reports a failed start twice: as an error, then as an exit
      gone = true;
      Atomics.store(new Int32Array(wasmMemory.buffer), (table + samovarIoLayout.header.worker_ready) >> 2, 0);
      err('samovar: the I/O worker (' + url + ') stopped: ' + why);
      settle();
    }
    function onMessage(message) {
      if (!message.ready) return stopped(message.error);
      if (samovarOnNode) worker.unref();
      settle();
    }
    addRunDependency('samovar-io-worker');
    // Relative URLs (the built-in /delay) resolve against the page, or under node against
    // Module.samovarBase: the origin of a server the runner started (web/node-run.mjs).
    worker.postMessage({ memory: wasmMemory, layout: samovarIoLayout, table: table, base: samovarOnNode ? Module['samovarBase'] : location.href });
  });
}

// The process table's layout (engine/platform/wasm/process.cpp has the table and the protocol,
// and asserts these offsets): byte offsets of its header's fields and of a slot's, the phases
// of a slot's state word, (incarnation << phase_bits) | phase, and the room for a crash's text.
// In JS they are here only: each process worker is handed them with its slot. Bump version
// with process.cpp's kLayoutVersion. Names as in process.cpp.
var samovarProcessLayout = {
  version: 1,
  header: { layout_version: 0, slot_count: 4, slot_size: 8, slots_offset: 12, host_ready: 16 },
  slot: { state: 0, request: 4, request_len: 8, answer: 12, answer_cap: 16, answer_len: 20, error_len: 24, error: 28 },
  error_bytes: 240,
  phase_bits: 4,
  phases: { starting: 0, ready: 1, request: 2, running: 3, need_room: 4, answering: 5, answered: 6, crashed: 7, dead: 8, recycle: 9 }
};

// Process workers (process-worker.js, beside this file; engine/platform/wasm/process.cpp has
// the protocol): each holds its own instance of this module, with its own memory, and answers
// the requests of one mailbox slot. Managed here, on the main runtime thread only, like the
// I/O worker (unref()'d under node once ready). Each starts when start_worker() first claims
// its slot (or, in the page, at start: see samovarProcessWorkersAtStart), not with the module:
// four instances cost ~0.3 s of a 2-core machine, which every test binary would pay
// (0.4 s -> 0.7 s per WASM test under node).
// Each is handed the compiled module, so it does not compile it again, and this glue's URL,
// which it loads with Module.samovarProcessWorker set: then this file starts no workers of
// its own and the pthread pool is empty (see PTHREAD_POOL_SIZE in the CMake files). C++
// pokes samovarProcessReconcile when a slot needs a worker (recycled: first or replaced) or
// its worker terminated (dead or killed); this thread then does what each slot's state asks.
if (!Module['ENVIRONMENT_IS_PTHREAD'] && !Module['samovarProcessWorker']) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function samovarStartProcessWorkers() {
    if (typeof Module['_samovar_process_table'] !== 'function') return;
    var layout = samovarProcessLayout;
    var header = layout.header;
    var phases = layout.phases;
    var stateOf = function (incarnation, phase) { return ((incarnation << layout.phase_bits) | phase) | 0; };
    var phaseOf = function (state) { return state & ((1 << layout.phase_bits) - 1); };
    var incarnationOf = function (state) { return state >>> layout.phase_bits; };
    var NEVER_STARTED = stateOf(0, phases.starting);  // a slot no worker has had
    var START_TIMEOUT_S = 30;
    var table = Module['_samovar_process_table']();
    var url = locateFile('process-worker.js');
    var glue = Module['mainScriptUrlOrBlob'] || _scriptDir;
    var heap = function () { return new Int32Array(wasmMemory.buffer); };
    if (heap()[(table + header.layout_version) >> 2] !== layout.version) {
      err('samovar: process table layout ' + heap()[(table + header.layout_version) >> 2] + ', expected ' + layout.version);
      return;
    }
    var slotCount = heap()[(table + header.slot_count) >> 2];
    var slotSize = heap()[(table + header.slot_size) >> 2];
    var slots = table + heap()[(table + header.slots_offset) >> 2];
    var stateIndex = function (slot) { return (slots + slot * slotSize + layout.slot.state) >> 2; };
    var workers = [];
    // The JS worker of a live slot is gone: the slot says so (CRASHED with why) and its
    // waiter wakes. Nothing changes if the slot moved on (killed, recycled, another worker).
    function markDead(entry, why) {
      var view = heap();
      var index = stateIndex(entry.slot);
      var seen = Atomics.load(view, index);
      var mine = function (phase) { return stateOf(entry.incarnation, phase); };
      if (incarnationOf(seen) !== entry.incarnation || phaseOf(seen) > phases.answering) return false;
      if (phaseOf(seen) === phases.answering) {
        Atomics.compareExchange(view, index, seen, mine(phases.dead));
      } else if (Atomics.compareExchange(view, index, seen, mine(phases.answering)) === seen) {
        var text = new Uint8Array(layout.error_bytes);
        var written = new TextEncoder().encodeInto(String(why), text).written;
        var base = slots + entry.slot * slotSize;
        new Uint8Array(wasmMemory.buffer).set(text.subarray(0, written), base + layout.slot.error);
        new Uint32Array(wasmMemory.buffer)[(base + layout.slot.error_len) >> 2] = written;
        Atomics.compareExchange(view, index, mine(phases.answering), mine(phases.crashed));
      }
      Atomics.notify(view, index);
      return true;
    }
    // Ends a slot's JS worker. `why` is set when it ended by itself or failed.
    function retire(entry, why) {
      if (entry.gone) return;
      entry.gone = true;
      if (why !== undefined && markDead(entry, why)) {
        err('samovar: process worker ' + entry.slot + ' (' + url + ') stopped: ' + why);
      }
      clearTimeout(entry.timer);
      entry.worker.terminate();
      if (workers[entry.slot] === entry) workers[entry.slot] = null;
    }
    function start(slot, incarnation) {
      var entry = { slot: slot, incarnation: incarnation, gone: false };
      var worker = entry.worker = samovarStartWorker(url, onMessage, function (why) { retire(entry, why); });
      workers[slot] = entry;
      // A start that neither succeeds nor fails must not hold its waiter for long.
      entry.timer = setTimeout(function () { retire(entry, 'not ready after ' + START_TIMEOUT_S + ' s'); }, START_TIMEOUT_S * 1000);
      function onMessage(message) {
        if (message.ready) {
          clearTimeout(entry.timer);
          if (samovarOnNode) worker.unref();
        } else if (message.crashed) {
          retire(entry);  // the slot already says why
        } else {
          retire(entry, message.error);
        }
      }
      worker.postMessage({ memory: wasmMemory, module: wasmModule, glue: glue, layout: layout, table: table, slot: slot, incarnation: incarnation, sharedBlock: Module['_samovar_shared_block']() });
    }
    function reconcile() {
      var view = heap();
      for (var slot = 0; slot < slotCount; slot++) {
        var seen = Atomics.load(view, stateIndex(slot));
        var incarnation = incarnationOf(seen);
        var phase = phaseOf(seen);
        var entry = workers[slot];
        if (phase === phases.recycle) {
          if (entry) retire(entry);
          // Wraps as the state word's incarnation bits do; 0 is never a worker's (process.cpp).
          var next = incarnationOf(stateOf(incarnation + 1, 0)) || 1;
          if (Atomics.compareExchange(view, stateIndex(slot), seen, stateOf(next, phases.starting)) === seen) {
            start(slot, next);
          }
        } else if ((phase === phases.dead || phase === phases.crashed) && entry && entry.incarnation === incarnation) {
          retire(entry);
        }
      }
    }
    Module['samovarProcessReconcile'] = reconcile;
    Atomics.store(heap(), (table + header.host_ready) >> 2, 1);
    // The page asks for its workers at start: each never-started slot gets its first instance
    // now (claiming one then waits for it to be READY). Elsewhere (node, the tests) they start
    // on first use, so that a run that needs no process pays nothing.
    if (Module['samovarProcessWorkersAtStart']) {
      for (var slot = 0; slot < slotCount; slot++) {
        if (Atomics.compareExchange(heap(), stateIndex(slot), NEVER_STARTED, stateOf(1, phases.starting)) === NEVER_STARTED) {
          start(slot, 1);
        }
      }
    }
  });
}

// In a process worker's instance: instantiate the compiled module it was handed, with this
// instance's own new memory. Emscripten 3.1.6 releases the 'wasm-instantiate' run dependency
// only once its pthread pool has loaded, which never happens for an empty pool: so it is done here.
if (!Module['ENVIRONMENT_IS_PTHREAD'] && Module['samovarProcessWorker']) {
  Module['instantiateWasm'] = function (imports, receiveInstance) {
    var compiled = Module['samovarWasmModule'];
    var instance = new WebAssembly.Instance(compiled, imports);
    receiveInstance(instance, compiled);
    if (PThread.unusedWorkers.length === 0) removeRunDependency('wasm-instantiate');
    return instance.exports;
  };
}
