// This run beside the same request run natively (live through the server, or the nearest
// recorded run) and under CPython (recorded by `samovar bench`): wall times as medians with
// their min–max, the scenario's headline metrics with their ratio, and the two runs' lines.
import { seconds, paramsText, browserName, resolution, count, plural } from './format.js';
import { sameRequest, differences, nearestRecorded, recordedRequests, specText } from './results.js';
import { comparisonConditions } from './conditions.js';
import { alignOutputs } from './align.js';
import { paragraph } from './dom.js';

const KINDS = ['wasm', 'native', 'cpython'];
const COLORS = ['#2b6cb0', '#dd8a2b', '#5a9e4b'];
// Below 100 ticks of its timer a time is mostly the timer's own step: no ratio is drawn from it.
const TICKS_FOR_A_RATIO = 100;

export function clearComparison(box, conditions) {
  box.replaceChildren();
  for (const k of ['native', 'nativeWallS', 'wasmWallS', 'cpython']) delete box.dataset[k];
  conditions.textContent = '';
}

// The native run to compare with: the live one when it ran, else the nearest recorded one.
// how: "live" | "recorded" (the same request) | "nearest" | null.
function pickNative({report, live, file}) {
  if (live.status === 'ok' && !live.report.error) return {native: live.report, how: 'live'};
  const recorded = file.status === 'ok' ? file.native : null;
  const nearest = recorded ? nearestRecorded(recorded.results, report) : null;
  if (!nearest) return {native: null, how: null};
  return {native: nearest, how: sameRequest(nearest, report) ? 'recorded' : 'nearest'};
}

// The other sides of a comparison, for views beside it (scale's sweep).
export function sidesOf(compared) {
  const {native} = pickNative(compared);
  const recorded = compared.file.status === 'ok' ? compared.file.native : null;
  const cpython = cpythonRecord(recorded, compared.report).record;
  return [
    ...(native ? [{label: 'native', report: native}] : []),
    ...(cpython ? [{label: 'CPython', report: cpython}] : []),
  ];
}

// `live`: what runNative() gave ({status: "off"} when the reader turned it off); `file`: what
// loadNative() gave; `onLoad(record)` fills the form with a recorded request.
export function drawComparison(box, conditions, {report, scenario, live, file, onLoad}) {
  clearComparison(box, conditions);
  const recorded = file.status === 'ok' ? file.native : null;
  const parts = [];
  const {native, how} = pickNative({report, live, file});
  let nativeLabel = '';
  if (how === 'live') {
    // live.saved: the native run saved in a report file beside the run (report-file.js).
    nativeLabel = live.saved ? 'native · saved with this report' : 'native · run now by samovar serve';
    box.dataset.native = live.saved ? 'saved' : 'live';
    parts.push(paragraph(live.saved
      ? 'The native run saved in this report file: the same request, run natively by samovar serve just after it.'
      : 'The server that sent this page ran the same request natively, just after this run, at the same trace level.', 'summary'));
  } else {
    if (live.status === 'ok') parts.push(paragraph(`The native run failed: ${live.report.error.code}: ${live.report.error.message}`, 'error'));
    else if (live.status === 'rejected') parts.push(paragraph(`The server would not run it natively: ${live.report.error.message}`, 'error'));
    else if (live.status !== 'off') parts.push(paragraph(`Not run natively: ${live.message}.`, live.status === 'error' ? 'error' : 'empty'));
    if (native) {
      const exact = how === 'recorded';
      nativeLabel = exact ? 'native · recorded' : 'native · nearest recorded';
      box.dataset.native = how;
      parts.push(paragraph(exact
        ? 'Native: the same request, as `samovar bench` recorded it.'
        : `Native: the nearest recorded request, ${requestText(native)} (${differences(native, report).join('; ')}).`, 'summary'));
    } else {
      box.dataset.native = 'missing';
      if (file.status === 'missing') parts.push(paragraph('No native results recorded yet; run `samovar bench`.', 'empty'));
      else if (file.status === 'error') parts.push(paragraph(`Native results could not be read: ${file.message}.`, 'error'));
      else parts.push(paragraph(`No native result recorded for ${report.scenario}.`, 'empty'));
    }
    if (recorded && onLoad) parts.push(loadButtons(recordedRequests(recorded.results, report.scenario), report, onLoad));
  }

  const cpython = cpythonRecord(recorded, report);
  box.dataset.cpython = cpython.record ? 'found' : 'missing';
  const rows = [
    {label: `this run · ${report.platform === 'native' ? 'native' : `WASM in ${browserName(report.machine?.browser)}`}`, kind: 'wasm', run: report, timer: report.machine?.timer_resolution_s},
  ];
  if (native) {
    rows.push({label: nativeLabel, kind: 'native', run: native, timer: (live.status === 'ok' ? native.machine : recorded?.machine)?.timer_resolution_s});
    box.dataset.nativeWallS = String(native.wall_s);
  }
  if (cpython.record) rows.push({label: `CPython ${cpython.version} · recorded`, kind: 'cpython', run: cpython.record, timer: cpython.timer});
  box.dataset.wasmWallS = String(report.wall_s);

  parts.push(ratioParagraph(rows));
  if (!cpython.record) parts.push(paragraph(`CPython: ${cpython.why}`, 'empty'));
  if (native) {
    if (globalThis.Plot) parts.push(wallChart(rows, box.clientWidth));
    else parts.push(paragraph('The chart library did not load (vendor/plot.umd.min.js).', 'empty'));
  }
  const headline = headlineTable(scenario?.headline ?? [], rows);
  if (headline) parts.push(headline);
  if (native && Array.isArray(native.output)) parts.push(outputColumns(report, native, rows[1].label));
  box.replaceChildren(...parts);
  conditions.textContent = comparisonConditions(report, live.status === 'ok' && !live.report.error ? {machine: native.machine, live: !live.saved} : recorded);
}

