// A finished run saved as its report JSON, opened again (a file input, or a file dropped on the
// page), and exported as a Chrome trace for Perfetto by the engine's own converter.
// The saved file is the report exactly as the engine returned it, plus `native_run`: the report
// of the same request run natively by `samovar serve` just after it, when that ran.
import { SCHEMA_VERSION } from './schema.js';
import { say } from './share.js';

const $ = (id) => document.getElementById(id);
let ctx = null;
let held = null;

// ctx: {engine, catalog, show(report, live) (renders it as a finished run), busy(), status(text)}.
export function startReportFiles(context) {
  ctx = context;
  const input = $('open-report');
  $('open-report-button').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const [file] = input.files;
    input.value = '';  // the same file chosen again is a change again
    if (file) open(file);
  });
  $('download-report').addEventListener('click', download);
  $('export-trace').addEventListener('click', exportTrace);
  // Only a drag that carries files is taken; text dragged inside the page is left alone.
  const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragover', (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    document.body.classList.add('dropping');
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) document.body.classList.remove('dropping');
  });
  document.addEventListener('drop', (event) => {
    document.body.classList.remove('dropping');
    if (!carriesFiles(event)) return;
    event.preventDefault();
    const [file] = event.dataTransfer.files;
    if (file) open(file);
  });
}

// The report now shown, for Download and Export; `file` is the name it was opened from, if any.
export function holdReport(report, live, file = null) {
  const saved = {...report};
  delete saved.native_run;
  if (live?.status === 'ok' && live.report && !live.report.error) saved.native_run = live.report;
  held = {report: saved, file, at: file ? null : new Date()};
  $('report-actions').hidden = false;
  const exportable = !traceProblem(report);
  $('export-trace').disabled = !exportable;
  $('export-trace').title = exportable ? 'Chrome Trace Event JSON: open it in Perfetto or chrome://tracing' : 'this report has no trace to export';
  const source = $('report-source');
  source.hidden = !file;
  source.textContent = file ? `Opened from the file ${file}: a saved report, not a live run. Its request is in the form; Run runs it here.` : '';
  document.getElementById('results').dataset.source = file ? 'file' : 'run';
}

// The shown report is gone (a run started, or another report is about to be shown).
export function releaseReport() {
  held = null;
  $('report-actions').hidden = true;
  $('report-source').hidden = true;
  delete document.getElementById('results').dataset.source;
}

// What is wrong with a parsed file as a report, in words, or '' for a report this page can show.
export function reportProblem(r, what = 'The file') {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return `${what} is not a samovar report: its JSON is not an object.`;
  if (!Object.hasOwn(r, 'schema_version')) return `${what} is not a samovar report: it has no schema_version${Array.isArray(r.results) ? ' (it looks like recorded results, native.json)' : ''}.`;
  if (r.schema_version !== SCHEMA_VERSION) return `${what} has schema_version ${JSON.stringify(r.schema_version)}; this page reads only ${SCHEMA_VERSION}.`;
  if (typeof r.scenario !== 'string' || typeof r.model !== 'string') return `${what} is not a samovar report: it names no scenario and model.`;
  if (!ctx.catalog.scenarios.some((s) => s.id === r.scenario)) return `${what} is a report of scenario "${r.scenario}", which this page does not have.`;
  if (r.error !== undefined) {
    return r.error && typeof r.error.code === 'string' && typeof r.error.message === 'string'
      ? '' : `${what} is not a samovar report: its error has no code and message.`;
  }
  const shape = traceProblem(r);
  if (shape) return `${what} is not a samovar report: ${shape}.`;
  if (!Number.isFinite(r.wall_s)) return `${what} is not a samovar report: it has no wall_s.`;
  if (r.native_run !== undefined) return reportProblem(r.native_run, `${what}'s native_run`);
  return '';
}

// The shape the trace converter reads (engine/trace/chrome_trace.cpp), checked here so that a
// hand-edited file is refused with a reason instead of reaching it.
function traceProblem(r) {
  if (typeof r.platform !== 'string') return 'it has no platform';
  if (!Array.isArray(r.output)) return 'it has no output list';
  const badLine = r.output.findIndex((l) => !(l && Number.isFinite(l.t_s) && typeof l.who === 'string' && typeof l.text === 'string'));
  if (badLine >= 0) return `output[${badLine}] is not a line (t_s, who, text)`;
  if (!Array.isArray(r.trace)) return 'it has no trace list';
  const badSpan = r.trace.findIndex((s) => !(s && typeof s.lane === 'string' && typeof s.state === 'string' && typeof s.name === 'string'
    && Number.isFinite(s.start_s) && (s.end_s === undefined || Number.isFinite(s.end_s))));
  if (badSpan >= 0) return `trace[${badSpan}] is not a span (lane, state, name, start_s, end_s)`;
  return '';
}

// Reads, checks, and only then shows: a file that is refused changes nothing on the page.
async function open(file) {
  if (ctx.busy()) {
    say(`${file.name} not opened: a run is in progress; open it when the run ends.`, true);
    return;
  }
  let report;
  try {
    report = JSON.parse(await file.text());
  } catch (e) {
    say(`${file.name} not opened: it is not JSON (${e.message}).`, true);
    return;
  }
  const problem = reportProblem(report, file.name);
  if (problem) {
    say(`Not opened: ${problem}`, true);
    return;
  }
  const live = report.native_run ? {status: 'ok', report: report.native_run, saved: true} : {status: 'off'};
  const run = {...report};
  delete run.native_run;
  say('');
  try {
    await ctx.show(run, live);
  } catch (e) {
    say(`${file.name} could not be displayed: ${e?.message ?? e}`, true);
    return;
  }
  holdReport(run, live, file.name);
  ctx.status(`Opened ${file.name}: ${run.scenario} (${run.model}) on ${run.platform}, a saved report.`);
}

function fileName(suffix) {
  const {scenario, model} = held.report;
  const when = held.at ?? new Date();
  const pad = (n) => String(n).padStart(2, '0');
  const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  return `${scenario}-${model}-${date}${suffix}`;
}

function save(name, text) {
  const url = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the blob by the next task; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function download() {
  if (!held) return;
  save(held.file ?? fileName('.json'), JSON.stringify(held.report, null, 1));
  say(`Saved ${held.file ?? 'the report'}: open it here again with "Open report…" or by dropping it on the page.`);
}

function exportTrace() {
  if (!held) return;
  const run = {...held.report};
  delete run.native_run;
  let text;
  try {
    text = ctx.engine.chromeTrace(run);
  } catch (e) {
    say(`The trace could not be exported: ${e?.message ?? e}`, true);
    return;
  }
  const name = held.file ? held.file.replace(/(\.json)?$/, '.trace.json') : fileName('.trace.json');
  save(name, text);
  say(`Saved ${name}: Chrome Trace Event JSON, for Perfetto or chrome://tracing.`);
}
