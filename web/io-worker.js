// The I/O worker: does HTTP and file operations for the WASM engine, with what the host has.
// A plain worker, a browser Worker or a node worker_threads Worker; web/pre.js starts it
// beside the module and sends it {memory, layout, table, base}: the module's WebAssembly.Memory
// (or its buffer), the slot table's layout (pre.js has it; engine/platform/wasm/io_table.cpp
// has the table), the table's address and the URL that relative request URLs resolve against
// (the page's; under node the runner's /delay server, if it started one). Protocol, all state and notify accesses seq_cst (Atomics):
//   C++ fills a slot, stores SUBMITTED, bumps the doorbell and notifies it.
//   Here: SUBMITTED -> IN_FLIGHT (CAS), do the request's kind, write the answer into the
//   slot's buffer, store DONE, then read the slot's notify address and, if set, store 1 there
//   and notify.
// Kinds: "fetch" (engine/platform/wasm/fetch.cpp): the platform's fetch. "make-temp-dir",
// "write", "read", "remove-tree" (engine/platform/wasm/files.cpp): node's fs under node, the
// origin-private file system (OPFS) in a browser.
// Requests run concurrently; nothing here blocks. This side never allocates module memory.
'use strict';

// File answers' status (files.cpp): done, a read's buffer too small (body length = the
// size wanted), or the step that failed, which names the error as natively.
const OK = 0, NEED_ROOM = 1, OPEN = 2, WRITE = 3, READ = 4, SYNC = 5, CREATE = 6;
const MAX_TIMER_MS = 2147483647;  // longer timers fire at once in node

// Start-up, memory views and the table, shared with process-worker.js (worker-start.js, beside this file).
const { isNode, post, onStart, openTable } =
  typeof require === 'function' ? require('./worker-start.js') : (importScripts('worker-start.js'), self.samovarWorker);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let slotTable = null;  // openTable: the module's memory (a WebAssembly.Memory or its buffer) and the table
let fields = null;  // slotTable.layout.slot: byte offsets of a slot's fields
let states = null;  // slotTable.layout.states: a slot's
let base;
let i32 = null, u32 = null, u8 = null;

// The memory can grow: call before touching it (worker-start.js).
function views() {
  ({ i32, u32, u8 } = slotTable.views());
}

const field = (slot, offset) => slotTable.address(slot, offset) >> 2;

function start(message) {
  slotTable = openTable(message, 'slot table');
  ({ slot: fields, states } = slotTable.layout);
  base = message.base;
  views();
  Atomics.store(i32, slotTable.headerAddress(slotTable.layout.header.worker_ready) >> 2, 1);
  serve();
}

// Waits for the doorbell and takes every submitted slot. The doorbell is read before the
// scan, so a request submitted during the scan changes it and the wait returns at once.
// The timeout only bounds the cost of a missed wake-up; nothing relies on it.
async function serve() {
  const doorbell = slotTable.headerAddress(slotTable.layout.header.doorbell) >> 2;
  for (;;) {
    views();
    const seen = Atomics.load(i32, doorbell);
    for (let slot = 0; slot < slotTable.count; slot++) {
      if (Atomics.load(i32, field(slot, fields.state)) === states.submitted &&
          Atomics.compareExchange(i32, field(slot, fields.state), states.submitted, states.in_flight) === states.submitted) {
        run(slot);  // not awaited: requests run concurrently
      }
    }
    if (typeof Atomics.waitAsync === 'function') {
      const wait = Atomics.waitAsync(i32, doorbell, seen, 1000);
      if (wait.async) await wait.value;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 2));  // Firefox has no waitAsync yet
    }
  }
}

