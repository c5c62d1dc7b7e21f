// Builds the run form for one catalog scenario and reads it back as an engine request.
// Values are sent as typed, even out of range: the engine owns validation and names the bad field.
import { SCHEMA_VERSION } from './schema.js';

// A scenario's params start at their defaults and its scale at `scale` (the one its native run
// was recorded at), so a first run compares with that record instead of the last scenario's scale.
export function buildForm({modelSelect, paramsBox, scaleInput}, scenario, scale) {
  modelSelect.replaceChildren(...scenario.models.map((m) => new Option(m, m, false, m === scenario.default_model)));
  paramsBox.replaceChildren(...scenario.params.map(paramField));
  scaleInput.value = String(scale);
}

function paramField(p) {
  const field = document.createElement('div');
  field.className = `field param-${p.type}`;
  const label = document.createElement('label');
  label.htmlFor = `param-${p.name}`;
  label.textContent = p.name;
  const input = paramInput(p);
  input.id = `param-${p.name}`;
  input.name = p.name;
  if (p.help) input.title = p.help;
  const help = document.createElement('span');
  help.className = 'help';
  help.textContent = [p.help, rangeText(p)].filter(Boolean).join(' ');
  if (p.type === 'bool') {
    field.append(input, label, help);
  } else {
    field.append(label, input, help);
  }
  return field;
}

function paramInput(p) {
  if (p.type === 'bool') {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = Boolean(p.default);
    return box;
  }
  if (p.type === 'string' && Array.isArray(p.choices)) {
    const select = document.createElement('select');
    select.append(...p.choices.map((c) => new Option(c, c, false, c === p.default)));
    return select;
  }
  const input = document.createElement('input');
  input.type = 'text';
  // A text box, not type=number: that one hands over '' for "abc" and 3 for "3s", so the engine
  // could not name what was typed. The keypad is still numeric on a phone.
  if (p.type === 'int' || p.type === 'number') input.inputMode = p.type === 'int' ? 'numeric' : 'decimal';
  if (p.default !== undefined) input.value = String(p.default);
  return input;
}

function rangeText(p) {
  if (p.type !== 'int' && p.type !== 'number') return '';
  if (p.min === undefined && p.max === undefined) return '';
  const fmt = (v) => Number(v).toLocaleString('en-US');
  return `(${p.min === undefined ? '…' : fmt(p.min)}–${p.max === undefined ? '…' : fmt(p.max)})`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// A number box's text as the request's value: a number written as JSON writes one, anything else
// the text itself ("abc", "3s", "1,000"), so the engine refuses it by name and quotes it. An
// empty box is sent as null rather than dropped, so the engine names that field instead of using a default.
export function numberValue(text) {
  const t = text.trim();
  if (t === '') return null;
  const n = NUMBER.test(t) ? Number(t) : NaN;
  return Number.isFinite(n) ? n : text;
}

function readParam(p) {
  const input = document.getElementById(`param-${p.name}`);
  if (p.type === 'bool') return input.checked;
  if (p.type === 'int' || p.type === 'number') return numberValue(input.value);
  return input.value;
}

export function readRequest({modelSelect, scaleInput}, scenario) {
  const params = {};
  for (const p of scenario.params) params[p.name] = readParam(p);
  const scale = numberValue(scaleInput.value);
  const deadline_s = numberValue(document.getElementById('deadline_s').value);
  const repeat = numberValue(document.getElementById('repeat').value);
  const seed = numberValue(document.getElementById('seed').value);
  return {schema_version: SCHEMA_VERSION, scenario: scenario.id, model: modelSelect.value, params, scale, seed, deadline_s, repeat, trace: 'spans'};
}

// Fills the form with a request (a recorded one the reader chose): model, params, scale, seed
// and repeat. Its spec and trace level are the caller's (fillSpec, run).
export function fillRequest({modelSelect, scaleInput}, scenario, request) {
  modelSelect.value = request.model;
  for (const p of scenario.params) {
    const input = document.getElementById(`param-${p.name}`);
    const value = request.params?.[p.name];
    if (!input || value === undefined) continue;
    if (p.type === 'bool') input.checked = Boolean(value);
    else input.value = String(value);
  }
  scaleInput.value = String(request.scale);
  if (Number.isFinite(request.seed)) document.getElementById('seed').value = String(request.seed);
  if (Number.isFinite(request.repeat)) document.getElementById('repeat').value = String(request.repeat);
}

// Takes the error's field ("params.tasks") or a message that starts with it, and points at that input.
export function markInvalid(fieldOrMessage) {
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  const m = /^(params\.([\w-]+)|scale|model|seed|deadline_s|repeat|spec)\b/.exec(fieldOrMessage ?? '');
  if (!m) return;
  const el = document.getElementById(m[2] ? `param-${m[2]}` : m[1]);
  if (el) el.setAttribute('aria-invalid', 'true');
}
