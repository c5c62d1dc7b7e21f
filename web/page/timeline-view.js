// The timeline's window of time and the input that moves it: the wheel zooms about the pointer (Shift or
// a sideways wheel pans), a drag pans (and scrolls the lanes), the keyboard zooms (+ −), pans (← →),
// picks a row (↑ ↓) and resets (0). Redraws are asked for at most once per animation frame.

const MIN_SPAN_S = 1e-7;

export class TimelineView {
  // full: [0, end] in seconds; draw(): redraws; pick(point|null): shows the details under a point.
  constructor(full, {draw, plotArea, onPick}) {
    this.full = full;
    this.domain = [...full];
    this.draw = draw;
    this.plotArea = plotArea;
    this.onPick = onPick;
    this.frame = 0;
    this.cursorRow = null;
    this.keyboard = false;  // the last input was a key: the cursor (a row, the middle of the view) is shown
  }

  request() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  cancel() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  isZoomed() {
    return this.domain[0] > this.full[0] || this.domain[1] < this.full[1];
  }

  // Keeps the window inside the run and no narrower than MIN_SPAN_S.
  set(x0, x1) {
    const [f0, f1] = this.full;
    let width = Math.min(f1 - f0, Math.max(MIN_SPAN_S, x1 - x0));
    let a = Math.max(f0, Math.min(x0, f1 - width));
    this.domain = [a, a + width];
    this.request();
  }

  zoom(factor, at = (this.domain[0] + this.domain[1]) / 2) {
    const [x0, x1] = this.domain;
    this.set(at - (at - x0) * factor, at + (x1 - at) * factor);
  }

  pan(fraction) {
    const [x0, x1] = this.domain;
    const d = (x1 - x0) * fraction;
    this.set(x0 + d, x1 + d);
  }

  reset() {
    this.domain = [...this.full];
    this.request();
  }

  // Seconds at a client x, inside the plot's frame.
  timeAt(clientX) {
    const {left, width} = this.plotArea();
    const [x0, x1] = this.domain;
    return x0 + ((clientX - left) / width) * (x1 - x0);
  }

  secondsPerPixel() {
    return (this.domain[1] - this.domain[0]) / Math.max(1, this.plotArea().width);
  }

  // Wires the input of `viewport` (the scrolling lanes); returns a function that unwires it.
  attach(viewport, {rows}) {
    const onWheel = (e) => {
      const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
      // Zooming out of the whole run does nothing: let the page scroll on instead.
      if (!sideways && e.deltaY > 0 && !this.isZoomed()) return;
      e.preventDefault();
      const delta = sideways ? (e.deltaX || e.deltaY) : e.deltaY;
      if (sideways) this.pan(delta / Math.max(1, this.plotArea().width));
      else this.zoom(Math.exp(delta * 0.002), this.timeAt(e.clientX));
    };
    let drag = null;
    const onDown = (e) => {
      this.keyboard = false;
      if (e.button !== 0) return;
      drag = {x: e.clientX, y: e.clientY, domain: [...this.domain], top: viewport.scrollTop, moved: false, id: e.pointerId};
    };
    const onMove = (e) => {
      if (drag && drag.id === e.pointerId) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (!drag.moved && Math.hypot(dx, dy) > 4) {
          drag.moved = true;
          viewport.setPointerCapture?.(e.pointerId);
          viewport.classList.add('dragging');
          this.onPick(null);
        }
        if (drag.moved) {
          const [x0, x1] = drag.domain;
          const dt = (dx / Math.max(1, this.plotArea().width)) * (x1 - x0);
          this.set(x0 - dt, x1 - dt);
          if (e.pointerType === 'mouse') viewport.scrollTop = drag.top - dy;
          return;
        }
      }
      if (e.pointerType === 'mouse') this.onPick({clientX: e.clientX, clientY: e.clientY});
    };
    const onUp = (e) => {
      if (!drag || drag.id !== e.pointerId) return;
      // A tap or click without a drag shows the details there (touch has no hover).
      if (!drag.moved) this.onPick({clientX: e.clientX, clientY: e.clientY, pinned: true});
      viewport.classList.remove('dragging');
      drag = null;
    };
    const onLeave = (e) => {
      if (!drag && e.pointerType === 'mouse') this.onPick(null);
    };
    const onKey = (e) => {
      const handled = {
        '+': () => this.zoom(0.5),
        '=': () => this.zoom(0.5),
        '-': () => this.zoom(2),
        '_': () => this.zoom(2),
        '0': () => this.reset(),
        ArrowLeft: () => this.pan(-0.1),
        ArrowRight: () => this.pan(0.1),
        ArrowUp: () => this.moveCursor(-1, rows()),
        ArrowDown: () => this.moveCursor(1, rows()),
      }[e.key];
      if (!handled || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      this.keyboard = true;
      handled();
      this.onPick({cursor: true});
    };
    const onFocus = () => {
      // A click focuses the chart too; the keyboard cursor is for keyboard focus.
      if (!viewport.matches(':focus-visible')) return;
      this.keyboard = true;
      if (this.cursorRow === null) this.cursorRow = 0;
      this.onPick({cursor: true});
      this.request();  // draws the cursor
    };
    const onBlur = () => {
      this.onPick(null);
      this.request();
    };
    // One signal removes every listener when the chart is redrawn for another report.
    const listening = new AbortController();
    const on = (type, handler, options = {}) => viewport.addEventListener(type, handler, {...options, signal: listening.signal});
    on('wheel', onWheel, {passive: false});
    on('pointerdown', onDown);
    on('pointermove', onMove);
    on('pointerup', onUp);
    on('pointercancel', onUp);
    on('pointerleave', onLeave);
    on('keydown', onKey);
    on('focus', onFocus);
    on('blur', onBlur);
    return () => {
      this.cancel();
      listening.abort();
    };
  }

  moveCursor(step, rowCount) {
    this.cursorRow = Math.max(0, Math.min(rowCount - 1, (this.cursorRow ?? -step) + step));
    this.request();
  }
}
