// The Output list: lines appear as the engine prints them, then the report's own list replaces them.
// Only the first LIMIT lines become DOM nodes; a 100,000-task run prints far more than anyone reads.
import { lineTime, count, plural } from './format.js';

const LIMIT = 500;

export class OutputList {
  constructor(list, more) {
    this.list = list;
    this.more = more;
    this.reset();
  }

  reset() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending = [];
    this.shown = 0;
    this.total = 0;
    this.finished = false;
    this.list.replaceChildren();
    this.more.textContent = '';
  }

  // Called once per printed line, possibly thousands of times a second: buffer and draw once per frame.
  push(line) {
    // A line delivered after the report would duplicate one the report already listed.
    if (this.finished) return;
    this.total++;
    if (this.shown + this.pending.length < LIMIT) this.pending.push(line);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    const stick = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    if (this.pending.length) {
      this.list.append(...this.pending.map(row));
      this.shown += this.pending.length;
      this.pending = [];
    }
    if (stick) this.list.scrollTop = this.list.scrollHeight;
    const hidden = this.total - this.shown;
    this.more.textContent = hidden > 0 ? `${plural(hidden, 'more line')} so far…` : '';
  }

  // The report is authoritative: it has every line the engine kept, in order.
  // emptyNote is left blank when an error message already explains why nothing was printed.
  finish(output, metrics, emptyNote = 'Nothing was printed.') {
    this.finished = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending = [];
    const lines = Array.isArray(output) ? output : [];
    const shown = lines.length > LIMIT ? lines.slice(0, LIMIT) : lines;
    this.list.replaceChildren(...shown.map(row));
    this.shown = shown.length;
    this.list.scrollTop = 0;
    const notes = [];
    if (lines.length > LIMIT) notes.push(`First ${count(LIMIT)} of ${count(lines.length)} lines shown; ${plural(lines.length - LIMIT, 'more line')} not shown.`);
    const dropped = metrics?.lines_dropped ?? 0;
    if (dropped > 0) notes.push(`The engine dropped ${plural(dropped, 'further line')} to bound memory (metrics.lines_dropped = ${count(dropped)}).`);
    if (!lines.length && !dropped && emptyNote) notes.push(emptyNote);
    if (shown.some((l) => l.stable === false)) notes.push('Italic lines depend on timing and may differ between runs.');
    this.more.textContent = notes.join(' ');
  }
}

function row(line) {
  const li = document.createElement('li');
  if (line.stable === false) {
    li.className = 'unstable';
    li.title = 'timing-dependent: this line may differ between runs';
  }
  const t = document.createElement('span');
  t.className = 't';
  t.textContent = lineTime(line.t_s);
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = line.who ?? '';
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = line.text ?? '';
  li.append(t, who, text);
  // For the Code panel: where in the engine's source the line was printed, and a focus stop.
  if (line.src) li.dataset.src = `${line.src.file}:${line.src.line}`;
  li.tabIndex = -1;
  return li;
}
