// Entry point: loads the engine, builds the scenario list and form, runs requests and hands the
// report to the section renderers. body[data-state] tells tests (and CSS) where the page is.
import { renderScenarioList, markSelected } from './scenarios.js';
import { buildForm, readRequest, markInvalid, fillRequest } from './form.js';
import { OutputList } from './output.js';
import { CodePanel } from './code.js';
import { renderChecks, renderMetrics } from './checks.js';
import { drawTimeline, clearTimeline } from './timeline.js';
import { drawTable, specEditor, readSpec, fillSpec } from './compare.js';
import { drawComparison, clearComparison, sidesOf } from './comparison.js';
import { drawSweep, clearSweep } from './sweep.js';
import { loadNative, specText } from './results.js';
import { runNative } from './native.js';
import { RunControl, isCancelled } from './run-control.js';
import { recordedScale, showMatch } from './match.js';
import { seconds, paramsText, browserName } from './format.js';
import { SCHEMA_VERSION } from './schema.js';
import { detectHosting, showHosting, hostingText } from './hosting.js';
import { mountDecide } from './decide.js';
import { startShare, follow, ran } from './share.js';
import { startReportFiles, holdReport, releaseReport } from './report-file.js';
import { mountExplore, syncScheduleFields, scheduleRequest, fillSchedule, markScheduleInvalid, scheduleText } from './explore.js';

const DEFAULT_SCENARIO = 'gather';
const NATIVE_FILE_WAIT_MS = 3000;

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'),
  scenarios: $('scenarios'),
  scenarioMenu: $('scenario-menu'),
  match: $('recorded-match'),
  form: $('run-form'),
  guide: $('scenario-guide'),
  title: $('scenario-title'),
  summary: $('scenario-summary'),
  modelSelect: $('model'),
  paramsBox: $('params'),
  scaleInput: $('scale'),
  nativeBox: $('native'),
  run: $('run'),
  cancel: $('cancel'),
  intro: $('intro'),
  results: $('results'),
  resultsHeading: $('results-heading'),
  resultsElsewhere: $('results-elsewhere'),
  runSummary: $('run-summary'),
  error: $('error'),
  checks: $('checks'),
  metrics: $('metrics'),
  metricsHeading: $('metrics-heading'),
  metricsNote: $('metrics-note'),
  timeline: $('timeline'),
  timelineNote: $('timeline-note'),
  comparison: $('comparison'),
  sweep: $('sweep'),
  conditions: $('conditions'),
};
const output = new OutputList($('output'), $('output-more'));
const code = new CodePanel({panel: $('code'), python: $('code-python'), cpp: $('code-cpp'), note: $('code-note'), output: $('output')});

let engine = null;
let scenario = null;
let running = false;
const control = new RunControl(ui.cancel, () => { ui.status.textContent = 'Cancelling…'; });
// The recorded native results, fetched once for the form's starting scale and match note (null until read).
let recorded = null;

function setState(state, statusText) {
  document.body.dataset.state = state;
  if (statusText !== undefined) ui.status.textContent = statusText;
}

// Choosing a scenario during a run only changes the form: the results keep their own heading,
// from the run's request, and say that the form now shows another scenario.
function select(id) {
  const found = engine.catalog.scenarios.find((s) => s.id === id);
  if (!found || found === scenario) return;
  scenario = found;
  markSelected(ui.scenarios, id, ui.scenarioMenu);
  ui.guide.textContent = found.guide ? `Guide §${found.guide} · ${found.id}` : found.id;
  ui.title.textContent = found.title;
  ui.summary.textContent = found.summary ?? '';
  buildForm(ui, found, recordedScale(recorded, found.id));
  specEditor(ui.paramsBox, found);
  syncScheduleFields(found);
  updateMatch();
  markElsewhere();
  follow();
}

function updateMatch() {
  if (scenario) showMatch(ui.match, recorded, readRequest(ui, scenario));
}

