// The Code panel: the scenario's Python (the guide's, as CPython runs it: bench/python/) beside
// the C++ samovar runs (engine/scenarios/), both copied beside the page under src/ with
// src/index.json naming a scenario's files. Picking an output line (hover, click, or the arrow
// keys) marks the code that printed it: the C++ line the report names in the line's `src`, and
// the Python print whose text pattern matches the line.
const SRC = 'src/';

// A print call's first text argument as pieces: literal text, or null where a value goes.
// Only literals at the argument's own level count: "x" inside str("x") is part of a value.
function pieces(arg, python) {
  const out = [];
  const value = () => { if (out.at(-1) !== null) out.push(null); };
  let depth = 0;
  for (let i = 0; i < arg.length;) {
    const c = arg[i];
    const prefix = python ? /^[fFrRbBuU]{0,2}(["'])/.exec(arg.slice(i)) : /^(")/.exec(arg.slice(i));
    const atWordStart = i === 0 || !/\w/.test(arg[i - 1]);
    if (prefix && atWordStart) {
      const quote = prefix[1];
      const f = /[fF]/.test(prefix[0]);
      let j = i + prefix[0].length;
      let text = '';
      while (j < arg.length && arg[j] !== quote) {
        if (arg[j] === '\\') { text += unescape(arg[j + 1]); j += 2; continue; }
        if (f && arg[j] === '{' && arg[j + 1] === '{') { text += '{'; j += 2; continue; }
        if (f && arg[j] === '}' && arg[j + 1] === '}') { text += '}'; j += 2; continue; }
        if (f && arg[j] === '{') {
          if (depth === 0) { if (text) out.push(text); text = ''; value(); }
          let braces = 1;
          for (j++; j < arg.length && braces; j++) braces += arg[j] === '{' ? 1 : arg[j] === '}' ? -1 : 0;
          continue;
        }
        text += arg[j++];
      }
      if (depth === 0) { if (text) out.push(text); } else value();
      i = j + 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (!/[\s+]/.test(c)) value();
    i++;
  }
  // Adjacent literals ("a" "b", or f"..." f"..." over lines) are one text.
  return out.reduce((acc, p) => {
    if (p !== null && typeof acc.at(-1) === 'string') acc[acc.length - 1] += p;
    else acc.push(p);
    return acc;
  }, []);
}

function unescape(c) {
  return {n: '\n', t: '\t'}[c] ?? c;
}

// The text inside a call's parentheses, from `open` (just after its '('), over lines if need be,
// skipping strings; and its top-level arguments.
function callArgs(source, open) {
  const args = [];
  let depth = 0;
  let start = open;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") {
      for (i++; i < source.length && source[i] !== c; i++) if (source[i] === '\\') i++;
    } else if (c === '#') {
      // A Python comment inside a call (C++ has no '#' outside strings).
      while (i < source.length && source[i] !== '\n') i++;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) { args.push(source.slice(start, i)); return args; }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(source.slice(start, i));
      start = i + 1;
    }
  }
  return args;
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every print call of a file, as {line (1-based), regex, literal (how many characters of the
// pattern are fixed text: the more, the surer a match), fn (the function it is in)}.
export function printPatterns(source, language) {
  const python = language === 'python';
  const call = python ? /\brun\.print\(/g : /\bctx\.print(_at)?\(/g;
  const starts = lineStarts(source);
  const lines = source.split('\n');
  const found = [];
  for (const m of source.matchAll(call)) {
    const args = callArgs(source, m.index + m[0].length);
    const text = args[m[1] ? 1 : 0];
    if (text === undefined) continue;
    // std::string("Failed: ") + e.what(): the literal is the line's text, as a bare one would be.
    // ctx.print({"Brewing ", name, "..."}): a line given in parts is their concatenation.
    const whole = text.trim().replace(/^\{([\s\S]*)\}$/, (_, inner) => callArgs(`${inner})`, 0).join('+'));
    const arg = python ? text : whole.replace(/std::string\(("(?:[^"\\]|\\.)*")\)/g, '$1');
    const parts = pieces(arg.trim(), python);
    const regex = new RegExp(`^${parts.map((p) => p === null ? '[\\s\\S]*?' : escapeRegex(p)).join('')}$`);
    const literal = parts.reduce((n, p) => n + (p === null ? 0 : p.length), 0);
    const line = lineOf(starts, m.index);
    found.push({line, regex, literal, fn: enclosing(lines, line, python)});
  }
  return found;
}

// The name of the function a line is in: the nearest `def` above it, or in C++ the nearest
// definition that starts a line (lambdas and blocks are indented).
function enclosing(lines, line, python) {
  const head = python ? /^\s*(?:async\s+)?def\s+(\w+)/ : /^(?!namespace\b|using\b|struct\b|class\b|return\b)[A-Za-z_][\w:<>,*& ]*?\b(\w+)\(/;
  for (let i = line - 1; i >= 0; i--) {
    const m = head.exec(lines[i]);
    if (m) return m[1];
  }
  return '';
}

function lineStarts(source) {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

function lineOf(starts, index) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid; else hi = mid - 1;
  }
  return lo + 1;
}

// The patterns that match `text` best (most fixed text), in file order. A print of a bare
// value (`print(result)`) matches any text: it is a candidate only where the C++ that printed
// the line is one too.
function bestMatches(patterns, text, bare) {
  const hits = patterns.filter((p) => (p.literal === 0) === bare && p.regex.test(text));
  const most = Math.max(...hits.map((p) => p.literal));
  return hits.filter((p) => p.literal === most);
}

// The Python lines that printed `text`, which the C++ line `cppLine` of the scenario's file
// printed (0 if another file did). Where several Python prints could have (gather prints
// "Brewing ..." under asyncio and under sequential), the C++ print picks among them: the prints
// of each side that could have are paired by the function they are in (own_copies with
// own_copies), the rest in file order.
export function pythonLinesFor(text, python, cpp, cppLine) {
  const own = cpp.find((p) => p.line === cppLine);
  const bare = own ? own.literal === 0 : false;
  const candidates = bestMatches(python, text, bare);
  if (candidates.length < 2 || !own) return candidates.map((p) => p.line);
  const twins = bestMatches(cpp, text, bare);
  const free = [...candidates];
  const pair = new Map();
  for (const t of twins) {
    const c = free.find((p) => p.fn && p.fn === t.fn);
    if (c) { pair.set(t, c); free.splice(free.indexOf(c), 1); }
  }
  const unpaired = twins.filter((t) => !pair.has(t));
  if (unpaired.length === free.length) unpaired.forEach((t, i) => pair.set(t, free[i]));
  return pair.has(own) ? [pair.get(own).line] : candidates.map((p) => p.line);
}

export class CodePanel {
  constructor({panel, python, cpp, note, output}) {
    Object.assign(this, {panel, python, cpp, note, output});
    this.scenario = null;
    this.loaded = null;
    this.index = null;
    panel.addEventListener('toggle', () => this.load());
    for (const type of ['mouseover', 'focusin', 'click']) {
      output.addEventListener(type, (event) => {
        const li = event.target.closest?.('li');
        if (li && output.contains(li)) this.pick(li, type === 'click');
      });
    }
    // Pointing away goes back to the clicked line.
    output.addEventListener('mouseleave', () => { if (this.picked?.isConnected) this.pick(this.picked, false); });
    // One tab stop for the whole list; the arrow keys move from line to line.
    output.addEventListener('keydown', (event) => this.step(event));
  }

  setScenario(id) {
    this.scenario = id;
    this.load();
  }

  // Fetched when the panel is open and shows another scenario than the one loaded.
  async load() {
    if (!this.panel.open || !this.scenario || this.loaded?.id === this.scenario) return;
    const id = this.scenario;
    const loaded = this.loaded = {id, files: null};
    this.note.textContent = 'Loading the sources…';
    try {
      this.index ??= await fetchJson(`${SRC}index.json`);
      const entry = this.index[id];
      if (!entry) throw new Error(`no sources listed for ${id}`);
      const [py, cc] = await Promise.all([entry.python ? fetchText(SRC + entry.python) : null, fetchText(SRC + entry.cpp)]);
      if (this.scenario !== id) return;
      loaded.files = {
        python: py === null ? null : {source: py, patterns: printPatterns(py, 'python')},
        cpp: {file: entry.cpp.replace(/^cpp\//, ''), source: cc, patterns: printPatterns(cc, 'cpp')},
      };
      render(this.python, py, entry.python ? `bench/python/${entry.python.replace(/^python\//, '')}` : null);
      render(this.cpp, cc, loaded.files.cpp.file);
      this.note.textContent = 'Point at or click an output line (or move through them with the arrow keys) to mark the code that printed it.';
      if (this.picked?.isConnected) this.pick(this.picked, true);
    } catch (e) {
      if (this.scenario !== id) return;
      this.loaded = null;
      this.note.textContent = `The sources could not be loaded: ${e?.message ?? e}`;
    }
  }

  pick(li, stick) {
    if (stick) {
      this.picked?.classList.remove('picked');
      this.picked = li;
      li.classList.add('picked');
    }
    const files = this.loaded?.files;
    if (!files) return;
    const text = li.querySelector('.text')?.textContent ?? '';
    const [file, line] = (li.dataset.src ?? '').split(/:(?=\d+$)/);
    const cppLine = file === files.cpp.file ? Number(line) : 0;
    // A line with no src was printed by the engine itself (asyncio's debug warnings), and one
    // from another file by another scenario's run: no print of this Python made either.
    const pyLines = files.python && cppLine ? pythonLinesFor(text, files.python.patterns, files.cpp.patterns, cppLine) : [];
    mark(this.cpp, cppLine ? [cppLine] : []);
    mark(this.python, pyLines);
    const python = !files.python ? 'the guide has no Python for this scenario'
      : pyLines.length ? `Python line ${pyLines.join(', ')}` : 'no Python print matches it';
    const where = !file ? 'printed by the engine itself, not by a print in the scenario\'s code'
      : !cppLine ? `printed at ${file}:${line}, not in the code shown here`
      : `C++ line ${cppLine}; ${python}`;
    this.note.textContent = `“${text}”: ${where}.`;
  }

  step(event) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const lines = [...this.output.children];
    if (!lines.length) return;
    event.preventDefault();
    const at = lines.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.max(0, Math.min(lines.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)));
    lines[next].focus();
    this.pick(lines[next], true);
  }
}

async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

async function fetchJson(url) {
  return JSON.parse(await fetchText(url));
}

function render(pane, source, name) {
  const list = pane.querySelector('ol');
  pane.querySelector('.file').textContent = name ?? 'The guide has no Python for this scenario.';
  list.replaceChildren(...(source ?? '').replace(/\n$/, '').split('\n').filter(() => source !== null).map((text, i) => {
    const li = document.createElement('li');
    li.dataset.line = i + 1;
    const n = document.createElement('span');
    n.className = 'n';
    n.textContent = i + 1;
    const code = document.createElement('code');
    code.textContent = text;
    li.append(n, code);
    return li;
  }));
}

// Marks those lines and scrolls the pane (not the page) to the first.
function mark(pane, lines) {
  const list = pane.querySelector('ol');
  for (const li of list.querySelectorAll('.hit')) li.classList.remove('hit');
  let first = null;
  for (const n of lines) {
    const li = list.children[n - 1];
    if (!li) continue;
    li.classList.add('hit');
    first ??= li;
  }
  if (first) list.scrollTop = first.offsetTop - (list.clientHeight - first.offsetHeight) / 2;
}
