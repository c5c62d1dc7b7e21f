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

export function renderMetrics(dl, metrics) {
  const entries = Object.entries(metrics ?? {});
  dl.replaceChildren(...entries.flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = typeof value === 'number' ? value.toLocaleString('en-US') : JSON.stringify(value);
    if (/_dropped$/.test(name) && value > 0) dd.className = 'warn';
    return [dt, dd];
  }));
}
