// Checks are the engine's verdicts on a run (e.g. "concurrent"); words read better than a chart here.
// A check passes (✓) when its outcome is the one this variant should show (the report's
// expected_checks: a deadlock found is the point of fix=none, a failure of fix=ordering); a
// report without an expectation for it shows the bare outcome.

export function renderChecks(list, checks, emptyText = 'This scenario has no checks.', expected = {}) {
  const entries = Object.entries(checks ?? {});
  if (!entries.length) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = emptyText;
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...entries.map(([name, value]) => {
    const li = document.createElement('li');
    const mark = document.createElement('span');
    mark.className = 'mark';
    mark.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'name';
    label.textContent = name;
    if (typeof value !== 'boolean') {
      li.className = 'other';
      mark.textContent = '•';
      li.append(mark, label, document.createTextNode(`: ${JSON.stringify(value)}`));
      return li;
    }
    const outcome = document.createElement('span');
    outcome.className = 'outcome';
    const intended = expected?.[name];
    if (typeof intended !== 'boolean') {
      li.className = value ? 'pass' : 'fail';
      mark.textContent = value ? '✓' : '✗';
      outcome.textContent = `: ${value ? 'yes' : 'no'}`;
    } else {
      const agrees = value === intended;
      li.className = agrees ? 'pass' : 'fail';
      mark.textContent = agrees ? '✓' : '✗';
      const verdict = agrees ? 'as this variant should' : 'not what this variant should show';
      outcome.textContent = `: ${value ? 'yes' : 'no'}, ${verdict}`;
    }
    li.append(mark, label, outcome);
    return li;
  }));
}

// Each metric's value; with `ranges` (a repeated request's metric_ranges: the medians' least and
// most) a metric the runs disagreed on is followed by its range.
export function renderMetrics(dl, metrics, ranges = {}) {
  const entries = Object.entries(metrics ?? {});
  // A fraction keeps three significant digits (a 1.85 ms unit is 0.00185, not 0.002).
  const text = (v) => {
    if (typeof v !== 'number') return JSON.stringify(v);
    return v.toLocaleString('en-US', Math.abs(v) < 1 ? {maximumSignificantDigits: 3} : {});
  };
  dl.replaceChildren(...entries.flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    // A long name may break after each / and _ (compare's cpu/threading_gil_off_ideal_s).
    for (const [i, part] of name.split(/(?<=[/_])/).entries()) {
      if (i) dt.append(document.createElement('wbr'));
      dt.append(part);
    }
    const dd = document.createElement('dd');
    const shown = document.createElement('span');
    shown.className = 'value';
    shown.textContent = text(value);
    dd.append(shown);
    // Runs that differ only past the digits shown show no range.
    const range = Array.isArray(ranges?.[name]) ? ranges[name].map(text) : null;
    if (range && range[0] !== range[1]) {
      const span = document.createElement('span');
      span.className = 'range';
      span.textContent = `(${range[0]}–${range[1]})`;
      span.title = 'the least and the most of the runs';
      dd.append(' ', span);
    }
    if (/_dropped$/.test(name) && value > 0) dd.className = 'warn';
    return [dt, dd];
  }));
}
