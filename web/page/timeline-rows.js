// The timeline's rows and what each draws for a window of time. A row is one lane, or, when a trace has
// too many lanes to give each a row, a density row: a run of numbered lanes ("task 1" … "task 25")
// drawn as the share of those lanes running, waiting, blocked or holding a lock in each few pixels.
import { count } from './format.js';

export const STATES = ['running', 'waiting', 'blocked', 'held'];
// Past this many lanes, numbered lanes are grouped into density rows; every lane still has a row to be found in.
export const MAX_LANE_ROWS = 200;
const MAX_ROWS = 60;
// A density row's columns are this many pixels wide, and their shares are rounded to 1/SHARE_STEPS, so
// neighbouring columns that agree merge into one mark.
const DENSITY_PX = 3;
const SHARE_STEPS = 40;

// A hold of a lock (or the GIL) is drawn in its own colour, on the lock's lane.
export const fillOf = (d) => (d.name === 'held' ? 'held' : d.state);

// The trace in one pass (no sort: a 100,000-task gather has ~300,000 entries): lanes in order of first
// appearance, each lane's spans, its instant events, and the deadlock marks.
export function readTrace(report) {
  const trace = Array.isArray(report.trace) ? report.trace : [];
  const laneIndex = new Map();
  const lanes = [];
  const perLane = [];
  const ticks = [];
  const deadlock = [];
  let end = Number.isFinite(report.wall_s) ? report.wall_s : 0;
  for (const e of trace) {
    let i = laneIndex.get(e.lane);
    if (i === undefined) {
      i = lanes.length;
      laneIndex.set(e.lane, i);
      lanes.push(e.lane);
      perLane.push([]);
    }
    if (e.end_s === undefined || e.end_s === null) {
      if (e.name === 'deadlock' && e.holder !== undefined) deadlock.push(e);
      else ticks.push(e);
      if (e.start_s > end) end = e.start_s;
    } else {
      perLane[i].push(e);
      if (e.end_s > end) end = e.end_s;
    }
  }
  return {lanes, laneIndex, perLane, ticks, deadlock, end: end || 1};
}

// Rows for the lanes: one each up to MAX_LANE_ROWS; past that, each long run of lanes named alike with
// a number ("task 17") is cut into groups so that there are about MAX_ROWS rows, and other lanes (main,
// a lock, the GIL) keep rows of their own.
export function makeRows(lanes) {
  if (lanes.length <= MAX_LANE_ROWS) return lanes.map((lane, i) => ({label: String(lane), lanes: [i]}));
  const series = [];
  for (let i = 0; i < lanes.length; i++) {
    const m = /^(.*?)(\d+)$/.exec(String(lanes[i]));
    const prefix = m ? m[1] : null;
    const last = series.at(-1);
    if (prefix !== null && last && last.prefix === prefix) last.lanes.push(i);
    else series.push({prefix, lanes: [i]});
  }
  const long = series.filter((s) => s.prefix !== null && s.lanes.length > 1);
  const single = lanes.length - long.reduce((n, s) => n + s.lanes.length, 0);
  const size = niceSize(long.reduce((n, s) => n + s.lanes.length, 0) / Math.max(1, MAX_ROWS - single));
  const rows = [];
  for (const s of series) {
    if (!long.includes(s)) {
      for (const i of s.lanes) rows.push({label: String(lanes[i]), lanes: [i]});
      continue;
    }
    for (let k = 0; k < s.lanes.length; k += size) {
      const group = s.lanes.slice(k, k + size);
      const first = String(lanes[group[0]]);
      const lastName = String(lanes[group.at(-1)]);
      const label = group.length === 1 ? first : `${first}–${lastName.slice(s.prefix.length)}`;
      rows.push({label, lanes: group, density: group.length > 1});
    }
  }
  return rows;
}

function niceSize(n) {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000]) if (step >= n) return step;
  return Math.ceil(n / 10000) * 10000;
}

// What a lane row draws in [x0, x1] at `spp` seconds per pixel: its spans in view, adjacent same-state
// spans closer than a pixel merged, and when still more than `budget`, the short ones summarised per pixel.
export function laneMarks(spans, x0, x1, spp, budget) {
  const inView = [];
  for (const s of spans) if (s.end_s >= x0 && s.start_s <= x1) inView.push(s);
  if (inView.length <= budget) return {marks: inView, merged: false, binned: false};
  let marks = coalesce(inView, spp);
  let binned = false;
  if (marks.length > budget) {
    marks = coalesce(binByPixel(marks, spp), spp);
    binned = true;
  }
  return {marks, merged: true, binned};
}

