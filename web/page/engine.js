// The page's handle on the WASM module: loads it, and turns its callbacks into promises.
// Runs happen on the module's runner pthread; nothing here blocks the main thread.
import { SCHEMA_VERSION } from './schema.js';

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

export async function loadEngine() {
  if (!globalThis.crossOriginIsolated) {
    throw new Error('this page is not cross-origin isolated, so the browser gives it no SharedArrayBuffer and WebAssembly threads cannot start: serve it with `samovar serve`, or open the static copy (build/site/) in a browser with service workers');
  }
  await loadScript('samovar.js');
  const jobs = new Map();
  const module = await globalThis.createSamovar({
    // The page's process workers start with the module (in the background), as a pool's
    // processes would be ready to fork: a pool then claims instances that are already up.
    samovarProcessWorkersAtStart: true,
    samovarLine(job, text) { jobs.get(job)?.onLine(JSON.parse(text)); },
    samovarExploreProgress(job, text) { jobs.get(job)?.onProgress(JSON.parse(text)); },
    samovarDone(job, text) {
      const pending = jobs.get(job);
      jobs.delete(job);
      pending?.resolve(JSON.parse(text));
    },
  });
  const takeString = (ptr) => { const s = module.UTF8ToString(ptr); module._free(ptr); return s; };
  const catalog = JSON.parse(takeString(module._samovar_catalog_json()));
  if (catalog.schema_version !== SCHEMA_VERSION) throw new Error(`unknown catalog schema_version ${catalog.schema_version}`);
  let nextJob = 1;
  return {
    catalog,
    // Aborting `signal` cancels the run: it still resolves, with a report whose error code is
    // "cancelled", once the engine reaches its next wait or checkpoint.
    run(request, onLine = () => {}, signal = undefined) {
      const job = nextJob++;
      return new Promise((resolve) => {
        const cancel = () => module._samovar_cancel(job);
        signal?.addEventListener('abort', cancel, {once: true});
        jobs.set(job, { onLine, onProgress: () => {}, resolve: (report) => { signal?.removeEventListener('abort', cancel); resolve(report); } });
        const ptr = module.allocateUTF8(JSON.stringify(request));
        module._samovar_start(job, ptr);
        module._free(ptr);
        if (signal?.aborted) cancel();
      });
    },
    // Explore: `runs` schedules of `request` on explored schedules, seeds request.seed onwards
    // (samovar explore). onProgress({done, runs, wrong}) comes about 100 times. Resolves with the
    // summary and its text as the CLI prints it ('' for a rejected request). Aborting `signal`
    // stops it: the summary then counts the schedules run before the stop.
    explore(request, runs, onProgress = () => {}, signal = undefined) {
      const job = nextJob++;
      return new Promise((resolve) => {
        const cancel = () => module._samovar_cancel(job);
        signal?.addEventListener('abort', cancel, {once: true});
        const done = (summary) => {
          signal?.removeEventListener('abort', cancel);
          let text = '';
          if (!summary.error) {
            const ptr = module.allocateUTF8(JSON.stringify(summary));
            try { text = takeString(module._samovar_explore_text(ptr)); } finally { module._free(ptr); }
          }
          resolve({summary, text});
        };
        jobs.set(job, {onLine: () => {}, onProgress, resolve: done});
        const ptr = module.allocateUTF8(JSON.stringify(request));
        module._samovar_explore_start(job, ptr, runs);
        module._free(ptr);
        if (signal?.aborted) cancel();
      });
    },
    // Share: a report as Chrome Trace Event JSON text, by the engine's converter (the CLI's --trace).
    chromeTrace(report) {
      const ptr = module.allocateUTF8(JSON.stringify(report));
      try {
        return takeString(module._samovar_chrome_trace(ptr));
      } finally {
        module._free(ptr);
      }
    },
  };
}