function markElsewhere() {
  const shown = ui.results.dataset.scenario;
  const other = !ui.results.hidden && shown && shown !== scenario?.id;
  ui.resultsElsewhere.hidden = !other;
  ui.resultsElsewhere.textContent = other
    ? `The form above now shows ${scenario.id}; these are still the results of the ${shown} run${running ? ' under way' : ''}. Run to replace them.`
    : '';
}

function resultsTitle(request) {
  const of = engine.catalog.scenarios.find((s) => s.id === request.scenario);
  return `Results: ${request.scenario}${of?.title ? ` — ${of.title}` : ''}`;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = false;
}

function clearResults(request) {
  ui.intro.hidden = true;
  ui.results.hidden = false;
  ui.results.dataset.scenario = request.scenario;
  code.setScenario(request.scenario);
  ui.resultsHeading.textContent = resultsTitle(request);
  markElsewhere();
  ui.results.dataset.outcome = 'pending';
  ui.error.hidden = true;
  ui.error.textContent = '';
  ui.runSummary.textContent = '';
  renderChecks(ui.checks, null, 'Checks appear when the run finishes.');
  ui.metrics.replaceChildren();
  labelRuns(1);
  clearTimeline(ui.timeline, ui.timelineNote);
  clearComparison(ui.comparison, ui.conditions);
  drawTable(ui.results, null);
  clearSweep(ui.sweep);
  output.reset();
  markInvalid('');
  releaseReport();
}

// Decision guide: its "Show me" selects the scenario and fills the form; the reader presses Run.
function showRequest(request) {
  if (running) return false;
  putInForm(request);
  ui.form.scrollIntoView({block: 'start'});
  ui.run.focus({preventScroll: true});
  return true;
}

// A whole request into the form (a recorded one, the decision guide's, a saved report's): its
// scenario, fields and spec; the match note and the page's link follow.
function putInForm(request) {
  select(request.scenario);
  fillRequest(ui, scenario, request);
  fillSchedule(request);
  syncScheduleFields(scenario);
  if (request.spec !== undefined) fillSpec(request.spec);
  updateMatch();
  follow();
}

// A recorded request the reader chose: into the form (its spec into the editor), then run,
// so that the run is the recorded request and compares with it exactly.
function loadRecorded(record) {
  if (running) return;
  putInForm(record);
  run(record.trace_level === 'off' ? 'off' : 'spans');
}

async function run(trace = 'spans') {
  if (running || !scenario) return;
  running = true;
  ui.run.disabled = true;
  const signal = control.start();
  const request = {...readRequest(ui, scenario), ...scheduleRequest(), trace};
  readSpec(request);
  clearResults(request);
  ran();
  ui.runSummary.textContent = `${requestText(request)} — running…`;
  setState('running', `Running ${request.scenario} (${request.model})…`);
  // Fetched alongside the run so the comparison is ready when the report is.
  const nativePromise = loadNative();
  try {
    let report;
    try {
      report = await engine.run(request, (line) => output.push(line), signal);
    } catch (e) {
      fail(`The engine failed: ${e?.message ?? e}`, 'The engine failed; see Output.');
      return;
    }
    // After this run, not beside it: the two would share the machine's cores.
    let live = {status: 'off'};
    if (ui.nativeBox.checked && report && !report.error && !signal.aborted) {
      setState('native', `Running ${request.scenario} (${request.model}) natively…`);
      live = await runNative(request, signal);
    }
    try {
      await render(report, request, nativePromise, live);
      holdReport(report, live);
      if (live.status === 'cancelled') ui.status.textContent += ' The native run was cancelled.';
    } catch (e) {
      fail(`The report could not be displayed: ${e?.message ?? e}`, 'Display failed; see Output.');
    }
  } finally {
    running = false;
    control.end();
    ui.run.disabled = false;
    markElsewhere();
  }
}

// How many runs a report is made of: its wall times, one a run (a failed run ends the repeats).
function runsOf(report) {
  return Array.isArray(report.walls_s) && report.walls_s.length ? report.walls_s.length : 1;
}

