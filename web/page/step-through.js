// The step-through of an explored schedule (issue 18): one instrumented point at a time, with
// who runs, who waits on what, the lines so far, the code that printed the last, and the timeline
// as it stood then.
import { CodePanel } from './code.js';
import { drawTimeline, clearTimeline } from './timeline.js';
import { count, plural } from './format.js';

const $ = (id) => document.getElementById(id);
// Under an explored schedule time is virtual: each step is one microsecond.
const STEP_S = 1e-6;
// Virtual times are multiples of STEP_S computed by sums, so compare them with a little slack.
const EPS = STEP_S / 1000;
// Lines the step-through lists; a run that printed more says so.
const MAX_LINES = 1000;

// One step per instant span (an instrumented point a thread reached), in time order. A step shows
// who ran and what, who was blocked on what, the lines printed so far (the code panel marks where
// the last was printed) and the timeline cut at the step's time.
export class StepThrough {
  constructor() {
    this.view = $('explore-view');
    this.code = new CodePanel({panel: $('step-code'), python: $('step-code-python'), cpp: $('step-code-cpp'), note: $('step-code-note'), output: $('step-lines')});
    this.frame = 0;
    const moves = {'step-home': () => 0, 'step-prev': (i) => i - 1, 'step-next': (i) => i + 1, 'step-end': () => Infinity};
    for (const [id, to] of Object.entries(moves)) $(id).addEventListener('click', () => this.show(to(this.at)));
    const keys = {ArrowLeft: moves['step-prev'], ArrowRight: moves['step-next'], Home: moves['step-home'], End: moves['step-end']};
    this.view.addEventListener('keydown', (event) => {
      const to = keys[event.key];
      // The chart, the code and any box keep their own keys.
      if (!to || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey
        || event.target.closest('.tl-viewport, .code-lines, input, select, textarea')) return;
      event.preventDefault();
      this.show(to(this.at));
    });
  }

  open(first) {
    const report = first.report;
    this.report = report;
    const trace = Array.isArray(report.trace) ? report.trace : [];
    this.steps = trace.filter((s) => s.state === 'instant').sort((a, b) => a.start_s - b.start_s);
    this.blocked = trace.filter((s) => s.state === 'blocked');
    this.lanes = byLane(trace);
    const output = Array.isArray(report.output) ? report.output : [];
    this.lines = output.slice(0, MAX_LINES);
    $('step-lines').replaceChildren(...this.lines.map(lineRow));
    $('step-lines-note').textContent = output.length > MAX_LINES ? `Only the first ${count(MAX_LINES)} of ${count(output.length)} lines are listed.` : '';
    this.shownLines = this.lines.length;
    $('explore-view-heading').textContent = `Seed ${first.seed}, step by step (${plural(this.steps.length, 'step')})`;
    this.view.hidden = false;
    this.code.setScenario(report.scenario);
    this.at = -1;
    this.show(0);
    $('step-now').focus();
  }

