// Cancelling a run: the Cancel button (and Escape) abort the run under way, the WASM run and the
// native one after it alike; the engine then ends the run at its next wait or checkpoint.
export class RunControl {
  constructor(button, onCancel) {
    this.button = button;
    this.onCancel = onCancel;
    this.controller = null;
    button.addEventListener('click', () => this.cancel());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.controller && !event.defaultPrevented) this.cancel();
    });
  }

  // A new run: returns the signal its engine run and native fetch listen to.
  start() {
    this.controller = new AbortController();
    this.button.disabled = false;
    return this.controller.signal;
  }

  cancel() {
    if (!this.controller || this.controller.signal.aborted) return;
    this.controller.abort();
    this.button.disabled = true;
    this.onCancel();
  }

  end() {
    this.controller = null;
    this.button.disabled = true;
  }
}

// A report the reader cut short: not a failure of the run or the engine.
export function isCancelled(report) {
  return report?.error?.code === 'cancelled';
}