// A repeated request shows its first run's lines, checks and trace, and the medians of every
// run's metrics: each panel says which it shows, so that a median is not read as run 1's figure.
function labelRuns(runs) {
  const one = runs > 1 ? `· run 1 of ${runs}` : '';
  for (const span of document.querySelectorAll('.run-of')) span.textContent = one;
  ui.metricsHeading.textContent = runs > 1 ? `Metrics · median of ${runs} runs` : 'Metrics';
  ui.metricsNote.textContent = runs > 1
    ? `Each metric is the median of ${runs} runs, with (least–most) where they differ. The output, checks and timeline are run 1's: its figures may differ from the medians.`
    : '';
}

function fail(message, status) {
  ui.results.dataset.outcome = 'rejected';
  output.finish([], null, '');
  showError(message);
  setState('error', status);
}

function requestText(r) {
  return `${r.scenario} · ${r.model} · ${paramsText(r.params)} · scale ${r.scale}${r.spec !== undefined ? ` · ${specText(r.spec)}` : ''}`;
}

// A rejected request's report may carry nothing but the error, so its summary is built from the request.
async function render(report, request, nativePromise, live) {
  if (!report || report.schema_version !== SCHEMA_VERSION) {
    fail(`The engine returned a report with schema_version ${JSON.stringify(report?.schema_version)}; this page reads only ${SCHEMA_VERSION}.`,
      'Unreadable report; see Output.');
    return;
  }
  if (isCancelled(report)) {
    showCancelled(report, request);
    return;
  }
  if (report.error) {
    ui.results.dataset.outcome = 'rejected';
    output.finish(report.output, report.metrics, '');
    showError(`${report.error.code}: ${report.error.message}`);
    if (request.scenario === scenario.id) {
      markInvalid(report.error.field ?? report.error.message);
      markScheduleInvalid(report.error.field);
    }
    // Bad input ran nothing; any other error (a deadline, a fault) stopped a run that had started.
    const rejected = report.error.code === 'bad_request';
    ui.runSummary.textContent = `${requestText(request)} — ${rejected ? 'rejected' : `failed (${report.error.code})`}`;
    ui.comparison.dataset.native = 'missing';
    setState('error', `${rejected ? 'Request rejected' : 'Run failed'} (${report.error.code}); see Output.`);
    return;
  }
  ui.results.dataset.outcome = 'ok';
  output.finish(report.output, report.metrics);
  const where = report.platform === 'wasm' ? `WASM in ${browserName(report.machine?.browser)}` : report.platform;
  const runs = runsOf(report);
  const wall = runs > 1
    ? `wall ${seconds(report.wall_s)}, the median of ${runs} runs (${seconds(Math.min(...report.walls_s))}–${seconds(Math.max(...report.walls_s))}),`
    : `wall ${seconds(report.wall_s)}`;
  ui.runSummary.textContent = `${requestText(report)} · seed ${report.seed} — ${wall} on ${where}${scheduleText(report)}`;
  renderChecks(ui.checks, report.checks, undefined, report.expected_checks);
  renderMetrics(ui.metrics, report.metrics, report.metric_ranges);
  labelRuns(runs);
  drawTimeline(ui.timeline, ui.timelineNote, report);
  drawTable(ui.results, report);
  const compared = {
    report,
    scenario: engine.catalog.scenarios.find((s) => s.id === report.scenario),
    live,
    file: await nativePromise,
    onLoad: loadRecorded,
  };
  drawComparison(ui.comparison, ui.conditions, compared);
  drawSweep(ui.sweep, report, sidesOf(compared));
  setState('done', `Done: ${report.scenario} (${report.model}) in ${seconds(report.wall_s)}${runs > 1 ? `, the median of ${runs} runs` : ''}.`);
}

