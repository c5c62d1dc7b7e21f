// What the I/O worker (io-worker.js) and the process workers (process-worker.js) share: how a
// plain worker starts and talks to its parent, both as a browser Worker and as a node
// worker_threads Worker, its views on the module's memory, and the slot table it serves. web/pre.js starts each worker
// beside the module and sends it one message, the start message; the worker answers with
// messages of its own. Each loads this file from beside itself: with importScripts in a browser
// (they are classic workers) and with require under node (where they are CommonJS). In a
// browser it defines one global, self.samovarWorker; under node it is a module.
'use strict';

(function (exports) {
  const isNode = typeof process === 'object' && process.versions != null && process.versions.node != null;
  const port = isNode ? require('worker_threads').parentPort : null;

  exports.isNode = isNode;

  // Sends `message` to the thread that started this worker (pre.js's: the module's main thread).
  exports.post = (message) => (isNode ? port.postMessage(message) : self.postMessage(message));

  // Calls `start` with the start message's data, once: later messages are not listened to.
  exports.onStart = (start) => {
    if (isNode) {
      port.once('message', start);
    } else {
      self.onmessage = (event) => {
        self.onmessage = null;
        start(event.data);
      };
    }
  };

  // Views on `memory`, a WebAssembly.Memory or a SharedArrayBuffer. The memory can grow
  // (ALLOW_MEMORY_GROWTH): views on its old buffer would miss the new part, so the function
  // returned re-makes them whenever its length changed. Call it before touching the memory;
  // it returns {i32, u32, u8}, the same object as long as the length is the same.
  exports.viewsOf = (memory) => {
    let views = null;
    return () => {
      const buffer = memory instanceof SharedArrayBuffer ? memory : memory.buffer;
      if (views === null || buffer.byteLength !== views.byteLength) {
        views = {
          byteLength: buffer.byteLength,
          i32: new Int32Array(buffer),
          u32: new Uint32Array(buffer),
          u8: new Uint8Array(buffer),
        };
      }
      return views;
    };
  };

  // The slot table a worker serves (the I/O worker's, or the process table), from its start
  // message {memory, layout, table}: the table's layout, which pre.js hands over, and the
  // table's address in the memory. The table's header says how many slots there are, their
  // size and where they start; it must be of the layout's version, or this throws, naming
  // `what`. Returns {views, layout, count, address(slot, offset), headerAddress(offset)}: views
  // as viewsOf gives them, the number of slots, and the byte address of a slot's field (its
  // offset in layout.slot) or of a field of the header (its offset in layout.header).
  exports.openTable = (message, what) => {
    const { layout, table } = message;
    const views = exports.viewsOf(message.memory);
    const { i32 } = views();
    const headerAddress = (offset) => table + offset;
    const header = (offset) => i32[headerAddress(offset) >> 2];
    const version = header(layout.header.layout_version);
    if (version !== layout.version) throw new Error(`${what} layout ${version}, expected ${layout.version}`);
    const slots = table + header(layout.header.slots_offset);
    const size = header(layout.header.slot_size);
    const count = header(layout.header.slot_count);
    return { views, layout, count, address: (slot, offset) => slots + slot * size + offset, headerAddress };
  };
})(typeof module === 'object' && module.exports ? module.exports : (self.samovarWorker = {}));
