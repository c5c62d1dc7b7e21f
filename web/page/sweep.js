// scale's sweep: time and memory per waiting unit as their number grows, on log axes, this
// run beside the native run (live or recorded) and CPython's recorded sweep.
import { count } from './format.js';

const SERIES = ['this run · WASM', 'native', 'CPython'];
const COLORS = ['#2b6cb0', '#dd8a2b', '#5a9e4b'];
// Each series also has its own marker and dash, so the lines stay apart in greyscale.
const SYMBOLS = ['circle', 'square', 'triangle'];
const DASHES = [null, '6,3', '2,3'];

export function clearSweep(box) {
  box.replaceChildren();
  box.closest('section')?.setAttribute('hidden', '');
}

// `others`: [{label: "native" | "CPython", report}] with a sweep each, where one was found.
export function drawSweep(box, report, others) {
  clearSweep(box);
  if (!report.sweep?.points?.length) return;
  box.closest('section')?.removeAttribute('hidden');
  const rows = [];
  const add = (series, sweep) => {
    for (const p of sweep?.points ?? []) rows.push({series, ...p});
  };
  add(SERIES[0], report.sweep);
  for (const o of others) add(o.label, o.report?.sweep);
  const notes = [`Memory here: ${report.sweep.memory}.`];
  for (const o of others) if (o.report?.sweep?.memory) notes.push(`${o.label}: ${o.report.sweep.memory}.`);
  for (const o of [{label: 'This run', report}, ...others]) {
    if (o.report?.sweep?.limit) notes.push(`${o.label} stopped early: ${o.report.sweep.limit}.`);
  }
  const missing = SERIES.slice(1).filter((s) => !others.some((o) => o.label === s && o.report?.sweep));
  if (missing.length) notes.push(`No sweep from ${missing.join(' or ')} for this request.`);
  if (!globalThis.Plot) {
    box.replaceChildren(note('The chart library did not load (vendor/plot.umd.min.js).'), note(notes.join(' ')));
    return;
  }
  const width = Math.max(320, Math.min(560, ((box.clientWidth || 900) - 24) / 2));
  const chart = (y, label) => globalThis.Plot.plot({
    width,
    height: 260,
    marginLeft: 56,
    style: {fontSize: '12px'},
    x: {type: 'log', label: `${rows[0].unit} waiting at once`, grid: true},
    y: {type: 'log', label, grid: true},
    color: {domain: SERIES, range: COLORS},
    symbol: {domain: SERIES, range: SYMBOLS, legend: true},
    marks: [
      ...SERIES.map((series, i) => globalThis.Plot.line(rows.filter((r) => r.series === series && r[y] > 0),
        {x: 'n', y, stroke: 'series', strokeDasharray: DASHES[i]})),
      globalThis.Plot.dot(rows.filter((r) => r[y] > 0), {x: 'n', y, stroke: 'series', symbol: 'series', fill: 'white', r: 3.5}),
      globalThis.Plot.tip(rows.filter((r) => r[y] > 0), globalThis.Plot.pointer({x: 'n', y, title: (r) => `${r.series}: ${count(r.n)} ${r.unit}, ${r[y].toPrecision(3)} ${label}`})),
    ],
  });
  const figures = document.createElement('div');
  figures.className = 'sweep-charts';
  figures.append(chart('us_per_unit', 'µs per unit'), chart('bytes_per_unit', 'bytes per unit'));
  const dropped = rows.filter((r) => !(r.us_per_unit > 0) || !(r.bytes_per_unit > 0)).length;
  if (dropped) notes.push(`${count(dropped)} points at or below zero (a reading within the noise) are left off the log axes.`);
  box.replaceChildren(figures, note(notes.join(' ')));
  box.dataset.points = String(report.sweep.points.length);
}

function note(text) {
  const p = document.createElement('p');
  p.className = 'note';
  p.textContent = text;
  return p;
}