async function run(slot) {
  let req = {};
  let answer;
  try {
    views();
    const request = u32[field(slot, fields.request)];
    const jsonLength = u32[field(slot, fields.request_json_len)];
    const bodyLength = u32[field(slot, fields.request_body_len)];
    const room = u32[field(slot, fields.response_cap)];
    // TextDecoder, fetch and the file APIs refuse views on a SharedArrayBuffer: slice() copies.
    req = JSON.parse(decoder.decode(u8.slice(request, request + jsonLength)));
    const body = u8.slice(request + jsonLength, request + jsonLength + bodyLength);
    switch (req.kind) {
      case 'fetch': answer = await perform(req, bodyLength > 0 ? body : undefined); break;
      case 'make-temp-dir': answer = { status: OK, body: encoder.encode(await files.makeTempDir(req.prefix)) }; break;
      case 'write': await files.write(req.path, body, req.sync); answer = { status: OK, body: EMPTY }; break;
      case 'read': answer = await files.read(req.path, room); break;
      case 'remove-tree': await files.removeTree(req.path); answer = { status: OK, body: EMPTY }; break;
      default: throw new Error(`unknown request kind ${JSON.stringify(req.kind)} (io-worker.js and the module from different builds?)`);
    }
  } catch (e) {
    answer = e instanceof FileError ? { status: e.step, error: e.message } : { error: describe(e, req) };
  }
  complete(slot, answer);
}

const EMPTY = new Uint8Array(0);

class TooLarge extends Error {}

async function perform(req, body) {
  let url;
  try {
    url = new URL(req.url, base);
  } catch {
    throw new TypeError(`bad URL ${JSON.stringify(req.url)}${base ? '' : ' (relative URLs need a page to resolve against)'}`);
  }
  const limit = req.max_response_bytes;
  const response = await fetch(url, {
    method: req.method,
    headers: req.headers,
    body,
    cache: 'no-store',  // else Chromium serializes identical GETs behind its cache lock
    signal: AbortSignal.timeout(Math.min(Math.ceil(req.timeout_s * 1000), MAX_TIMER_MS)),
  });
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) {
    response.body?.cancel().catch(() => {});
    throw new TooLarge();
  }
  // A declared length within the limit: the whole body at once. Chromium logs a body read to
  // its end through getReader() as net::ERR_ABORTED, though every byte came: a console full of
  // failures that did not happen.
  if (response.headers.has('content-length')) {
    const whole = new Uint8Array(await response.arrayBuffer());  // rejects with the timeout, too
    if (whole.byteLength > limit) throw new TooLarge();
    return { status: response.status, headers: [...response.headers], body: whole };
  }
  const chunks = [];
  let length = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();  // rejects with the timeout, too
      if (done) break;
      length += value.byteLength;
      if (length > limit) {
        reader.cancel().catch(() => {});
        throw new TooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { status: response.status, headers: [...response.headers], body: bytes };
}

// Browsers' words for a network failure, which they do not explain further.
const BROWSER_NETWORK_ERRORS = ['Failed to fetch', 'NetworkError when attempting to fetch resource.', 'Load failed'];

// One line that says what went wrong: node names the cause, a browser only that it failed.
function describe(e, req) {
  if (e instanceof TooLarge) return `response larger than ${req.max_response_bytes} bytes`;
  if (e && e.name === 'TimeoutError') return `timed out after ${req.timeout_s} s`;
  if (e instanceof TypeError && BROWSER_NETWORK_ERRORS.includes(e.message)) {
    return `network error: ${e.message} (refused, unreachable, or not allowed by CORS: the browser does not say which)`;
  }
  const code = e && e.cause && e.cause.code;
  const known = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found (DNS lookup failed)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    UND_ERR_SOCKET: 'connection closed before the response was complete',
  };
  if (code && known[code]) return known[code];
  const cause = e && e.cause && e.cause.message ? `: ${e.cause.message}` : '';
  return `${(e && e.message) || String(e)}${cause}`;
}

// A file operation's failure: the step that failed (OPEN...) and why, in a few words.
class FileError extends Error {
  constructor(step, e) {
    super(reason(e));
    this.step = step;
  }
}

// Runs one step of a file operation; its failure becomes a FileError naming the step.
async function step(which, action) {
  try {
    return await action();
  } catch (e) {
    throw e instanceof FileError ? e : new FileError(which, e);
  }
}

