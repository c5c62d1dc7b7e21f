// Draws a report's trace: one lane per distinct `lane` (in order of first appearance), bars from start_s
// to end_s coloured by state, ticks for instant events (no end_s). A lock's or the GIL's own lane shows
// who held it ("held" spans); a blocked span names what it waited for and who held that; a detected
// deadlock is drawn as arrows from each waiting thread to the thread holding what it waits for.
import { seconds, count, plural } from './format.js';
import { timelineConditions } from './conditions.js';

const MAX_LANES = 40;
// Past this many marks an SVG gets sluggish; beyond it, sub-pixel detail is merged or summarised per pixel,
// and only then is the rest cut.
const MAX_SPANS = 20000;
const STATES = ['running', 'waiting', 'blocked', 'held'];
const COLORS = ['#2b6cb0', '#c3d3e4', '#d1495b', '#e0a526'];
const DEADLOCK = '#8b1e3f';

// A hold of a lock (or the GIL) is drawn in its own colour, on the lock's lane.
const fillOf = (d) => (d.name === 'held' ? 'held' : d.state);

export function clearTimeline(box, note) {
  box.replaceChildren();
  box.dataset.lanes = '[]';
  box.dataset.deadlock = '[]';
  note.textContent = '';
}

export function drawTimeline(box, note, report) {
  const trace = Array.isArray(report.trace) ? report.trace : [];
  // One pass, no sorting of the whole trace: a 100,000-task gather has ~300,000 entries.
  const laneIndex = new Map();
  const lanes = [];
  const perLane = [];
  const ticks = [];
  const deadlock = [];
  let end = Number.isFinite(report.wall_s) ? report.wall_s : 0;
  for (const e of trace) {
    let i = laneIndex.get(e.lane);
    if (i === undefined) {
      i = laneIndex.size;
      laneIndex.set(e.lane, i);
      if (i < MAX_LANES) {
        lanes.push(e.lane);
        perLane.push([]);
      }
    }
    if (i >= MAX_LANES) continue;
    if (e.end_s === undefined || e.end_s === null) {
      if (e.name === 'deadlock' && e.holder !== undefined) deadlock.push(e);
      else ticks.push(e);
      if (e.start_s > end) end = e.start_s;
    } else {
      perLane[i].push(e);
      if (e.end_s > end) end = e.end_s;
    }
  }
  box.dataset.lanes = JSON.stringify(lanes);

  const notes = [];
  if (!lanes.length) {
    box.replaceChildren(message('This report has no trace.'));
  } else if (!globalThis.Plot) {
    box.replaceChildren(message('The chart library did not load (vendor/plot.umd.min.js), so the timeline cannot be drawn.'));
  } else {
    const width = Math.max(480, box.clientWidth || 900);
    const marginLeft = Math.min(180, 16 + 7 * Math.max(...lanes.map((l) => String(l).length)));
    const secondsPerPixel = (end || 1) / (width - marginLeft - 20);
    const minWidth = 2 * secondsPerPixel;
    let spans = perLane.flat();
    let merged = false;
    let binned = false;
    if (spans.length > MAX_SPANS) {
      let lanesSpans = perLane.map((s) => coalesce(s, secondsPerPixel));
      merged = true;
      if (lanesSpans.reduce((n, s) => n + s.length, 0) > MAX_SPANS) {
        const budget = MAX_SPANS / lanes.length;
        lanesSpans = lanesSpans.map((s) => (s.length > budget ? coalesce(binByPixel(s, secondsPerPixel), secondsPerPixel) : s));
        binned = true;
      }
      spans = lanesSpans.flat();
    }
    let cut = 0;
    if (spans.length > MAX_SPANS) {
      cut = spans.length - MAX_SPANS;
      spans = spans.slice(0, MAX_SPANS);
    }
    // Running slices are often far shorter than a pixel; draw them last and at least two pixels wide so they show.
    const background = spans.filter((s) => fillOf(s) !== 'running');
    const running = spans.filter((s) => fillOf(s) === 'running');
    // Taller rows when there is a deadlock, so its arrows between lanes can be told apart.
    const rowHeight = lanes.length > 12 ? 16 : deadlock.length ? 44 : 24;
    const bar = {
      y: 'lane',
      x1: 'start_s',
      x2: (d) => Math.max(d.end_s, d.start_s + minWidth),
      fill: fillOf,
      title: spanTitle,
    };
    // Both ends of a deadlock arrow must be drawn lanes. The arrows stand midway between the moment
    // the cycle closed (the last of its waits began) and its detection, where the waits are plain.
    const cycle = deadlock.filter((d) => laneIndex.get(d.holder) < MAX_LANES);
    const closed = Math.max(...cycle.map((d) => waitOf(perLane[laneIndex.get(d.lane)], d)?.start_s ?? d.start_s));
    for (const d of cycle) d.x = (closed + d.start_s) / 2;
    const chart = globalThis.Plot.plot({
      width,
      height: 48 + rowHeight * lanes.length,
      marginLeft,
      marginTop: 8,
      marginRight: 20,
      marginBottom: 40,
      style: {fontSize: '12px'},
      x: {label: 'seconds', labelAnchor: 'center', labelOffset: 34, domain: [0, end || 1], grid: true},
      y: {label: null, domain: lanes, padding: 0.2},
      color: {domain: STATES, range: COLORS, legend: true},
      marks: [
        globalThis.Plot.barX(background, bar),
        globalThis.Plot.barX(running, bar),
        globalThis.Plot.tickX(ticks, {x: 'start_s', y: 'lane', stroke: '#1a1a1a', strokeWidth: 1.5, title: tickTitle}),
        globalThis.Plot.arrow(cycle, {
          x1: 'x', x2: 'x', y1: 'lane', y2: 'holder', bend: 45, stroke: DEADLOCK, strokeWidth: 2.5,
          headLength: 12, insetStart: 3, insetEnd: 3, title: deadlockTitle,
        }),
        globalThis.Plot.text(cycle, {
          x: 'x', y: 'lane', text: (d) => `waits for ${d.object}, held by ${d.holder}`, dx: 24, textAnchor: 'start',
          fill: DEADLOCK, stroke: 'white', strokeWidth: 4, fontWeight: 'bold',
        }),
      ],
    });
    box.replaceChildren(chart);
    box.dataset.deadlock = JSON.stringify(cycle.map((d) => ({lane: d.lane, waits_for: d.object, held_by: d.holder})));
    if (cycle.length) {
      notes.push(`Deadlock at ${seconds(cycle[0].start_s)}: ${cycle.map((d) => `${d.lane} waits for ${d.object}, held by ${d.holder}`).join('; ')} ` +
        '(the arrows point from each waiting thread to the holder).');
    }
    if (running.some((s) => s.end_s - s.start_s < minWidth)) notes.push('Running spans shorter than two pixels are drawn two pixels wide.');
    if (ticks.length) notes.push('Black ticks mark instant events.');
    if (merged) notes.push('Adjacent same-state spans closer than a pixel are drawn as one.');
    if (binned) notes.push('In the busiest lanes, spans shorter than a pixel are summarised per pixel by the state that took most of it.');
    if (cut) notes.push(`${plural(cut, 'span')} past the first ${count(MAX_SPANS)} not drawn.`);
  }
  if (laneIndex.size > MAX_LANES) {
    notes.unshift(`Showing the first ${MAX_LANES} of the trace's ${count(laneIndex.size)} lanes; ${plural(laneIndex.size - MAX_LANES, 'lane')} not drawn.`);
  }
  const spansDropped = report.metrics?.spans_dropped ?? 0;
  if (spansDropped > 0) notes.push(`The engine dropped ${plural(spansDropped, 'span')} (metrics.spans_dropped).`);
  notes.push(`Conditions: ${timelineConditions(report)}.`);
  note.textContent = notes.join(' ');
}