// Input spans of one lane are in trace order; merging keeps the first span's details and counts the rest.
function coalesce(spans, gap) {
  const out = [];
  let cur = null;
  for (const s of spans) {
    if (cur && fillOf(s) === fillOf(cur) && s.start_s - cur.end_s <= gap && s.start_s >= cur.start_s) {
      if (s.end_s > cur.end_s) cur.end_s = s.end_s;
      cur.merged += s.merged ?? 1;
    } else {
      cur = {...s, merged: s.merged ?? 1};
      out.push(cur);
    }
  }
  return out;
}

// For lanes that alternate states faster than a pixel can show: keep visible spans, and replace the
// short ones by one pixel-wide span per pixel, in the state that filled most of that pixel.
function binByPixel(spans, px) {
  const out = [];
  const bins = new Map();
  for (const s of spans) {
    if (s.end_s - s.start_s >= px) {
      out.push(s);
      continue;
    }
    const b = Math.floor((s.start_s + s.end_s) / 2 / px);
    let bin = bins.get(b);
    if (!bin) {
      bin = {lane: s.lane, name: s.name, merged: 0, time: {}};
      bins.set(b, bin);
    }
    bin.merged += s.merged ?? 1;
    const f = fillOf(s);
    bin.time[f] = (bin.time[f] ?? 0) + (s.end_s - s.start_s);
  }
  for (const [b, bin] of bins) {
    const fill = Object.keys(bin.time).reduce((a, c) => (bin.time[c] > bin.time[a] ? c : a));
    out.push({lane: bin.lane, state: fill === 'held' ? 'running' : fill, name: fill === 'held' ? 'held' : bin.name,
      start_s: b * px, end_s: (b + 1) * px, merged: bin.merged, summary: true});
  }
  return out.sort((a, b) => a.start_s - b.start_s);
}

// A density row in [x0, x1]: columns DENSITY_PX pixels wide, each with the share of the row's lane-time
// spent in each state (held counted apart from running), merged where neighbours agree.
export function densityMarks(row, perLane, x0, x1, spp) {
  const colS = spp * DENSITY_PX;
  const cols = Math.max(1, Math.ceil((x1 - x0) / colS));
  const time = STATES.map(() => new Float64Array(cols));
  for (const i of row.lanes) {
    for (const s of perLane[i]) {
      const a = Math.max(s.start_s, x0);
      const b = Math.min(s.end_s, x1);
      if (b <= a) continue;
      const t = time[STATES.indexOf(fillOf(s))];
      let c = Math.floor((a - x0) / colS);
      const last = Math.min(cols - 1, Math.floor((b - x0) / colS));
      for (; c <= last; c++) {
        const c0 = x0 + c * colS;
        t[c] += Math.min(b, c0 + colS) - Math.max(a, c0);
      }
    }
  }
  const whole = colS * row.lanes.length;
  const out = [];
  let cur = null;
  for (let c = 0; c < cols; c++) {
    const shares = STATES.map((_, k) => Math.round((time[k][c] / whole) * SHARE_STEPS) / SHARE_STEPS);
    if (cur && shares.every((v, k) => v === cur.shares[k])) {
      cur.end_s = x0 + (c + 1) * colS;
    } else {
      cur = {start_s: x0 + c * colS, end_s: x0 + (c + 1) * colS, shares};
      out.push(cur);
    }
  }
  for (const m of out) m.end_s = Math.min(m.end_s, x1);
  return out;
}

// "task 1–25 (25 lanes), 0.100–0.104 s: 83% waiting, 10% running, 7% with no span"
export function densityText(row, m, seconds) {
  const parts = STATES.map((s, k) => [s, m.shares[k]]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
    .map(([s, v]) => `${Math.round(v * 100)}% ${s === 'held' ? 'holding a lock' : s}`);
  const none = 1 - m.shares.reduce((a, b) => a + b, 0);
  if (none > 0.005) parts.push(`${Math.round(none * 100)}% with no span`);
  return `${row.label} (${count(row.lanes.length)} lanes), ${seconds(m.start_s)}–${seconds(m.end_s)}: ${parts.join(', ')}`;
}
