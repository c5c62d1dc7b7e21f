// Wall time of this run next to the native result recorded for exactly the same request.
import { seconds, paramsText, browserName } from './format.js';
import { findMatch, findOtherModels, recordedRequests } from './results.js';
import { comparisonConditions } from './conditions.js';

const KINDS = ['wasm', 'native', 'other'];
const COLORS = ['#2b6cb0', '#dd8a2b', '#b9b9b9'];

export function clearComparison(box, conditions) {
  box.replaceChildren();
  for (const k of ['native', 'nativeWallS', 'wasmWallS']) delete box.dataset[k];
  conditions.textContent = '';
}

// nativeState comes from loadNative(): {status: "ok", native} | {status: "missing"} | {status: "error", message}.
export function drawComparison(box, conditions, report, nativeState) {
  clearComparison(box, conditions);
  const native = nativeState.status === 'ok' ? nativeState.native : null;
  const match = native ? findMatch(native, report) : null;
  const request = `${report.scenario} · ${report.model} · ${paramsText(report.params)} · scale ${report.scale} · seed ${report.seed}`;
  conditions.textContent = comparisonConditions(report, native);

  if (!match) {
    box.dataset.native = 'missing';
    const lines = [`This run took ${seconds(report.wall_s)} (WASM).`];
    if (nativeState.status === 'missing') {
      lines.push('No native results recorded yet; run `samovar bench`.');
    } else if (nativeState.status === 'error') {
      lines.push(`Native results could not be read: ${nativeState.message}.`);
    } else {
      lines.push(`No native result recorded for exactly this request (${request}).`);
      const nearby = recordedRequests(native, report);
      if (nearby.length) {
        lines.push(`Recorded for ${report.scenario} · ${report.model}: ${nearby.map((r) => `${paramsText(r.params)} at scale ${r.scale}, seed ${r.seed}`).join('; ')}.`);
      }
    }
    box.replaceChildren(...lines.map((text, i) => paragraph(text, i === 1 && nativeState.status === 'error' ? 'error' : 'empty')));
    return;
  }

  box.dataset.native = 'found';
  box.dataset.nativeWallS = String(match.wall_s);
  box.dataset.wasmWallS = String(report.wall_s);
  const rows = [
    {label: `this run · WASM in ${browserName(report.machine?.browser)}`, wall: report.wall_s, kind: 'wasm'},
    {label: 'native · recorded', wall: match.wall_s, kind: 'native'},
    ...findOtherModels(native, report).map((r) => ({label: `native · ${r.model} model · recorded`, wall: r.wall_s, kind: 'other'})),
  ];
  const ratio = report.wall_s / match.wall_s;
  const summary = paragraph(`The same request was recorded natively. This run took ${seconds(report.wall_s)}, native ${seconds(match.wall_s)}`
    + (Number.isFinite(ratio) ? ` (WASM / native = ${ratio.toFixed(2)}×).` : '.'), 'summary');
  if (!globalThis.Plot) {
    box.replaceChildren(summary, paragraph('The chart library did not load (vendor/plot.umd.min.js).', 'empty'));
    return;
  }
  const width = Math.max(480, box.clientWidth || 900);
  const max = Math.max(...rows.map((r) => r.wall).filter(Number.isFinite), 0);
  const chart = globalThis.Plot.plot({
    width,
    height: 44 + 34 * rows.length,
    marginBottom: 40,
    marginLeft: Math.min(360, 16 + 7.5 * Math.max(...rows.map((r) => r.label.length))),
    marginRight: 20,
    style: {fontSize: '13px'},
    // Headroom on the right keeps the value labels inside the chart.
    x: {label: 'wall seconds', labelAnchor: 'center', labelOffset: 34, domain: [0, (max || 1) * 1.18], grid: true},
    y: {label: null, domain: rows.map((r) => r.label)},
    color: {domain: KINDS, range: COLORS},
    marks: [
      globalThis.Plot.barX(rows, {y: 'label', x: 'wall', fill: 'kind', title: (d) => `${d.label}: ${seconds(d.wall)}`}),
      globalThis.Plot.text(rows, {y: 'label', x: 'wall', text: (d) => seconds(d.wall), textAnchor: 'start', dx: 5}),
      globalThis.Plot.ruleX([0]),
    ],
  });
  box.replaceChildren(summary, chart);
}

function paragraph(text, className) {
  const p = document.createElement('p');
  p.className = className;
  p.textContent = text;
  return p;
}
