// Draws a report's trace: a row per lane (in order of first appearance), bars from start_s to end_s by
// state, ticks for instant events. A lock's or the GIL's own lane shows who held it ("held" spans); a
// detected deadlock is drawn as arrows from each waiting thread to the holder. The chart zooms and pans
// (timeline-view.js); each redraw takes only the spans in view, merged or summarised per pixel, so zooming
// in reveals detail. Too many lanes for a row each become density rows (timeline-rows.js). Where the
// engine's span budget ran out, the time after it is hatched as not recorded.
import { seconds, count, plural } from './format.js';
import { timelineConditions } from './conditions.js';
import { STATES, fillOf, readTrace, makeRows, laneMarks, densityMarks, densityText } from './timeline-rows.js';
import { TimelineView } from './timeline-view.js';

// Marks per redraw, over all lane rows: past this an SVG gets sluggish to redraw at every frame of a zoom.
const MAX_MARKS = 6000;
const MAX_TICKS = 2000;
// Blocked and held are hatched as well as coloured, and the four differ in lightness, so they read in greyscale.
const COLORS = ['#1f4e8c', '#c9d8ea', 'url(#tl-blocked)', 'url(#tl-held)'];
const DEADLOCK = '#8b1e3f';
const STOP = '#b3261e';
const MARGIN_RIGHT = 20;
const MARGIN_Y = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';

export function clearTimeline(box, note) {
  box._timeline?.detach();
  box._timeline = null;
  box.replaceChildren();
  for (const key of ['lanes', 'deadlock', 'rows']) box.dataset[key] = '[]';
  for (const key of ['xDomain', 'densityRows', 'stopped', 'width', 'plot']) delete box.dataset[key];
  note.textContent = '';
}

export function drawTimeline(box, note, report) {
  clearTimeline(box, note);
  const data = readTrace(report);
  box.dataset.lanes = JSON.stringify(data.lanes);
  const notes = [];
  if (!data.lanes.length) {
    box.replaceChildren(message('This report has no trace.'));
  } else if (!globalThis.Plot) {
    box.replaceChildren(message('The chart library did not load (vendor/plot.umd.min.js), so the timeline cannot be drawn.'));
  } else {
    notes.push(...chart(box, report, data));
  }
  const untraced = report.trace_lanes_untraced ?? 0;
  if (untraced > 0) {
    notes.push(`The engine keeps spans for its first ${count(1000)} lanes only: ${plural(untraced, 'more lane')} ${untraced === 1 ? 'ran but has' : 'ran but have'} no spans (the hatched last row).`);
  }
  const spansDropped = report.metrics?.spans_dropped ?? 0;
  if (spansDropped > 0) notes.push(`The engine dropped ${plural(spansDropped, 'span')} (metrics.spans_dropped).`);
  notes.push(`Conditions: ${timelineConditions(report)}.`);
  note.textContent = notes.join(' ');
}

