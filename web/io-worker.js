// The I/O worker: does HTTP for the WASM engine with the platform's fetch. A plain worker,
// a browser Worker or a node worker_threads Worker; web/pre.js starts it beside the module
// and sends it {memory, table, base}: the module's WebAssembly.Memory (or its buffer), the
// address of the slot table (engine/platform/wasm/fetch.cpp) and the URL that relative
// request URLs resolve against (the page's; none under node). Protocol, all state and
// notify accesses seq_cst (Atomics):
//   C++ fills a slot, stores SUBMITTED, bumps the doorbell and notifies it.
//   Here: SUBMITTED -> IN_FLIGHT (CAS), fetch, write the answer into the slot's buffer,
//   store DONE, then read the slot's notify address and, if set, store 1 there and notify.
// Requests run concurrently; nothing here blocks. This side never allocates module memory.
'use strict';

const LAYOUT_VERSION = 1;
// The table's header and a slot's fields: byte offsets, asserted in fetch.cpp.
const T_DOORBELL = 0, T_WORKER_READY = 4, T_LAYOUT_VERSION = 8, T_SLOT_COUNT = 12, T_SLOT_SIZE = 16, T_SLOTS = 20;
const S_STATE = 0, S_NOTIFY = 4, S_REQUEST = 8, S_REQUEST_JSON_LEN = 12, S_REQUEST_BODY_LEN = 16, S_RESPONSE = 20,
  S_RESPONSE_CAP = 24, S_STATUS = 28, S_HEADERS_LEN = 32, S_BODY_LEN = 36, S_ERROR_LEN = 40;
const SUBMITTED = 1, IN_FLIGHT = 2, DONE = 3;
const MAX_TIMER_MS = 2147483647;  // longer timers fire at once in node

const isNode = typeof process === 'object' && process.versions != null && process.versions.node != null;
const port = isNode ? require('worker_threads').parentPort : null;
const post = (message) => (isNode ? port.postMessage(message) : self.postMessage(message));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let memory = null;  // a WebAssembly.Memory (sees growth) or a SharedArrayBuffer
let table = 0;
let base;
let slots = 0, slotCount = 0, slotSize = 0;
let buffer = null, i32 = null, u32 = null, u8 = null;

// The memory can grow (ALLOW_MEMORY_GROWTH): views on the old buffer would miss the new
// part, so they are re-made whenever the length changed. Call before touching memory.
function views() {
  const current = memory instanceof SharedArrayBuffer ? memory : memory.buffer;
  if (buffer === null || current.byteLength !== buffer.byteLength) {
    buffer = current;
    i32 = new Int32Array(buffer);
    u32 = new Uint32Array(buffer);
    u8 = new Uint8Array(buffer);
  }
}

const field = (slot, offset) => (slots + slot * slotSize + offset) >> 2;

function start(message) {
  memory = message.memory;
  table = message.table;
  base = message.base;
  views();
  const version = i32[(table + T_LAYOUT_VERSION) >> 2];
  if (version !== LAYOUT_VERSION) throw new Error(`slot table layout ${version}, expected ${LAYOUT_VERSION}`);
  slotCount = i32[(table + T_SLOT_COUNT) >> 2];
  slotSize = i32[(table + T_SLOT_SIZE) >> 2];
  slots = table + i32[(table + T_SLOTS) >> 2];
  Atomics.store(i32, (table + T_WORKER_READY) >> 2, 1);
  serve();
}

// Waits for the doorbell and takes every submitted slot. The doorbell is read before the
// scan, so a request submitted during the scan changes it and the wait returns at once.
// The timeout only bounds the cost of a missed wake-up; nothing relies on it.
async function serve() {
  const doorbell = (table + T_DOORBELL) >> 2;
  for (;;) {
    views();
    const seen = Atomics.load(i32, doorbell);
    for (let slot = 0; slot < slotCount; slot++) {
      if (Atomics.load(i32, field(slot, S_STATE)) === SUBMITTED &&
          Atomics.compareExchange(i32, field(slot, S_STATE), SUBMITTED, IN_FLIGHT) === SUBMITTED) {
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
    const request = u32[field(slot, S_REQUEST)];
    const jsonLength = u32[field(slot, S_REQUEST_JSON_LEN)];
    const bodyLength = u32[field(slot, S_REQUEST_BODY_LEN)];
    // TextDecoder and fetch refuse views on a SharedArrayBuffer: slice() copies out.
    req = JSON.parse(decoder.decode(u8.slice(request, request + jsonLength)));
    const body = bodyLength > 0 ? u8.slice(request + jsonLength, request + jsonLength + bodyLength) : undefined;
    answer = await perform(req, body);
  } catch (e) {
    answer = { error: describe(e, req) };
  }
  complete(slot, answer);
}

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

// Whatever happens, the slot ends DONE and its waiter is woken: a lost answer is a hang.
function complete(slot, answer) {
  try {
    write(slot, answer);
  } catch (e) {
    try {
      write(slot, { error: `the I/O worker could not write the answer: ${e.message}` });
    } catch {
      u32[field(slot, S_ERROR_LEN)] = 0;  // C++ then reports malformed headers
      u32[field(slot, S_HEADERS_LEN)] = 0;
      u32[field(slot, S_BODY_LEN)] = 0;
    }
  }
  Atomics.store(i32, field(slot, S_STATE), DONE);
  const word = Atomics.load(i32, field(slot, S_NOTIFY)) >>> 0;  // after DONE: see fetch.cpp
  if (word !== 0) {
    Atomics.store(i32, word >> 2, 1);
    Atomics.notify(i32, word >> 2);
  }
}

function write(slot, answer) {
  views();
  const response = u32[field(slot, S_RESPONSE)];
  const capacity = u32[field(slot, S_RESPONSE_CAP)];
  let headers = null;
  if (!answer.error) {
    headers = encoder.encode(JSON.stringify(answer.headers));
    if (headers.byteLength + answer.body.byteLength > capacity) answer = { error: 'response headers too large' };
  }
  if (answer.error) {
    const text = encoder.encode(answer.error).subarray(0, capacity);
    u8.set(text, response);
    i32[field(slot, S_STATUS)] = 0;
    u32[field(slot, S_HEADERS_LEN)] = 0;
    u32[field(slot, S_BODY_LEN)] = 0;
    u32[field(slot, S_ERROR_LEN)] = text.byteLength;
  } else {
    u8.set(headers, response);
    u8.set(answer.body, response + headers.byteLength);
    i32[field(slot, S_STATUS)] = answer.status;
    u32[field(slot, S_HEADERS_LEN)] = headers.byteLength;
    u32[field(slot, S_BODY_LEN)] = answer.body.byteLength;
    u32[field(slot, S_ERROR_LEN)] = 0;
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

if (isNode) {
  port.once('message', onMessage);
  // Atomics.waitAsync holds no reference on node's event loop: without this the worker
  // would exit as soon as it waits, silently, and fetches would never complete.
  setInterval(() => {}, 1 << 30);
} else {
  self.onmessage = (event) => {
    self.onmessage = null;
    onMessage(event.data);
  };
}