// The OPFS's DOMExceptions in the words of their POSIX counterparts (the browser's own
// messages are long and vague).
const DOM_REASONS = {
  NotFoundError: 'no such file or directory',
  TypeMismatchError: 'a file where a folder is expected, or a folder where a file is',
  NoModificationAllowedError: 'locked by another writer',
  QuotaExceededError: 'no space left (storage quota exceeded)',
};

// Node: "ENOENT: no such file or directory, open '/x'" -> "no such file or directory
// (ENOENT)" (C++ names the path). A browser: as above, or the exception's message and name.
function reason(e) {
  const node = /^([A-Z][A-Z0-9_]+): (.*?), \w+(?: '.*')?$/s.exec((e && e.message) || '');
  if (node) return `${node[2]} (${node[1]})`;
  if (e && DOM_REASONS[e.name]) return `${DOM_REASONS[e.name]} (${e.name})`;
  if (e && e.name && e.name !== 'Error') return `${e.message} (${e.name})`;
  return (e && e.message) || String(e);
}

const NAME_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomName(length) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => NAME_CHARACTERS[b % NAME_CHARACTERS.length]).join('');
}

// Under node, what the native build does with POSIX calls: the same steps, the same errors.
function nodeFiles() {
  const fsp = require('fs/promises');
  const os = require('os');
  const path = require('path');
  return {
    async makeTempDir(prefix) {
      return step(CREATE, () => fsp.mkdtemp(path.join(os.tmpdir(), prefix)));
    },
    async write(file, bytes, sync) {
      const handle = await step(OPEN, () => fsp.open(file, 'w', 0o644));
      let failure = null;
      try {
        await step(WRITE, () => handle.writeFile(bytes));
        if (sync) await step(SYNC, () => handle.sync());
      } catch (e) {
        failure = e;
      }
      try {
        await step(WRITE, () => handle.close());
      } catch (e) {
        failure = failure || e;
      }
      if (failure) throw failure;
    },
    async read(file, room) {
      const handle = await step(OPEN, () => fsp.open(file, 'r'));
      try {
        const { size } = await step(READ, () => handle.stat());
        if (size > room) return { status: NEED_ROOM, length: size };  // not read twice
        const bytes = await step(READ, () => handle.readFile());
        if (bytes.byteLength > room) return { status: NEED_ROOM, length: bytes.byteLength };  // it grew
        return { status: OK, body: bytes };
      } finally {
        await handle.close().catch(() => {});
      }
    },
    async removeTree(folder) {
      await fsp.rm(folder, { recursive: true, force: true });
    },
  };
}

// In a browser, the origin-private file system: paths are names of nested folders from its
// root ("/samovar-tmp/samovar-Ab3xZ9/order-1.txt"); temporary folders live in samovar-tmp.
function browserFiles() {
  const TEMP_FOLDER = 'samovar-tmp';
  let root = null;  // the promise of the OPFS root's handle, asked for once
  const opfs = () => (root = root || navigator.storage.getDirectory().catch((e) => {
    root = null;  // asked again next time
    throw e;
  }));
  const names = (file) => file.split('/').filter((name) => name !== '' && name !== '.');
  async function folder(path) {
    let handle = await opfs();
    for (const name of path) handle = await handle.getDirectoryHandle(name);
    return handle;
  }
  // The folder holding `file` and the file's name; a path with no name fails.
  async function place(file) {
    const path = names(file);
    const name = path.pop();
    if (name === undefined) throw new TypeError(`${JSON.stringify(file)} names no file`);
    return { parent: await folder(path), name };
  }
  return {
    async makeTempDir(prefix) {
      return step(CREATE, async () => {
        const top = await (await opfs()).getDirectoryHandle(TEMP_FOLDER, { create: true });
        // OPFS has no exclusive create: pick a random name (62^6 of them) that is not taken.
        for (let attempt = 0; attempt < 100; attempt++) {
          const name = prefix + randomName(6);
          try {
            await top.getDirectoryHandle(name);
            continue;  // taken
          } catch (e) {
            if (e.name !== 'NotFoundError') throw e;
          }
          await top.getDirectoryHandle(name, { create: true });
          return `/${TEMP_FOLDER}/${name}`;
        }
        throw new Error(`no free name in /${TEMP_FOLDER} after 100 tries`);
      });
    },
    async write(file, bytes) {
      // close() is the durable point (the data replaces the file's atomically then): `sync`
      // needs nothing more.
      const writable = await step(OPEN, async () => {
        const { parent, name } = await place(file);
        return (await parent.getFileHandle(name, { create: true })).createWritable();
      });
      try {
        await step(WRITE, () => writable.write(bytes));
      } catch (e) {
        await writable.abort().catch(() => {});
        throw e;
      }
      await step(WRITE, () => writable.close());
    },
    async read(file, room) {
      const handle = await step(OPEN, async () => {
        const { parent, name } = await place(file);
        return parent.getFileHandle(name);
      });
      const snapshot = await step(READ, () => handle.getFile());
      if (snapshot.size > room) return { status: NEED_ROOM, length: snapshot.size };
      return { status: OK, body: new Uint8Array(await step(READ, () => snapshot.arrayBuffer())) };
    },
    async removeTree(target) {
      const { parent, name } = await place(target);
      try {
        await parent.removeEntry(name, { recursive: true });
      } catch (e) {
        if (e.name !== 'NotFoundError') throw e;  // already gone is fine
      }
    },
  };
}