// Builds the chart's parts and its view; returns the notes that explain it.
function chart(box, report, data) {
  const rows = makeRows(data.lanes);
  const untraced = report.trace_lanes_untraced ?? 0;
  if (untraced > 0) rows.push({label: `+${count(untraced)} lanes untraced`, lanes: [], untraced});
  const rowOfLane = new Int32Array(data.lanes.length);
  rows.forEach((r, i) => { for (const l of r.lanes) rowOfLane[l] = i; });
  const single = (lane) => data.laneIndex.has(lane) && rows[rowOfLane[data.laneIndex.get(lane)]].lanes.length === 1;
  const rowOf = (lane) => rowOfLane[data.laneIndex.get(lane)];
  const stopped = Number.isFinite(report.trace_stopped_s) ? report.trace_stopped_s : null;
  const dropped = report.metrics?.spans_dropped ?? 0;

  // Both ends of a deadlock arrow must be rows of their own. The arrows stand midway between the moment
  // the cycle closed (the last of its waits began) and its detection, where the waits are plain.
  const cycle = data.deadlock.filter((d) => single(d.lane) && single(d.holder));
  const closed = Math.max(...cycle.map((d) => waitOf(data.perLane[data.laneIndex.get(d.lane)], d)?.start_s ?? d.start_s));
  for (const d of cycle) d.x = (closed + d.start_s) / 2;
  const closedAt = () => cycle[0]?.x ?? 0;
  box.dataset.deadlock = JSON.stringify(cycle.map((d) => ({lane: d.lane, waits_for: d.object, held_by: d.holder})));
  box.dataset.rows = JSON.stringify(rows.map((r) => r.label));
  box.dataset.densityRows = String(rows.filter((r) => r.density).length);
  if (stopped !== null) box.dataset.stopped = String(stopped);

  const rowHeight = rows.length > 12 ? 18 : cycle.length ? 44 : 26;
  const marginLeft = Math.min(200, 16 + 7 * Math.max(...rows.map((r) => r.label.length)));
  const parts = skeleton(rows.length);
  box.replaceChildren(patterns(), parts.toolbar, legend(stopped !== null || untraced > 0), parts.viewport, parts.axis, parts.tip);
  box.classList.add('timeline');

  let last = null;
  let tipAt = null;
  const view = new TimelineView([0, data.end], {
    draw: () => {
      last = render();
      if (tipAt) pick(tipAt);
    },
    plotArea: () => {
      const r = parts.viewport.getBoundingClientRect();
      return {left: r.left + marginLeft, width: Math.max(1, parts.viewport.clientWidth - marginLeft - MARGIN_RIGHT)};
    },
    onPick: (p) => pick(p),
  });

  function render() {
    const width = Math.max(320, parts.viewport.clientWidth || 900);
    const [x0, x1] = view.domain;
    const spp = (x1 - x0) / Math.max(1, width - marginLeft - MARGIN_RIGHT);
    const minWidth = 2 * spp;
    const laneRows = rows.filter((r) => r.lanes.length === 1).length;
    const budget = Math.max(50, Math.floor(MAX_MARKS / Math.max(1, laneRows)));
    const background = [];
    const running = [];
    const density = [];
    const byRow = rows.map(() => []);
    let merged = false;
    let binned = false;
    rows.forEach((row, r) => {
      if (row.density) {
        const cols = densityMarks(row, data.perLane, x0, x1, spp);
        byRow[r] = cols;
        for (const c of cols) {
          let top = r + 0.9;
          c.shares.forEach((share, k) => {
            if (share <= 0) return;
            density.push({x1: c.start_s, x2: c.end_s, y1: top, y2: top - 0.8 * share, fill: STATES[k]});
            top -= 0.8 * share;
          });
        }
      } else if (row.lanes.length === 1) {
        const got = laneMarks(data.perLane[row.lanes[0]], x0, x1, spp, budget);
        merged ||= got.merged;
        binned ||= got.binned;
        for (const m of got.marks) {
          const d = {...m, row: r, x1: Math.max(m.start_s, x0), x2: Math.min(x1, Math.max(m.end_s, m.start_s + minWidth))};
          (fillOf(m) === 'running' ? running : background).push(d);
          byRow[r].push(d);
        }
      }
    });
    const ticks = [];
    for (const t of data.ticks) {
      if (t.start_s < x0 || t.start_s > x1 || !single(t.lane)) continue;
      if (ticks.length >= MAX_TICKS) break;
      ticks.push({...t, row: rowOf(t.lane)});
    }
    const Plot = globalThis.Plot;
    const bands = rows.map((row, r) => ({r, row}));
    const unrecorded = stopped !== null && stopped < x1 ? [{x1: Math.max(stopped, x0), x2: x1}] : [];
    const cursor = view.cursorRow !== null && view.keyboard && document.activeElement === parts.viewport ? [view.cursorRow] : [];
    const height = 2 * MARGIN_Y + rowHeight * rows.length;
    const lanes = Plot.plot({
      width, height, marginLeft, marginRight: MARGIN_RIGHT, marginTop: MARGIN_Y, marginBottom: MARGIN_Y,
      style: {fontSize: '12px'},
      x: {domain: [x0, x1], axis: null},
      y: {domain: [rows.length, 0], axis: null},
      color: {domain: STATES, range: COLORS},
      marks: [
        Plot.rect(bands.filter((b) => b.row.density), {x1: () => x0, x2: () => x1, y1: (b) => b.r + 0.08, y2: (b) => b.r + 0.92, fill: '#f1f1ec'}),
        Plot.rect(bands.filter((b) => b.row.untraced), {x1: () => x0, x2: () => x1, y1: (b) => b.r + 0.15, y2: (b) => b.r + 0.85, fill: 'url(#tl-unrecorded)'}),
        Plot.rect(unrecorded, {x1: 'x1', x2: 'x2', y1: 0, y2: rows.length, fill: 'url(#tl-unrecorded)'}),
        Plot.gridX({stroke: '#000', strokeOpacity: 0.08}),
        Plot.rect(cursor, {x1: () => x0, x2: () => x1, y1: (r) => r, y2: (r) => r + 1, fill: '#2b6cb0', fillOpacity: 0.08}),
        Plot.rect(density, {x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'fill'}),
        Plot.rect(background, {x1: 'x1', x2: 'x2', y1: (d) => d.row + 0.15, y2: (d) => d.row + 0.85, fill: fillOf}),
        Plot.rect(running, {x1: 'x1', x2: 'x2', y1: (d) => d.row + 0.15, y2: (d) => d.row + 0.85, fill: fillOf}),
        Plot.ruleX(ticks, {x: 'start_s', y1: (d) => d.row + 0.1, y2: (d) => d.row + 0.9, stroke: '#1a1a1a', strokeWidth: 1.5}),
        Plot.arrow(cycle, {
          x1: 'x', x2: 'x', y1: (d) => rowOf(d.lane) + 0.5, y2: (d) => rowOf(d.holder) + 0.5, bend: 45, stroke: DEADLOCK,
          strokeWidth: 2.5, headLength: 12, insetStart: 3, insetEnd: 3, title: deadlockTitle,
        }),
        // A narrow chart (a phone) has no room for the words beside the arrows: the note says them.
        Plot.text(width - marginLeft >= 520 ? cycle : [], {
          x: 'x', y: (d) => rowOf(d.lane) + 0.5, text: (d) => `waits for ${d.object}, held by ${d.holder}`,
          // On the side of the arrows with more room, so the words stay inside the chart.
          dx: (x0 + x1) / 2 < closedAt() ? -24 : 24, textAnchor: (x0 + x1) / 2 < closedAt() ? 'end' : 'start',
          fill: DEADLOCK, stroke: 'white', strokeWidth: 4, fontWeight: 'bold',
        }),
        Plot.ruleX(unrecorded, {x: 'x1', stroke: STOP, strokeWidth: 2, strokeDasharray: '6,3'}),
        Plot.ruleX(cursor.length ? [(x0 + x1) / 2] : [], {stroke: '#2b6cb0', strokeDasharray: '3,3'}),
        Plot.axisY({ticks: rows.map((_, r) => r + 0.5), tickFormat: (v) => rows[Math.floor(v)]?.label ?? '', tickSize: 0, label: null}),
      ],
    });
    lanes.classList.add('tl-lanes');
    const stopLabel = stopped !== null && stopped >= x0 && stopped <= x1;
    // Below a millisecond (an explored schedule's virtual microseconds) seconds' ticks overlap.
    const unit = x1 - x0 < 1e-3 ? {label: 'microseconds', format: (v) => `${+(v * 1e6).toFixed(3)}`} : {label: 'seconds', format: undefined};
    const axis = Plot.plot({
      width, height: stopLabel ? 62 : 44, marginLeft, marginRight: MARGIN_RIGHT, marginTop: stopLabel ? 20 : 2, marginBottom: 36,
      style: {fontSize: '12px'},
      x: {domain: [x0, x1], label: unit.label, labelAnchor: 'center', labelOffset: 32},
      marks: [
        Plot.axisX({label: unit.label, tickFormat: unit.format, labelAnchor: 'center', labelOffset: 32}),
        Plot.ruleX(stopLabel ? [stopped] : [], {stroke: STOP, strokeWidth: 2, strokeDasharray: '6,3'}),
        Plot.text(stopLabel ? [stopped] : [], {
          x: (d) => d, frameAnchor: 'top', dy: -16, text: () => `recording stopped: ${plural(dropped, 'span')} dropped`,
          textAnchor: stopped > (x0 + x1) / 2 ? 'end' : 'start', dx: stopped > (x0 + x1) / 2 ? -4 : 4, fill: STOP, fontWeight: 'bold',
        }),
      ],
    });
    const top = parts.viewport.scrollTop;
    parts.lanesHost.replaceChildren(lanes);
    parts.axis.replaceChildren(axis);
    parts.viewport.scrollTop = top;
    parts.range.textContent = `${seconds(x0)} – ${seconds(x1)} of ${seconds(data.end)}`;
    parts.reset.disabled = !view.isZoomed();
    box.dataset.xDomain = JSON.stringify([x0, x1]);
    box.dataset.width = String(width);
    // Where the plot's frame is inside the lanes' SVG, for tests and tools that point at a time and a row.
    box.dataset.plot = JSON.stringify({left: marginLeft, width: width - marginLeft - MARGIN_RIGHT, top: MARGIN_Y, rowHeight});
    return {byRow, spp, minWidth, width, merged, binned, thin: running.some((s) => s.end_s - s.start_s < minWidth), ticks};
  }

  // The details under a point (hover, tap) or at the keyboard cursor (the middle of the view, its row).
  function pick(p) {
    tipAt = p;
    if (!p || !last) {
      parts.tip.hidden = true;
      return;
    }
    let r;
    let t;
    const svg = parts.lanesHost.firstElementChild;
    if (p.cursor) {
      r = view.cursorRow ?? 0;
      t = (view.domain[0] + view.domain[1]) / 2;
      const y = MARGIN_Y + r * rowHeight;
      if (y < parts.viewport.scrollTop || y + rowHeight > parts.viewport.scrollTop + parts.viewport.clientHeight) {
        parts.viewport.scrollTop = y - parts.viewport.clientHeight / 2;
      }
    } else {
      const rect = svg.getBoundingClientRect();
      r = Math.floor((p.clientY - rect.top - MARGIN_Y) / rowHeight);
      t = view.timeAt(p.clientX);
    }
    const text = r >= 0 && r < rows.length && t >= view.domain[0] && t <= view.domain[1] ? describe(r, t) : null;
    if (!text) {
      parts.tip.hidden = true;
      return;
    }
    parts.tip.textContent = text;
    parts.tip.hidden = false;
    const boxRect = box.getBoundingClientRect();
    const svgRect = svg.getBoundingClientRect();
    const x = p.cursor ? view.plotArea().left + view.plotArea().width / 2 : p.clientX;
    const y = p.cursor ? svgRect.top + MARGIN_Y + (r + 1) * rowHeight : p.clientY;
    const tipWidth = parts.tip.offsetWidth;
    parts.tip.style.left = `${Math.max(0, Math.min(boxRect.width - tipWidth, x - boxRect.left + 12))}px`;
    parts.tip.style.top = `${y - boxRect.top + 14}px`;
  }

  function describe(r, t) {
    const row = rows[r];
    if (row.untraced) {
      return `${count(row.untraced)} lanes untraced\nThe engine keeps spans for its first ${count(1000)} lanes; these ran too but have no spans.`;
    }
    if (stopped !== null && t >= stopped) {
      return `Not recorded (${seconds(t)})\nRecording stopped at ${seconds(stopped)}: the engine's span budget (max_spans) ran out; ${plural(dropped, 'span')} dropped.`;
    }
    const marks = last.byRow[r];
    if (row.density) {
      const m = marks.find((c) => c.start_s <= t && t <= c.end_s);
      return m ? densityText(row, m, seconds) : null;
    }
    const near = 3 * last.spp;
    const tick = last.ticks.find((d) => d.row === r && Math.abs(d.start_s - t) <= near);
    if (tick) return tickText(tick);
    // The last drawn is on top: running spans, drawn after the rest.
    let hit = null;
    for (const d of marks) if (d.x1 <= t && t <= d.x2 && (!hit || fillOf(d) === 'running')) hit = d;
    return hit ? spanText(hit) : `${row.label}: no span at ${seconds(t)}`;
  }

  view.attach(parts.viewport, {rows: () => rows.length});
  for (const [button, act] of [[parts.zoomIn, () => view.zoom(0.5)], [parts.zoomOut, () => view.zoom(2)], [parts.reset, () => view.reset()]]) {
    button.addEventListener('click', act);
  }
  // Redrawn at the new width when the box is resized, at most once a frame.
  let seenWidth = parts.viewport.clientWidth;
  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    if (parts.viewport.clientWidth !== seenWidth) {
      seenWidth = parts.viewport.clientWidth;
      view.request();
    }
  }) : null;
  observer?.observe(parts.viewport);
  box._timeline = {
    view,
    detach: () => {
      observer?.disconnect();
      view.cancel();
    },
  };
  last = render();

  const notes = [];
  if (cycle.length) {
    notes.push(`Deadlock at ${seconds(cycle[0].start_s)}: ${cycle.map((d) => `${d.lane} waits for ${d.object}, held by ${d.holder}`).join('; ')} ` +
      '(the arrows point from each waiting thread to the holder).');
  }
  if (stopped !== null) {
    notes.push(`Recording stopped at ${seconds(stopped)} of ${seconds(data.end)}: the engine's span budget (max_spans) ran out and ${plural(dropped, 'span')} ` +
      'were dropped, so the hatched time after the red line is unrecorded, not idle.');
  }
  const group = rows.find((r) => r.density);
  if (group) {
    notes.push(`The trace has ${count(data.lanes.length)} lanes, too many for a row each: a density row such as "${group.label}" stands for ` +
      `${count(group.lanes.length)} lanes, and each column of it is stacked by the share of those lanes' time spent running, waiting, blocked ` +
      'or holding a lock (full height: all of them, all the time; blank: no span). Hover a column for its figures.');
  } else if (rows.length > 12) {
    notes.push(`${count(rows.length)} lanes: scroll the chart for the rest.`);
  }
  if (last.thin) notes.push('Running spans shorter than two pixels are drawn two pixels wide.');
  if (data.ticks.length) notes.push('Black ticks mark instant events.');
  if (last.merged) notes.push('Adjacent same-state spans closer than a pixel are drawn as one; zoom in to tell them apart.');
  if (last.binned) notes.push('In the busiest lanes, spans shorter than a pixel are summarised per pixel by the state that took most of it.');
  return notes;
}

