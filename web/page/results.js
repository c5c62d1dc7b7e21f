// Native results recorded by `samovar bench`, and matching them to a run.
import { SCHEMA_VERSION } from './schema.js';

export const NATIVE_URL = '/results/native.json';

// Never throws: the comparison section says in words what went wrong.
// Returns {status: "ok", native} | {status: "missing"} | {status: "error", message}.
export async function loadNative() {
  let response;
  try {
    // Results may be re-recorded while the page is open; revalidate rather than trust the cache.
    response = await fetch(NATIVE_URL, {cache: 'no-cache'});
  } catch (e) {
    return {status: 'error', message: `could not fetch ${NATIVE_URL}: ${e.message}`};
  }
  if (response.status === 404) return {status: 'missing'};
  if (!response.ok) return {status: 'error', message: `${NATIVE_URL} answered HTTP ${response.status}`};
  let native;
  try {
    native = await response.json();
  } catch {
    return {status: 'error', message: `${NATIVE_URL} is not valid JSON`};
  }
  if (native?.schema_version !== SCHEMA_VERSION) {
    return {status: 'error', message: `${NATIVE_URL} has schema_version ${JSON.stringify(native?.schema_version)}; this page reads only ${SCHEMA_VERSION}`};
  }
  if (!Array.isArray(native.results)) return {status: 'error', message: `${NATIVE_URL} has no results list`};
  return {status: 'ok', native};
}

export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

// Same request apart from the model: scenario, params (all keys), scale and seed.
function sameInputs(record, report) {
  return record.scenario === report.scenario
    && record.scale === report.scale
    && record.seed === report.seed
    && deepEqual(record.params, report.params);
}

export function findMatch(native, report) {
  return native.results.find((r) => r.model === report.model && sameInputs(r, report)) ?? null;
}

// The same request under other models (e.g. sequential next to asyncio) puts the run's speed-up in context.
export function findOtherModels(native, report) {
  const seen = new Set();
  return native.results.filter((r) => {
    if (r.model === report.model || seen.has(r.model) || !sameInputs(r, report)) return false;
    seen.add(r.model);
    return true;
  });
}

// When nothing matches, the requests that were recorded for this scenario tell the reader what to try.
export function recordedRequests(native, report, limit = 5) {
  const out = [];
  for (const r of native.results) {
    if (r.scenario !== report.scenario || r.model !== report.model) continue;
    if (out.some((o) => o.scale === r.scale && o.seed === r.seed && deepEqual(o.params, r.params))) continue;
    out.push(r);
    if (out.length === limit) break;
  }
  return out;
}