const files = isNode ? nodeFiles() : browserFiles();

// Whatever happens, the slot ends DONE and its waiter is woken: a lost answer is a hang.
function complete(slot, answer) {
  try {
    write(slot, answer);
  } catch (e) {
    try {
      write(slot, { error: `the I/O worker could not write the answer: ${e.message}` });
    } catch {
      u32[field(slot, fields.error_len)] = 0;  // C++ then reports malformed headers
      u32[field(slot, fields.headers_len)] = 0;
      u32[field(slot, fields.body_len)] = 0;
    }
  }
  Atomics.store(i32, field(slot, fields.state), states.done);
  const word = Atomics.load(i32, field(slot, fields.notify)) >>> 0;  // after DONE: see io_table.cpp
  if (word !== 0) {
    Atomics.store(i32, word >> 2, 1);
    Atomics.notify(i32, word >> 2);
  }
}

// Answers: {status, headers?, body} (headers only for fetch), {status: NEED_ROOM, length},
// or {error, status?}.
function write(slot, answer) {
  views();
  const response = u32[field(slot, fields.response)];
  const capacity = u32[field(slot, fields.response_cap)];
  let head = EMPTY;
  if (!answer.error && answer.body) {
    if (answer.headers) head = encoder.encode(JSON.stringify(answer.headers));
    if (head.byteLength + answer.body.byteLength > capacity) {
      answer = { error: answer.headers ? 'response headers too large' : 'the answer is larger than its buffer' };
    }
  }
  if (answer.error) {
    const text = encoder.encode(answer.error).subarray(0, capacity);
    u8.set(text, response);
    i32[field(slot, fields.status)] = answer.status || 0;
    u32[field(slot, fields.headers_len)] = 0;
    u32[field(slot, fields.body_len)] = 0;
    u32[field(slot, fields.error_len)] = text.byteLength;
  } else if (!answer.body) {
    i32[field(slot, fields.status)] = answer.status;  // NEED_ROOM: nothing written
    u32[field(slot, fields.headers_len)] = 0;
    u32[field(slot, fields.body_len)] = answer.length;
    u32[field(slot, fields.error_len)] = 0;
  } else {
    u8.set(head, response);
    u8.set(answer.body, response + head.byteLength);
    i32[field(slot, fields.status)] = answer.status;
    u32[field(slot, fields.headers_len)] = head.byteLength;
    u32[field(slot, fields.body_len)] = answer.body.byteLength;
    u32[field(slot, fields.error_len)] = 0;
  }
}

function onMessage(message) {
  try {
    start(message);
    post({ ready: true });
  } catch (e) {
    post({ error: String((e && e.stack) || e) });
  }
}

onStart(onMessage);
// Atomics.waitAsync holds no reference on node's event loop: without this the worker would
// exit as soon as it waits, silently, and fetches would never complete.
if (isNode) setInterval(() => {}, 1 << 30);