function skeleton(rowCount) {
  const el = (tag, props = {}) => Object.assign(document.createElement(tag), props);
  const toolbar = el('div', {className: 'tl-toolbar'});
  const zoomIn = el('button', {type: 'button', textContent: '+', title: 'zoom in (+)'});
  zoomIn.setAttribute('aria-label', 'zoom in');
  const zoomOut = el('button', {type: 'button', textContent: '−', title: 'zoom out (−)'});
  zoomOut.setAttribute('aria-label', 'zoom out');
  const reset = el('button', {type: 'button', textContent: 'Reset', title: 'show the whole run (0)', className: 'tl-reset', disabled: true});
  const range = el('span', {className: 'tl-range'});
  const hint = el('span', {className: 'tl-hint', textContent: 'wheel: zoom · drag: pan · Shift+wheel: pan · focus the chart: + − ← → ↑ ↓ 0 · hover or tap: details'});
  toolbar.append(zoomOut, zoomIn, reset, range, hint);
  const viewport = el('div', {className: 'tl-viewport', tabIndex: 0});
  viewport.setAttribute('role', 'group');
  viewport.setAttribute('aria-label', `timeline, ${rowCount} rows; + and − zoom, arrows pan and pick a row, 0 resets`);
  const lanesHost = el('div', {className: 'tl-lanes-host'});
  viewport.append(lanesHost);
  const axis = el('div', {className: 'tl-axis'});
  const tip = el('div', {className: 'tl-tooltip', hidden: true});
  tip.setAttribute('role', 'status');
  return {toolbar, zoomIn, zoomOut, reset, range, viewport, lanesHost, axis, tip};
}

