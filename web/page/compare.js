// compare's Table 4 (the report's `table`: docs/WORKLOAD.md) drawn as a table and a chart, and
// an editor for the workload scenario's spec (the request's `spec` field).
import { seconds } from './format.js';

const EXAMPLE_SPEC = {
  version: 1,
  counters: [{ name: 'stock', shared: false }],
  tasks: ['Masala', 'Ginger', 'Green'].map((name) => ({
    name: `${name} chai`,
    steps: [
      { step: 'print', text: `Brewing ${name} chai...` },
      { step: 'sleep', seconds: 2 },
      { step: 'cpu', units: 20 },
      { step: 'incr', counter: 'stock', times: 1000, locked: true },
      { step: 'print', text: `${name} chai is ready` },
    ],
  })),
};

// For a scenario that takes a spec: a JSON editor below its params, kept across scenario changes.
let specText = JSON.stringify(EXAMPLE_SPEC, null, 2);

export function specEditor(paramsBox, scenario) {
  if (!scenario.takes_spec) return;
  const field = document.createElement('div');
  field.className = 'field spec-field';
  const label = document.createElement('label');
  label.htmlFor = 'spec';
  label.textContent = 'spec';
  const editor = document.createElement('textarea');
  editor.id = 'spec';
  editor.rows = 14;
  editor.spellcheck = false;
  editor.value = specText;
  editor.addEventListener('input', () => { specText = editor.value; });
  const help = document.createElement('span');
  help.className = 'help';
  help.textContent = 'the workload, as JSON: tasks of sleep, block, cpu, http, file, lock/unlock, incr and print steps (docs/WORKLOAD.md)';
  field.append(label, editor, help);
  paramsBox.append(field);
}

// A recorded request's spec into the editor (the next run sends it), laid out as the example is.
export function fillSpec(spec) {
  specText = typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2);
  const editor = document.getElementById('spec');
  if (editor) editor.value = specText;
}

// Puts the editor's spec into the request. Text that is not JSON goes as it is, so the engine
// names the field (spec) as it does any other bad input.
export function readSpec(request) {
  const editor = document.getElementById('spec');
  if (!editor) return;
  try { request.spec = JSON.parse(editor.value); } catch { request.spec = editor.value; }
}

// The table and chart, in a section of their own after the results' first cards; none without a table.
export function drawTable(results, report) {
  document.getElementById('compare-table')?.remove();
  if (!report?.table) return;
  const section = document.createElement('section');
  section.id = 'compare-table';
  section.className = 'card';
  const heading = document.createElement('h3');
  heading.textContent = 'Table 4, measured';
  // A repeated request's table is its first run's; the metrics hold every cell's median.
  const runs = Array.isArray(report.walls_s) ? report.walls_s.length : 1;
  if (runs > 1) {
    const runOf = document.createElement('span');
    runOf.className = 'run-of';
    runOf.textContent = ` · run 1 of ${runs}`;
    heading.append(runOf);
  }
  const note = document.createElement('p');
  note.className = 'note';
  note.textContent = `Measured here${runs > 1 ? ` in run 1 of ${runs} (the metrics give each cell's median, <row>/<model>_s)` : ''} `
    + `and the ideal for ${report.machine?.cores ?? '?'} cores at scale ${report.scale}; `
    + 'the guide says its figures at scale 1, and they are not measurements of any stated machine.';
  section.append(heading, table(report.table), note);
  const chartBox = document.createElement('div');
  chartBox.className = 'chart';
  section.append(chartBox);
  const cols = results.querySelector('.cols');
  if (cols) cols.after(section);
  else results.append(section);
  chartBox.append(chart(report, chartBox));
}

function table({ columns, rows }) {
  const t = document.createElement('table');
  t.className = 'compare';
  const head = t.createTHead().insertRow();
  for (const text of ['workload', ...columns]) {
    const th = document.createElement('th');
    th.textContent = text;
    head.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.insertCell().textContent = row.name;
    for (const cell of row.cells) {
      const td = tr.insertCell();
      const lines = [
        cell.measured_s === null ? `not measured${cell.note ? `: ${cell.note}` : ''}` : seconds(cell.measured_s),
        cell.ideal_s === null ? '' : `ideal ${seconds(cell.ideal_s)}`,
        cell.guide_s === null ? '' : `the guide says ${cell.guide_s} s`,
      ].filter(Boolean);
      for (const [i, text] of lines.entries()) {
        const span = document.createElement(i === 0 ? 'strong' : 'span');
        span.textContent = text;
        td.append(span, document.createElement('br'));
      }
      if (cell.measured_s !== null && cell.note) td.title = cell.note;
    }
  }
  return t;
}

// Bars: measured; ticks: the ideal; hollow dots: the guide's figure times the run's scale, so
// that it sits on the same axis.
function chart(report, box) {
  const Plot = globalThis.Plot;
  if (!Plot) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'The chart library did not load (vendor/plot.umd.min.js).';
    return p;
  }
  const { columns, rows } = report.table;
  const data = rows.flatMap((row) => row.cells.map((cell, i) => ({
    row: row.name,
    model: columns[i],
    measured: cell.measured_s,
    ideal: cell.ideal_s,
    guide: cell.guide_s === null ? null : cell.guide_s * report.scale,
  })));
  const measured = data.filter((d) => d.measured !== null);
  return Plot.plot({
    width: Math.max(480, box.clientWidth || 900),
    height: 120 + 70 * rows.length,
    marginLeft: 140,
    marginRight: 190,  // room for each workload's name beside its bars (it was cut off)
    style: { fontSize: '12px' },
    fy: { label: null, domain: rows.map((row) => row.name) },  // the table's order
    y: { label: null, domain: columns },
    x: { label: 'wall seconds (the guide\'s × scale)', grid: true },
    color: { legend: true, domain: columns },
    marks: [
      Plot.barX(measured, { fy: 'row', y: 'model', x: 'measured', fill: 'model', title: (d) => `${d.row}, ${d.model}: ${seconds(d.measured)}` }),
      Plot.tickX(data.filter((d) => d.ideal !== null), { fy: 'row', y: 'model', x: 'ideal', stroke: '#1a1a1a', strokeWidth: 2, title: (d) => `ideal ${seconds(d.ideal)}` }),
      Plot.dot(data.filter((d) => d.guide !== null), { fy: 'row', y: 'model', x: 'guide', stroke: '#c53030', title: (d) => `the guide says ${seconds(d.guide)} at this scale` }),
      Plot.ruleX([0]),
    ],
  });
}