// Cut short by the reader: what it printed so far, and no native run or comparison.
function showCancelled(report, request) {
  ui.results.dataset.outcome = 'cancelled';
  output.finish(report.output, report.metrics, 'Nothing was printed before the run was cancelled.');
  showError(`cancelled: ${report.error.message}`);
  const after = Number.isFinite(report.wall_s) ? ` after ${seconds(report.wall_s)}` : '';
  ui.runSummary.textContent = `${requestText(request)} — cancelled${after}`;
  setState('cancelled', `Cancelled ${request.scenario} (${request.model})${after}; its output so far is shown.`);
}

// A saved report opened from a file (report-file.js): its request into the form, and the report
// drawn as a finished run is, beside the native run saved with it (`live`) or the recorded ones.
async function showLoaded(report, live) {
  running = true;
  ui.run.disabled = true;
  try {
    putInForm(report);
    clearResults(report);
    await render(report, report, loadNative(), live);
  } finally {
    running = false;
    ui.run.disabled = false;
  }
}

function engineUnavailable(message) {
  setState('error', 'Engine unavailable.');
  ui.title.textContent = 'Engine unavailable';
  ui.summary.textContent = message;
  ui.summary.classList.add('error');
  ui.intro.hidden = true;
}

async function main() {
  const hosting = await detectHosting();
  if (hosting.reloading) {
    ui.status.textContent = 'Starting the service worker that isolates this static copy; reloading once…';
    return;
  }
  if (hosting.problem) {
    engineUnavailable(hosting.problem);
    return;
  }
  // Read beside the engine's load, which takes longer: the form need not wait for it.
  const nativeFile = loadNative();
  try {
    // Imported here rather than statically so a missing or broken engine shows as an error, not a blank page.
    const { loadEngine } = await import('./engine.js');
    engine = await loadEngine();
  } catch (e) {
    engineUnavailable(`The engine did not load: ${e?.message ?? e}`);
    return;
  }
  const catalog = engine.catalog;
  if (catalog?.schema_version !== SCHEMA_VERSION || !Array.isArray(catalog.scenarios) || !catalog.scenarios.length) {
    engineUnavailable(`The engine's catalog has schema_version ${JSON.stringify(catalog?.schema_version)}; this page reads only ${SCHEMA_VERSION}.`);
    return;
  }
  renderScenarioList(ui.scenarios, catalog.scenarios, select, ui.scenarioMenu);
  mountDecide($('decide'), {scenarios: catalog.scenarios, loadResults: loadNative, show: showRequest});
  // The first scenario's scale comes from the file, which is read by now unless its server is
  // slow: then the form starts at the default scale and the note follows when the file arrives.
  recorded = await Promise.race([nativeFile, new Promise((resolve) => setTimeout(resolve, NATIVE_FILE_WAIT_MS, null))]);
  if (!recorded) nativeFile.then((file) => { recorded = file; updateMatch(); });
  ui.form.addEventListener('input', updateMatch);
  ui.form.addEventListener('change', updateMatch);
  ui.form.addEventListener('change', () => syncScheduleFields(scenario));
  select(catalog.scenarios.some((s) => s.id === DEFAULT_SCENARIO) ? DEFAULT_SCENARIO : catalog.scenarios[0].id);
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  ui.form.classList.add('ready');
  ui.run.disabled = false;
  showHosting(hosting, {note: $('hosting'), nativeBox: ui.nativeBox});
  setState('idle', `Engine ready · ${hostingText(hosting)}`);
  mountExplore({
    engine,
    request: () => {
      const request = readRequest(ui, scenario);
      readSpec(request);
      return request;
    },
    busy: () => running,
    setBusy: (busy) => {
      running = busy;
      ui.run.disabled = busy;
      markElsewhere();
    },
    setState,
    markInvalid,
  });
  startReportFiles({engine, catalog, show: showLoaded, busy: () => running, status: (text) => setState(document.body.dataset.state, text)});
  await startShare({catalog, scenario: () => scenario, select, fillSpec, busy: () => running, applied: () => syncScheduleFields(scenario)});
  updateMatch();  // a link may have filled the form
}

main();