function legend(withUnrecorded) {
  const box = document.createElement('div');
  box.className = 'tl-legend';
  const items = [['running', 'running'], ['waiting', 'waiting (sleep, I/O, future)'], ['blocked', 'blocked (lock, queue, join)'], ['held', 'held (a lock\'s holder)']];
  if (withUnrecorded) items.push(['unrecorded', 'not recorded']);
  for (const [state, text] of items) {
    const item = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = `tl-swatch tl-${state}`;
    item.append(swatch, text);
    box.append(item);
  }
  return box;
}

// Fills that keep blocked, held and unrecorded time apart without colour: hatches of their own.
function patterns() {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'tl-defs');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = `<defs>
    <pattern id="tl-blocked" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" fill="#d1495b"/><rect width="2.2" height="6" fill="#7a1f2b"/></pattern>
    <pattern id="tl-held" width="5" height="5" patternUnits="userSpaceOnUse">
      <rect width="5" height="5" fill="#e0a526"/><circle cx="2.5" cy="2.5" r="1.1" fill="#6b4a05"/></pattern>
    <pattern id="tl-unrecorded" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
      <rect width="8" height="8" fill="#ececec"/><rect width="1.5" height="8" fill="#9a9a9a"/></pattern>
  </defs>`;
  return svg;
}

