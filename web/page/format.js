// Text formatting shared by the output list, the charts and their condition lines.

// Output times use a fixed three decimals so the column lines up.
export function lineTime(t) {
  return Number.isFinite(t) ? `${t.toFixed(3)}s` : '–';
}

// Wall times keep three significant digits, so sub-millisecond runs do not read as 0.000s.
export function seconds(s) {
  if (!Number.isFinite(s)) return '–';
  if (s === 0 || Math.abs(s) >= 1) return `${s.toFixed(3)}s`;
  return `${s.toPrecision(3)}s`;
}

export function resolution(s) {
  if (!Number.isFinite(s) || s <= 0) return 'unknown';
  if (s >= 1) return `${Number(s.toPrecision(3))} s`;
  if (s >= 1e-3) return `${Number((s * 1e3).toPrecision(3))} ms`;
  if (s >= 1e-6) return `${Number((s * 1e6).toPrecision(3))} µs`;
  return `${Number((s * 1e9).toPrecision(3))} ns`;
}

export function count(n) {
  return Number(n).toLocaleString('en-US');
}

export function plural(n, word) {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function paramsText(params) {
  return Object.entries(params ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || 'no params';
}

// A short browser name for chart labels; the full user agent is in the report.
export function browserName(ua) {
  if (!ua) return 'this browser';
  const rules = [
    [/Edg\/(\d+)/, (v) => `Edge ${v}`],
    [/OPR\/(\d+)/, (v) => `Opera ${v}`],
    [/Firefox\/(\d+)/, (v) => `Firefox ${v}`],
    [/HeadlessChrome\/(\d+)/, (v) => `Chrome ${v} (headless)`],
    [/Chrome\/(\d+)/, (v) => `Chrome ${v}`],
    [/Version\/(\d+)[.\d]* .*Safari/, (v) => `Safari ${v}`],
  ];
  for (const [re, name] of rules) {
    const m = re.exec(ua);
    if (m) return name(m[1]);
  }
  return 'this browser';
}
