// The form's request against the native runs `samovar bench` recorded: each scenario's starting
// scale is the one it was recorded at, and the form says before a run when no record matches.
import { sameRequest, differences, nearestRecorded, recordedRequests } from './results.js';

const FALLBACK_SCALE = 0.1;

// The scale most of a scenario's records were made at (bench records each at one scale).
export function recordedScale(file, scenarioId) {
  const records = file?.status === 'ok' ? recordedRequests(file.native.results, scenarioId) : [];
  const counts = new Map();
  for (const r of records) if (Number.isFinite(r.scale)) counts.set(r.scale, (counts.get(r.scale) ?? 0) + 1);
  let best = FALLBACK_SCALE;
  let most = 0;
  for (const [scale, n] of counts) if (n > most) [best, most] = [scale, n];
  return best;
}

// Writes into `note` whether a recorded native run is this very request; data-match tells tests:
// "exact", "differs", "none" (nothing of this scenario recorded) or "" (no results file to read).
export function showMatch(note, file, request) {
  note.dataset.match = '';
  note.textContent = '';
  if (file?.status !== 'ok') return;
  const records = recordedRequests(file.native.results, request.scenario);
  if (!records.length) {
    note.dataset.match = 'none';
    note.textContent = `No native run of ${request.scenario} is recorded (samovar bench), so only a live native run can be compared with this one.`;
    return;
  }
  const asRecorded = {...request, trace_level: request.trace ?? 'spans'};
  if (records.some((r) => sameRequest(r, asRecorded))) {
    note.dataset.match = 'exact';
    note.textContent = '✓ A native run of this very request is recorded (samovar bench): the comparison can use it.';
    return;
  }
  const nearest = nearestRecorded(records, asRecorded);
  note.dataset.match = 'differs';
  note.textContent = `No recorded native run of this request: ${differences(nearest, asRecorded).join('; ')}. The comparison will use a live native run, or the nearest record.`;
}
