// Node 20 has a global fetch, and Emscripten 3.1.6's loader would use it to read the .wasm
// by URL, which node cannot; under node this shadows it so the loader reads the file.
var fetch = (typeof process === 'object' && process.versions && process.versions.node) ? undefined : globalThis.fetch;

// The I/O worker (io-worker.js, beside this file) does HTTP and files for the engine through
// the slot table of engine/platform/wasm/io_table.cpp. One per module, started on the main runtime
// thread only (pthreads share it), in preRun: the module is instantiated by then and the
// table is constant-initialized. A run dependency holds main (and createSamovar's promise)
// until the worker serves the table; under node it is unref()'d only then, or node could
// exit before main runs. If it fails, fetches fail at once with an error, never hang.
if (!Module['ENVIRONMENT_IS_PTHREAD']) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function samovarStartIoWorker() {
    if (typeof Module['_samovar_io_table'] !== 'function') return;
    var onNode = typeof process === 'object' && process.versions && process.versions.node;
    var table = Module['_samovar_io_table']();
    var url = locateFile('io-worker.js');
    var worker = onNode ? new (require('worker_threads').Worker)(url, { execArgv: [] }) : new Worker(url);
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
      Atomics.store(new Int32Array(wasmMemory.buffer), (table + 4) >> 2, 0);  // worker_ready
      err('samovar: the I/O worker (' + url + ') stopped: ' + why);
      settle();
    }
    function onMessage(message) {
      if (!message.ready) return stopped(message.error);
      if (onNode) worker.unref();
      settle();
    }
    if (onNode) {
      worker.on('message', onMessage);
      worker.on('error', function (e) { stopped((e && e.stack) || e); });
      worker.on('exit', function (code) { stopped('exit code ' + code); });
    } else {
      worker.onmessage = function (event) { onMessage(event.data); };
      worker.onerror = function (event) { stopped(event.message || 'it did not load'); };
    }
    addRunDependency('samovar-io-worker');
    worker.postMessage({ memory: wasmMemory, table: table, base: onNode ? undefined : location.href });
  });
}
