// How the page is hosted, and so what it can do: by `samovar serve` (cross-origin isolated by
// its headers; native runs and /delay there), or as a static copy (build/site/) on a host that
// sends no headers, isolated by the service worker sw.js, which also answers /delay. Without
// isolation, WebAssembly threads cannot start: `problem` says why in the reader's words.
const SERVICE_WORKER = 'sw.js';
const TAKE_CONTROL_MS = 10_000;
// Set before the one reload that lets the service worker's headers apply, so a browser that
// still does not isolate the page is told so instead of reloading forever.
const RELOADED = 'samovar-reloaded-for-isolation';

// Returns {mode: "server" | "static" | "none", reloading?: true, problem?: string}.
export async function detectHosting() {
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return {mode: (await isolatedByServiceWorker()) ? 'static' : 'server'};
  }
  const missing = 'This page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer and samovar\'s WebAssembly threads cannot start.';
  if (!globalThis.isSecureContext) {
    return {mode: 'none', problem: `${missing} Its server sends no isolation headers, and a service worker (which would add them) is allowed only on https:// or http://localhost: open it at such an address, or serve it with \`samovar serve\`.`};
  }
  if (!('serviceWorker' in navigator)) {
    return {mode: 'none', problem: `${missing} Its server sends no isolation headers, and this browser offers no service worker to add them (an old browser, or service workers turned off here): use a current Chromium or Firefox, or serve it with \`samovar serve\`.`};
  }
  if (sessionStorage.getItem(RELOADED)) {
    sessionStorage.removeItem(RELOADED);
    return {mode: 'none', problem: `${missing} A service worker adds the isolation headers, yet this browser did not isolate the page after a reload: it may not support Cross-Origin-Embedder-Policy. Use a current Chromium or Firefox, or serve it with \`samovar serve\`.`};
  }
  try {
    const registration = await navigator.serviceWorker.register(SERVICE_WORKER);
    if (!registration) throw new Error('it registered none');
    // A worker already active but not in control (a reload that bypassed it) takes over on a
    // plain reload; a new one first installs and claims the page.
    if (!registration.active) await controlled();
  } catch (e) {
    return {mode: 'none', problem: `${missing} Its server sends no isolation headers, and the browser refused the service worker that adds them (${e?.message ?? e}). Serve it with \`samovar serve\`, or allow service workers for this site.`};
  }
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return {mode: 'none', reloading: true};
}

// Resolves once a service worker controls the page (sw.js claims its clients when it starts).
function controlled() {
  if (navigator.serviceWorker.controller) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`it did not take control within ${TAKE_CONTROL_MS / 1000} s`)), TAKE_CONTROL_MS);
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      clearTimeout(timer);
      resolve();
    }, {once: true});
  });
}

// sw.js marks the responses it isolated; `samovar serve`'s own are not marked.
async function isolatedByServiceWorker() {
  if (!navigator.serviceWorker?.controller) return false;
  try {
    const response = await fetch(location.href, {method: 'HEAD', cache: 'no-store'});
    return response.headers.get('Samovar-Isolated-By') === 'service-worker';
  } catch {
    return false;
  }
}

// What a static copy cannot do, said where it matters: beside the header, and on the native box.
export function showHosting(hosting, {note, nativeBox}) {
  if (hosting.mode !== 'static') return;
  note.textContent = 'Static copy: a service worker makes this page cross-origin isolated. '
    + 'No native runs here (runs compare with the results recorded when this copy was built), '
    + 'and no real network: the service worker answers /delay inside the browser.';
  note.hidden = false;
  nativeBox.checked = false;
  nativeBox.disabled = true;
  const help = nativeBox.parentElement.querySelector('.help');
  if (help) help.textContent = 'not on a static copy: no samovar server here to run it natively; the recorded native results are compared instead';
}

export function hostingText(hosting) {
  return hosting.mode === 'static' ? 'cross-origin isolated by a service worker (static copy)' : 'cross-origin isolated';
}
