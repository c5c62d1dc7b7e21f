// The static site's service worker: it makes the page cross-origin isolated on a host that sends
// no headers (so SharedArrayBuffer, so WebAssembly threads), and answers /delay/<s> in the
// browser, as `samovar serve` would, so http-get runs with no server. Registered by
// web/page/hosting.js only when the page is not isolated already.
'use strict';

// engine/net/delay_server.hpp: delays past this are answered at it.
const MAX_DELAY_S = 30;
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
// Tells the page (hosting.js) that isolation and /delay come from here, not from its server.
const MARK = ['Samovar-Isolated-By', 'service-worker'];

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// Whether the server isolates the page itself (`samovar serve` on the same origin as a static
// copy seen before): then this worker adds nothing and answers nothing itself. It stays
// registered: unregistered, it would leave the page's workers to the browser's cache, which
// may still hold the static host's copies without the headers. Learnt from the page's
// navigation, or asked once per worker's life.
let serverIsolates = null;
function serverIsolation() {
  serverIsolates ??= fetch(self.registration.scope, {cache: 'no-store'})
    .then((response) => response.headers.has('Cross-Origin-Embedder-Policy'))
    .catch(() => false);
  return serverIsolates;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Chromium asks for this when DevTools opens; fetch() would throw on it.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
    return;
  }
  const delay = /^\/delay\/([^/]*)$/.exec(url.pathname) ?? delayUnderScope(url.pathname);
  event.respondWith(delay ? delayOrPass(request, delay[1]) : pass(request));
});

// The page asks for `/delay/...` at the origin's root (the engine's URL is a path alone); a copy
// hosted in a folder may also be asked relative to itself.
function delayUnderScope(pathname) {
  const scope = new URL(self.registration.scope).pathname;
  return pathname.startsWith(scope) ? /^delay\/([^/]*)$/.exec(pathname.slice(scope.length)) : null;
}

async function navigate(request) {
  const response = await fetch(request);
  if (response.headers.has('Cross-Origin-Embedder-Policy')) {
    serverIsolates = Promise.resolve(true);
    return isolated(response, false);
  }
  serverIsolates = Promise.resolve(false);
  return isolated(response);
}

// When the server isolates, each file is asked of it again: the browser's cache may still hold
// the static host's copy, without the headers, and a worker script from it would be refused.
async function pass(request) {
  const isolates = await serverIsolation();
  const response = await fetch(isolates ? new Request(request, {cache: 'no-cache'}) : request);
  return isolated(response, !isolates);
}

async function delayOrPass(request, secondsText) {
  if (await serverIsolation()) return fetch(request);
  return delay(secondsText, request.signal);
}

// A copy of `response`, with the isolation headers (and the mark) when `add`. An opaque response cannot be copied, and needs none: COEP refuses it.
function isolated(response, add = true) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  if (add) {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
    headers.set(...MARK);
  }
  return new Response(response.body, {status: response.status, statusText: response.statusText, headers});
}

function answer(status, type, body) {
  const headers = new Headers({...ISOLATION_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store'});
  headers.set(...MARK);
  return new Response(body, {status, headers});
}

// GET /delay/<seconds> as engine/net/native/delay_server.cpp answers it: {"delay_s": s} after s
// seconds (capped at 30), 400 for anything that is not a number >= 0. A request the page gives
// up on ends the wait early.
function delay(secondsText, signal) {
  const seconds = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(secondsText) ? Number(secondsText) : NaN;
  if (!Number.isFinite(seconds)) {
    return answer(400, 'text/plain; charset=utf-8',
      '/delay/<seconds>: seconds must be a number 0..30 (larger values are capped at 30)\n');
  }
  const capped = Math.min(seconds, MAX_DELAY_S);
  return new Promise((resolve) => {
    const done = () => resolve(answer(200, 'application/json', JSON.stringify({delay_s: Number(capped.toPrecision(6))})));
    const timer = setTimeout(done, capped * 1000);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    }, {once: true});
  });
}