  close() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.view.hidden = true;
    // Its hatch patterns share ids with the Results timeline's: none may linger hidden.
    clearTimeline($('step-timeline'), $('step-timeline-note'));
  }

  show(wanted) {
    if (!this.steps.length) {
      $('step-text').textContent = 'This run has no steps in its trace.';
      return;
    }
    const i = Math.max(0, Math.min(this.steps.length - 1, wanted));
    if (i === this.at) return;
    this.at = i;
    const step = this.steps[i];
    const t = step.start_s;
    this.view.dataset.step = String(i);
    this.view.dataset.steps = String(this.steps.length);
    $('step-at').textContent = `Step ${count(i + 1)} of ${count(this.steps.length)} · ${virtual(t)} · ${step.lane} runs`;
    $('step-text').textContent = stepText(step);
    // Marked, not disabled: a disabled button would drop the focus, and the keys with it.
    for (const id of ['step-home', 'step-prev']) $(id).setAttribute('aria-disabled', String(i === 0));
    for (const id of ['step-next', 'step-end']) $(id).setAttribute('aria-disabled', String(i === this.steps.length - 1));
    const waits = this.blocked.filter((s) => underWay(s, t)).map(waitText);
    $('step-waits').replaceChildren(...(waits.length ? waits : ['No thread is blocked.']).map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }));
    // The last step shows the run to its end: what main printed after the threads' last step.
    this.until = i === this.steps.length - 1 ? Infinity : t;
    this.showLines(this.until);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.drawTimeline());
  }

  // Lines are in time order: those printed at or before t are shown, the rest hidden.
  showLines(t) {
    const rows = $('step-lines').children;
    let n = 0;
    while (n < this.lines.length && this.lines[n].t_s <= t + EPS) n++;
    for (let k = 0; k < rows.length; k++) rows[k].hidden = k >= n;
    this.shownLines = n;
    const last = n ? rows[n - 1] : null;
    if (last) {
      this.code.pick(last, true);
      $('step-code-caption').textContent = `Marked: the code that printed “${this.lines[n - 1].text}”, the last line printed at or before this step (${virtual(this.lines[n - 1].t_s)}).`;
      last.scrollIntoView({block: 'nearest'});
    } else {
      for (const li of $('step-code').querySelectorAll('.hit, .picked')) li.classList.remove('hit', 'picked');
      $('step-code-caption').textContent = 'Nothing is printed by this step, so no code is marked.';
      $('step-code-note').textContent = '';
    }
  }

  // Once a frame at most: holding → redraws only the step it lands on.
  drawTimeline() {
    this.frame = 0;
    if (this.view.hidden) return;
    const t = this.until;
    const cut = t === Infinity ? this.report
      : {...this.report, trace: cutTrace(this.lanes, t), output: this.lines.slice(0, this.shownLines), wall_s: t + STEP_S};
    drawTimeline($('step-timeline'), $('step-timeline-note'), cut);
  }
}

// A lane's spans in start order, and the lanes in the order they first appear in time, so that
// a lane's row keeps its place as the timeline grows.
function byLane(trace) {
  const lanes = new Map();
  trace.forEach((e, order) => {
    let lane = lanes.get(e.lane);
    if (!lane) lanes.set(e.lane, lane = {first: e.start_s, order, spans: []});
    lane.first = Math.min(lane.first, e.start_s);
    lane.spans.push(e);
  });
  const list = [...lanes.values()].sort((a, b) => a.first - b.first || a.order - b.order);
  for (const lane of list) lane.spans.sort((a, b) => a.start_s - b.start_s);
  return list;
}

// The trace as it stood at t: spans begun by then, those still under way ending at t.
function cutTrace(lanes, t) {
  const out = [];
  for (const lane of lanes) {
    for (const s of lane.spans) {
      if (s.start_s > t + EPS) break;
      out.push(s.end_s !== undefined && s.end_s > t ? {...s, end_s: t} : s);
    }
  }
  return out;
}

// Blocked at t: begun by t and not yet over. A wait that began and ended at t (one the engine
// ended at once, as a detected deadlock's) counts as under way at t.
function underWay(s, t) {
  if (s.start_s > t + EPS) return false;
  return s.end_s > t + EPS || (s.end_s - s.start_s < EPS && Math.abs(s.start_s - t) < EPS);
}

function stepText(s) {
  if (s.name === 'deadlock') return `${s.lane} is deadlocked: it waits for ${s.object}, held by ${s.holder}`;
  return `${s.lane} ${s.name}${s.object !== undefined ? ` ${s.object}` : ''}`;
}

function waitText(s) {
  if (s.holder !== undefined) return `${s.lane} waits for ${s.object}, held by ${s.holder}`;
  return `${s.lane} waits for ${s.object ?? 'something'} (${s.name})`;
}

function virtual(t) {
  return `${count(Math.round(t / STEP_S))} µs (virtual)`;
}

// As the Output list draws a line (output.js), with the virtual time in steps.
function lineRow(line) {
  const li = document.createElement('li');
  const cell = (className, text) => Object.assign(document.createElement('span'), {className, textContent: text});
  li.append(cell('t', `${count(Math.round(line.t_s / STEP_S))} µs`), cell('who', line.who ?? ''), cell('text', line.text ?? ''));
  if (line.src) li.dataset.src = `${line.src.file}:${line.src.line}`;
  li.tabIndex = -1;
  return li;
}