function spanText(d) {
  const what = d.summary ? `${count(d.merged)} spans in this pixel, mostly ${fillOf(d)}` : d.merged > 1 ? `${count(d.merged)} spans merged, first ${d.name}` : d.name;
  const lines = [`${d.lane}: ${what}`, `state: ${d.name === 'held' ? 'held' : d.state}`];
  if (d.object !== undefined) lines.push(`object: ${d.object}`);
  if (d.holder !== undefined) lines.push(`${d.name === 'held' ? 'holder' : 'held by'}: ${d.holder}`);
  lines.push(`start: ${seconds(d.start_s)}`, `duration: ${seconds(d.end_s - d.start_s)}`);
  return lines.join('\n');
}

function tickText(d) {
  return `${d.lane}: ${d.name} (instant)\nat ${seconds(d.start_s)}`;
}

// The blocked wait a deadlock mark belongs to: on its lane, for its lock, under way when found.
function waitOf(spans, d) {
  return spans?.find((s) => s.state === 'blocked' && s.object === d.object && s.start_s <= d.start_s && s.end_s >= d.start_s);
}

function deadlockTitle(d) {
  return `Deadlock: ${d.lane} waits for ${d.object}, held by ${d.holder} (at ${seconds(d.start_s)})`;
}

function message(text) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  return p;
}