// Input spans of one lane are in trace order; merging keeps the first span's name and counts the rest.
function coalesce(spans, gap) {
  const out = [];
  let cur = null;
  for (const s of spans) {
    if (cur && s.state === cur.state && s.start_s - cur.end_s <= gap && s.start_s >= cur.start_s) {
      if (s.end_s > cur.end_s) cur.end_s = s.end_s;
      cur.merged += s.merged ?? 1;
    } else {
      cur = {lane: s.lane, state: s.state, name: s.name, start_s: s.start_s, end_s: s.end_s, merged: s.merged ?? 1};
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
    bin.time[s.state] = (bin.time[s.state] ?? 0) + (s.end_s - s.start_s);
  }
  for (const [b, bin] of bins) {
    const state = Object.keys(bin.time).reduce((a, c) => (bin.time[c] > bin.time[a] ? c : a));
    out.push({lane: bin.lane, state, name: bin.name, start_s: b * px, end_s: (b + 1) * px, merged: bin.merged});
  }
  return out.sort((a, b) => a.start_s - b.start_s);
}

function spanTitle(d) {
  const what = d.merged > 1 ? `${count(d.merged)} spans, first ${d.name}` : d.name;
  let about = '';
  if (d.name === 'held' && d.holder !== undefined) about = ` by ${d.holder}`;
  else if (d.object !== undefined) about = ` ${d.object}${d.holder !== undefined ? `, held by ${d.holder}` : ''}`;
  return `${d.lane}: ${what}${about} (${d.state})\n${seconds(d.start_s)} → ${seconds(d.end_s)}, ${seconds(d.end_s - d.start_s)}`;
}

// The blocked wait a deadlock mark belongs to: on its lane, for its lock, under way when found.
function waitOf(spans, d) {
  return spans?.find((s) => s.state === 'blocked' && s.object === d.object && s.start_s <= d.start_s && s.end_s >= d.start_s);
}

function deadlockTitle(d) {
  return `Deadlock: ${d.lane} waits for ${d.object}, held by ${d.holder} (at ${seconds(d.start_s)})`;
}

function tickTitle(d) {
  return `${d.lane}: ${d.name} (${d.state}) at ${seconds(d.start_s)}`;
}

function message(text) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  return p;
}
