// Results recorded by `samovar bench` (native, and CPython where it ran), and matching them to a run.
import { SCHEMA_VERSION } from './schema.js';

// Relative, so that a static copy hosted in a folder finds its own.
export const NATIVE_URL = 'results/native.json';

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

// The same request: scenario, model, params (all keys), scale, seed, trace level and the
// workload spec, if any.
export function sameRequest(record, report) {
  return record.scenario === report.scenario
    && record.model === report.model
    && record.scale === report.scale
    && record.seed === report.seed
    && (record.schedule ?? 'os') === (report.schedule ?? 'os')
    && (record.trace_level ?? 'spans') === (report.trace_level ?? 'spans')
    && deepEqual(record.params, report.params)
    && deepEqual(record.spec ?? null, report.spec ?? null);
}

// A workload spec in a few words: "spec of 2 tasks (kettle, cups)".
export function specText(spec) {
  const tasks = Array.isArray(spec?.tasks) ? spec.tasks : null;
  if (!tasks) return 'a spec';
  const names = tasks.map((t) => t?.name).filter((n) => typeof n === 'string');
  const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ');
  return `spec of ${tasks.length} task${tasks.length === 1 ? '' : 's'}${listed ? ` (${listed})` : ''}`;
}

// How a recorded request differs from this run's, in words: "tasks 100 recorded, 3 here".
export function differences(record, report) {
  const out = [];
  const differ = (name, recorded, here) => {
    if (!deepEqual(recorded, here)) out.push(`${name} ${JSON.stringify(recorded)} recorded, ${JSON.stringify(here)} here`);
  };
  differ('model', record.model, report.model);
  differ('schedule', record.schedule ?? 'os', report.schedule ?? 'os');
  for (const name of new Set([...Object.keys(report.params ?? {}), ...Object.keys(record.params ?? {})])) {
    differ(name, record.params?.[name], report.params?.[name]);
  }
  differ('scale', record.scale, report.scale);
  differ('seed', record.seed, report.seed);
  differ('trace', record.trace_level ?? 'spans', report.trace_level ?? 'spans');
  // A spec is too long to quote: its gist, or that the two differ.
  if (!deepEqual(record.spec ?? null, report.spec ?? null)) {
    const recorded = specText(record.spec);
    const here = specText(report.spec);
    out.push(recorded === here ? `a different ${recorded} recorded` : `${recorded} recorded, ${here} here`);
  }
  return out;
}

// The recorded request nearest to this run's: the same scenario, then the same model and trace
// level, then the fewest differences, numbers nearest on a log scale. Null when none of the
// scenario was recorded.
export function nearestRecorded(results, report) {
  let best = null;
  let bestScore = Infinity;
  for (const r of results ?? []) {
    if (r.scenario !== report.scenario) continue;
    let score = (r.model === report.model ? 0 : 1000) + ((r.trace_level ?? 'spans') === (report.trace_level ?? 'spans') ? 0 : 100);
    for (const [name, here] of Object.entries(report.params ?? {})) score += distance(r.params?.[name], here);
    score += distance(r.scale, report.scale) + (r.seed === report.seed ? 0 : 0.5);
    if (!deepEqual(r.spec ?? null, report.spec ?? null)) score += 3;
    if (score < bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

function distance(recorded, here) {
  if (deepEqual(recorded, here)) return 0;
  if (typeof recorded === 'number' && typeof here === 'number' && recorded > 0 && here > 0) {
    return 1 + Math.abs(Math.log10(recorded / here));
  }
  return 3;
}

// Every recorded request of this scenario, once each, for the reader to load.
export function recordedRequests(results, scenario) {
  const out = [];
  for (const r of results ?? []) {
    if (r.scenario !== scenario || out.some((o) => sameRequest(o, r))) continue;
    out.push(r);
  }
  return out;
}