function requestText(r) {
  return `${r.scenario} · ${r.model} · ${paramsText(r.params)} · scale ${r.scale} · seed ${r.seed}${(r.trace_level ?? 'spans') === 'off' ? ' · no spans' : ''}${r.spec !== undefined ? ` · ${specText(r.spec)}` : ''}`;
}

function cpythonRecord(recorded, report) {
  const section = recorded?.cpython;
  if (!section) return {why: 'not recorded; `samovar bench` runs the guide\'s programs when it finds python3.'};
  if (section.missing) return {why: `not recorded: ${section.missing}.`};
  const record = (section.results ?? []).find((r) => r.scenario === report.scenario && r.model === report.model
    && r.scale === report.scale && JSON.stringify(sortKeys(r.params)) === JSON.stringify(sortKeys(report.params)));
  if (!record) return {why: `no recorded CPython run of exactly this request (${requestText(report)}); \`samovar bench\` records the defaults.`};
  if (record.skipped) return {why: `not run for this request: ${record.skipped}.`};
  if (record.error || !Number.isFinite(record.wall_s)) return {why: `the recorded run failed: ${record.error?.message ?? 'no wall time'}.`};
  return {record, version: section.version ?? '', timer: section.timer_resolution_s ?? 1e-9};
}

function sortKeys(o) {
  return Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

function runsOf(run) {
  return Array.isArray(run.walls_s) && run.walls_s.length ? run.walls_s.length : 1;
}

// The spread of a run's wall times: every repeat, or the one.
function spread(run) {
  const walls = Array.isArray(run.walls_s) && run.walls_s.length ? run.walls_s : [run.wall_s];
  return {median: run.wall_s, min: Math.min(...walls), max: Math.max(...walls), n: walls.length};
}

function ratioParagraph(rows) {
  const [wasm, native] = rows;
  const lines = rows.map((r) => {
    const s = spread(r.run);
    return `${r.label}: ${seconds(s.median)}${s.n > 1 ? ` (median of ${s.n}, ${seconds(s.min)}–${seconds(s.max)})` : ''}`;
  });
  if (native) {
    const tooShort = [wasm, native].filter((r) => !(r.run.wall_s >= TICKS_FOR_A_RATIO * (r.timer || 0)));
    if (tooShort.length) {
      lines.push(`No ratio: ${tooShort.map((r) => `${r.kind}'s ${seconds(r.run.wall_s)} is under ${TICKS_FOR_A_RATIO}× its timer's resolution (${resolution(r.timer)})`).join('; ')}, so the timer's step would be a large part of it.`);
    } else {
      lines.push(`WASM ÷ native = ${(wasm.run.wall_s / native.run.wall_s).toFixed(2)}×.`);
    }
  }
  const p = paragraph(lines.join(' · '), 'summary');
  p.id = 'wall-summary';
  return p;
}

// Each bar is named where it is drawn, so its colour is a second cue, not the only one. On a
// narrow screen the names go above the bars rather than in a left margin the bars cannot spare.
function wallChart(rows, width) {
  const data = rows.map((r) => ({label: r.label, kind: r.kind, ...spread(r.run)}));
  const max = Math.max(...data.map((d) => d.max).filter(Number.isFinite), 0);
  const narrow = width > 0 && width < 560;
  const rowHeight = narrow ? 52 : 34;
  return globalThis.Plot.plot({
    width: narrow ? width : Math.max(480, width || 900),
    height: 44 + rowHeight * data.length,
    marginBottom: 40,
    marginLeft: narrow ? 8 : Math.min(360, 16 + 7.5 * Math.max(...data.map((d) => d.label.length))),
    marginRight: narrow ? 48 : 20,
    style: {fontSize: '13px'},
    x: {label: narrow ? 'wall seconds (median; line: min–max)' : 'wall seconds (median; the line spans min–max)', labelAnchor: 'center', labelOffset: 34, domain: [0, (max || 1) * 1.18], grid: true},
    y: {label: null, domain: data.map((d) => d.label), axis: narrow ? null : 'left', padding: narrow ? 0.45 : 0.1, align: 1},
    color: {domain: KINDS, range: COLORS},
    marks: [
      globalThis.Plot.barX(data, {y: 'label', x: 'median', fill: 'kind', fillOpacity: 0.85, title: (d) => `${d.label}: ${seconds(d.median)}`}),
      globalThis.Plot.ruleY(data, {y: 'label', x1: 'min', x2: 'max', stroke: '#222', strokeWidth: 1.5}),
      globalThis.Plot.text(data, {y: 'label', x: 'max', text: (d) => seconds(d.median), textAnchor: 'start', dx: 5}),
      ...(narrow ? [globalThis.Plot.text(data, {y: 'label', x: 0, text: 'label', textAnchor: 'start', dy: -rowHeight / 2 + 2, frameAnchor: 'left'})] : []),
      globalThis.Plot.ruleX([0]),
    ],
  });
}

const TIME_UNITS = {s: 1, ms: 1e-3, 'µs': 1e-6, ns: 1e-9};

function metricText(run, metric, unit) {
  const value = run.metrics?.[metric];
  if (!Number.isFinite(value)) return '–';
  const fmt = (v) => (Math.abs(v) >= 100 || Number.isInteger(v) ? count(Math.round(v * 10) / 10) : Number(v.toPrecision(3)).toString());
  const range = run.metric_ranges?.[metric];
  const text = `${fmt(value)}${unit ? ` ${unit}` : ''}`;
  return range && range[0] !== range[1] ? `${text} (${fmt(range[0])}–${fmt(range[1])})` : text;
}

// The scenario's headline metrics, one row each: every side's value and WASM ÷ native.
function headlineTable(headline, rows) {
  const shown = headline.filter((h) => rows.some((r) => Number.isFinite(r.run.metrics?.[h.metric])));
  if (!shown.length) return null;
  const table = document.createElement('table');
  table.className = 'headline';
  table.id = 'headline';
  if (rows.some((r) => runsOf(r.run) > 1)) {
    table.createCaption().textContent = 'Each side\'s median over its runs, with (least–most) where they differ.';
  }
  const head = table.createTHead().insertRow();
  for (const text of ['', ...rows.map((r) => r.label), rows.length > 1 ? 'WASM ÷ native' : null].filter((t) => t !== null)) {
    const th = document.createElement('th');
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  for (const h of shown) {
    const tr = body.insertRow();
    tr.dataset.metric = h.metric;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = h.label;
    tr.append(th);
    for (const r of rows) tr.insertCell().textContent = metricText(r.run, h.metric, h.unit);
    if (rows.length > 1) tr.insertCell().textContent = metricRatio(h, rows[0], rows[1]);
  }
  return table;
}

function metricRatio(h, wasm, native) {
  const a = wasm.run.metrics?.[h.metric];
  const b = native.run.metrics?.[h.metric];
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
  // A single timed interval in seconds near the timer's step says little; averages (ns per
  // increment) are taken over many steps and keep their ratio.
  if (h.unit === 's') {
    const tooShort = [[a, wasm.timer], [b, native.timer]].some(([v, timer]) => v < TICKS_FOR_A_RATIO * (timer || 0));
    if (tooShort) return `– (under ${TICKS_FOR_A_RATIO} timer ticks)`;
  }
  return `${(a / b).toFixed(2)}×`;
}

// The two runs' lines side by side: equal stable lines on one row, timing-dependent ones
// matched by shape, and a line only one run printed beside a gap.
function outputColumns(report, native, nativeLabel) {
  const {rows, cut} = alignOutputs(report.output, native.output);
  const details = document.createElement('details');
  details.className = 'side-output';
  details.open = true;
  const summary = document.createElement('summary');
  const differ = rows.filter((r) => r.kind === 'left' || r.kind === 'right').length;
  const firsts = runsOf(report) > 1 || runsOf(native) > 1 ? ' (each side\'s run 1)' : '';
  summary.textContent = `Output side by side${firsts}: ${plural(rows.length - differ, 'line')} matched, ${count(differ)} printed by one run only`;
  details.append(summary);
  const table = document.createElement('table');
  table.className = 'output-columns';
  table.id = 'output-columns';
  const head = table.createTHead().insertRow();
  for (const text of ['', 'this run · WASM', nativeLabel]) {
    const th = document.createElement('th');
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  const MARKS = {same: '=', shape: '≈', left: '◀', right: '▶'};
  const TITLES = {same: 'the same line', shape: 'timing-dependent: the same line but for its numbers', left: 'printed by this run only', right: 'printed by the native run only'};
  for (const row of rows) {
    const tr = body.insertRow();
    tr.className = row.kind;
    const mark = tr.insertCell();
    mark.className = 'mark';
    mark.textContent = MARKS[row.kind];
    mark.title = TITLES[row.kind];
    for (const line of [row.left, row.right]) {
      const td = tr.insertCell();
      if (line) td.textContent = `${line.who}: ${line.text}`;
    }
  }
  details.append(table);
  const notes = ['= the same line; ≈ timing-dependent, the same but for its numbers; ◀ ▶ printed by one run only.'];
  if (cut) notes.push(`${count(cut)} lines past the first 500 of each run are not aligned.`);
  if (native.output_truncated) notes.push('The recorded native output was cut when it was recorded.');
  details.append(paragraph(notes.join(' '), 'note'));
  return details;
}

function loadButtons(records, report, onLoad) {
  const wrap = document.createElement('div');
  wrap.className = 'recorded';
  const label = document.createElement('p');
  label.className = 'note';
  label.textContent = records.length ? `Recorded requests of ${report.scenario}: load one to compare it exactly.` : '';
  wrap.append(label);
  for (const r of records) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'load-recorded';
    button.textContent = [r.model, paramsText(r.params), `scale ${r.scale}`, r.seed !== 1 ? `seed ${r.seed}` : '',
      (r.trace_level ?? 'spans') === 'off' ? 'no spans' : '', r.spec !== undefined ? specText(r.spec) : ''].filter(Boolean).join(' · ');
    button.addEventListener('click', () => onLoad(r));
    wrap.append(button);
  }
  return wrap;
}
