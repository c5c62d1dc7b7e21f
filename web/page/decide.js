// "Which model?": the guide's decision questions (section 6, with the words of sections 2.5, 3.2,
// 4.2, 5, 7 and 9), answered one by one, lead to a recommended model, the scenario that shows it,
// and what `samovar bench` recorded on this machine for it. Figures come only from the results file.
import { seconds, count } from './format.js';
import { paragraph } from './dom.js';

// Section 6 of the guide is a flowchart whose picture did not survive into its text; the questions
// and reasons below are the guide's own words from the sections named, and samovar's (`own`)
// only where the guide says nothing.
export const QUESTIONS = {
  overlap: {
    section: '7.3',
    text: 'Start simple - single-threaded first. Profile before optimizing: does the program spend its time on several independent things that could overlap?',
    answers: [
      {id: 'yes', text: 'Yes: profiling shows the time goes to independent waits or calculations', next: 'bound'},
      {id: 'no', text: 'No, or not profiled yet', next: 'sequential'},
    ],
  },
  bound: {
    section: '9',
    text: 'Is the application I/O or CPU bound?',
    answers: [
      {id: 'io', text: 'I/O bound tasks: network requests, file operations, database queries', next: 'libs'},
      {id: 'cpu', text: 'CPU bound tasks: CPU-intensive calculation', next: 'gil'},
      {id: 'mixed', text: 'Mixed I/O + some CPU', next: 'mixed'},
    ],
  },
  libs: {
    section: '5',
    text: 'Libraries: asyncio requires async libs; with threads, standard libraries work. Which do your calls have?',
    answers: [
      {id: 'async', text: 'Async libraries (aiohttp and the like)', next: 'many'},
      {id: 'blocking', text: 'Only blocking calls (time.sleep, standard libraries)', next: 'loop'},
    ],
  },
  many: {
    section: '5',
    text: 'Scalability: asyncio runs thousands of tasks, threading dozens of threads. How many operations at once?',
    answers: [
      {id: 'thousands', text: 'Thousands of tasks', next: 'asyncio-many'},
      {id: 'few', text: 'A few, up to dozens', next: 'asyncio-few'},
    ],
  },
  loop: {
    section: '3.2',
    text: 'Is the blocking function called from asyncio code, with an event loop that must stay responsive?',
    answers: [
      {id: 'yes', text: 'Yes: it is called from async code', next: 'executor'},
      {id: 'no', text: 'No: plain functions, no event loop', next: 'shared-threads'},
    ],
  },
  'shared-threads': {
    section: '7.2',
    text: 'Do the threads change shared mutable data?',
    answers: [
      {id: 'yes', text: 'Yes: shared mutable data', next: 'threading-lock'},
      {id: 'no', text: 'No: each works on its own data', next: 'threading-io'},
    ],
  },
  gil: {
    section: '7.3',
    text: 'Consider the GIL for CPU-bound tasks: does it run on CPython with the GIL?',
    answers: [
      {id: 'gil', text: 'Yes: CPython with the GIL (the usual build)', next: 'shared-procs'},
      {id: 'free', text: 'No: a free-threaded build, without the GIL', next: 'threading-free'},
    ],
  },
  'shared-procs': {
    section: '5',
    text: 'Communication: processes share nothing but IPC mechanisms. Do the workers change shared state while they run?',
    answers: [
      {id: 'no', text: 'No: each takes its input and returns a result', next: 'multiprocessing'},
      {id: 'yes', text: 'Yes: a shared counter or queue', next: 'multiprocessing-shared'},
    ],
  },
  mixed: {
    section: '4.2',
    text: 'Is the extra work a background job beside asyncio I/O (monitoring, logging, heartbeats)?',
    answers: [
      {id: 'yes', text: 'Yes: a background job beside an event loop', next: 'mixed-loop'},
      {id: 'no', text: 'No: tasks that each do I/O and some CPU', next: 'threading-mixed'},
    ],
  },
};

const TABLE4 = {scenario: 'compare', model: 'asyncio', params: {rows: 'all', models: 'all'}};
const table4 = (row, about, models) => ({
  about: `Table 4's “${about}” row as compare measured it (scale 0.1)`,
  items: models.map(([label, key]) => ({label, of: TABLE4, value: `${row}/${key}_s`})),
});

const GATHER = {blocking: false, delay: 3, tasks: 3};
const RACE = {threads: 2, increments: 100000, gil: false};

// A leaf: the model recommended, the guide's reason (own: samovar's words where the guide is
// silent), the request that shows it (a recorded one where there is one, so the run compares
// with it exactly), and the recorded figures: {label, of: {scenario, model, params}, value}.
export const LEAVES = {
  sequential: {
    model: 'sequential', label: 'sequential: no concurrency yet',
    reason: 'Start simple - single-threaded first. Profile before optimizing.', section: '7.3',
    show: {scenario: 'gather', model: 'sequential', params: GATHER},
    figures: [{about: 'three brews of 3 s each (gather, scale 0.1): what overlapping would save', items: [
      {label: 'sequential', of: {scenario: 'gather', model: 'sequential', params: GATHER}, value: 'wall_s'},
      {label: 'asyncio', of: {scenario: 'gather', model: 'asyncio', params: GATHER}, value: 'wall_s'},
    ]}],
  },
  'asyncio-many': {
    model: 'asyncio', label: 'asyncio',
    reason: 'Asyncio: Perfect for I/O-heavy applications with many concurrent operations', section: '9',
    show: {scenario: 'gather', model: 'asyncio', params: {...GATHER, tasks: 1000}},
    figures: [
      {about: 'tasks that each sleep 3 s, gathered (gather, scale 0.1)', items: [1000, 10000, 100000].map((tasks) => (
        {label: `${count(tasks)} tasks`, of: {scenario: 'gather', model: 'asyncio', params: {...GATHER, tasks}}, value: 'wall_s'}))},
      {about: 'what one more task costs (scale)', items: [
        {label: 'memory per waiting coroutine', of: {scenario: 'scale', model: 'asyncio', params: {sweep_to: 0}, trace_level: 'off'}, value: 'bytes_per_task', unit: 'bytes'},
        {label: 'a thread started and joined', of: {scenario: 'scale', model: 'threading', params: {sweep_to: 0}}, value: 'thread_start_join_us', unit: 'µs'},
      ]},
    ],
  },
  'asyncio-few': {
    model: 'asyncio', label: 'asyncio',
    reason: 'Best for: I/O bound tasks. Memory efficient, no GIL issues, easy to reason about.', section: '5, 2.5',
    show: {scenario: 'http-get', model: 'asyncio', params: {requests: 3, delay: 2, url: ''}},
    figures: [
      {about: '3 GETs of /delay/2 through one session (http-get, scale 0.1)', items: [
        {label: 'asyncio', of: {scenario: 'http-get', model: 'asyncio', params: {requests: 3}}, value: 'wall_s'},
      ]},
      table4('http', '3 HTTP requests (2s each)', [['sequential', 'sequential'], ['asyncio', 'asyncio'], ['threading', 'threading']]),
    ],
  },
  executor: {
    model: 'asyncio', label: 'asyncio, with the blocking call in a ThreadPoolExecutor',
    reason: 'run_in_executor() runs the function in a separate thread; main asyncio event loop remains responsive', section: '3.2',
    show: {scenario: 'check-stock', model: 'asyncio', params: {item: 'Masala chai', delay: 3, blocking: false}},
    figures: [{about: 'ticks of a ticker coroutine during the 3 s check_stock call (check-stock, scale 0.1)', items: [
      {label: 'through run_in_executor', of: {scenario: 'check-stock', model: 'asyncio', params: {blocking: false}}, value: 'ticks_during_call', unit: 'count'},
      {label: 'called directly', of: {scenario: 'check-stock', model: 'asyncio', params: {blocking: true}}, value: 'ticks_during_call', unit: 'count'},
    ]}],
  },
  'threading-io': {
    model: 'threading', label: 'threading, through a ThreadPoolExecutor',
    reason: 'Standard libraries work. Use ThreadPoolExecutor instead of raw threads.', section: '5, 7.2',
    show: {scenario: 'compare', model: 'asyncio', params: {rows: 'http', models: 'all', work: 20, bytes: 262144}},
    figures: [table4('http', '3 HTTP requests (2s each)', [['sequential', 'sequential'], ['threading', 'threading'], ['asyncio', 'asyncio']])],
  },
  'threading-lock': {
    model: 'threading', label: 'threading, with a lock',
    reason: 'Always use locks for shared mutable data', section: '7.2',
    show: {scenario: 'race', model: 'threading', params: {...RACE, sync: 'lock', value: false}},
    figures: [{about: 'updates lost of 200,000 by 2 threads (race)', items: [
      {label: 'no lock', of: {scenario: 'race', model: 'threading', params: {...RACE, sync: 'none'}}, value: 'lost', unit: 'count'},
      {label: 'with a lock', of: {scenario: 'race', model: 'threading', params: {...RACE, sync: 'lock'}}, value: 'lost', unit: 'count'},
      {label: 'time with a lock', of: {scenario: 'race', model: 'threading', params: {...RACE, sync: 'lock'}}, value: 'wall_s'},
    ]}],
  },
  multiprocessing: {
    model: 'multiprocessing', label: 'multiprocessing',
    reason: 'Multiprocessing: Essential for CPU-bound tasks requiring true parallelism', section: '9',
    show: {scenario: 'encrypt', model: 'multiprocessing', params: {items: 4, work: 2000000, workers: 2, rounds: 3}},
    figures: [
      {about: '4 cards hashed 2,000,000 times each (encrypt)', items: [
        {label: 'one after another', of: {scenario: 'encrypt', model: 'multiprocessing', params: {work: 2000000}}, value: 'sequential_s'},
        {label: 'process pool of 2', of: {scenario: 'encrypt', model: 'multiprocessing', params: {work: 2000000}}, value: 'pool_s'},
      ]},
      table4('cpu', 'CPU-intensive calculation', [['sequential', 'sequential'], ['threading (GIL)', 'threading'], ['multiprocessing', 'multiprocessing']]),
    ],
  },
  'multiprocessing-shared': {
    model: 'multiprocessing', label: 'multiprocessing, sharing through IPC (a Value under its lock)',
    reason: 'Communication: IPC mechanisms', section: '5',
    show: {scenario: 'race', model: 'multiprocessing', params: {...RACE, sync: 'lock', value: true}},
    figures: [{about: 'updates lost of 200,000 by 2 processes to a shared multiprocessing.Value (race)', items: [
      {label: 'no lock', of: {scenario: 'race', model: 'multiprocessing', params: {...RACE, sync: 'none', value: true}}, value: 'lost', unit: 'count'},
      {label: 'its lock held', of: {scenario: 'race', model: 'multiprocessing', params: {...RACE, sync: 'lock', value: true}}, value: 'lost', unit: 'count'},
    ]}],
  },
  'threading-free': {
    model: 'threading', label: 'threading, on free-threaded Python', own: true,
    reason: 'The guide is silent on builds without the GIL. Without it, CPU-bound threads run on every core and share memory, with no IPC; with it, they take turns and are no faster than one.', section: '3.1',
    show: {scenario: 'gil', model: 'threading', params: {threads: 2, work: 1000000, rounds: 3}},
    figures: [{about: 'counting primes on 2 threads (gil, work 1,000,000)', items: [
      {label: 'one thread', of: {scenario: 'gil', model: 'threading', params: {work: 1000000}}, value: 'sequential_s'},
      {label: 'GIL on', of: {scenario: 'gil', model: 'threading', params: {work: 1000000}}, value: 'gil_on_s'},
      {label: 'GIL off', of: {scenario: 'gil', model: 'threading', params: {work: 1000000}}, value: 'gil_off_s'},
      {label: 'processes', of: {scenario: 'gil', model: 'threading', params: {work: 1000000}}, value: 'processes_s'},
    ]}],
  },
  'mixed-loop': {
    model: 'asyncio', label: 'asyncio, with a daemon thread beside it',
    reason: 'Background monitoring thread (daemon), asyncio event loop for I/O operations, non-blocking cooperation between both', section: '4.2',
    show: {scenario: 'health-monitor', model: 'asyncio', params: {delay: 3, period: 1}},
    figures: [{about: 'a 3 s fetch_orders with a health log every second (health-monitor, scale 0.1)', items: [
      {label: 'health logs written', of: {scenario: 'health-monitor', model: 'asyncio', params: {}}, value: 'health_logs', unit: 'count'},
      {label: 'wall', of: {scenario: 'health-monitor', model: 'asyncio', params: {}}, value: 'wall_s'},
    ]}],
  },
  'threading-mixed': {
    model: 'threading', label: 'threading',
    reason: 'Threading: Good for mixed workloads with occasional blocking operations', section: '9',
    note: 'The guide\'s own Table 4 (§8.1) gives Mixed I/O + CPU 12 s with threads and 6 s with processes: when the CPU part is heavy, compare the two.',
    show: {scenario: 'compare', model: 'asyncio', params: {rows: 'mixed', models: 'all', work: 20, bytes: 262144}},
    figures: [table4('mixed', 'Mixed I/O + CPU', [['sequential', 'sequential'], ['asyncio', 'asyncio'], ['threading (GIL)', 'threading'],
      ['threading, GIL off', 'threading_gil_off'], ['multiprocessing', 'multiprocessing']])],
  },
};

export const FIRST = 'overlap';
const REQUEST_DEFAULTS = {scale: 0.1, seed: 1};

// The recorded result a figure reads: same scenario and model, the params it names, the trace
// level (spans unless it says), and one that ran (CPython's skipped runs have no wall_s).
export function findRecord(results, of) {
  return (results ?? []).find((r) => r.scenario === of.scenario && r.model === of.model
    && (r.trace_level ?? 'spans') === (of.trace_level ?? 'spans')
    && Number.isFinite(r.wall_s)
    && Object.entries(of.params ?? {}).every(([k, v]) => r.params?.[k] === v)) ?? null;
}

export function figureValue(record, value) {
  if (!record) return null;
  const v = value === 'wall_s' ? record.wall_s : record.metrics?.[value];
  return Number.isFinite(v) ? v : null;
}

export function formatFigure(v, unit = 's') {
  if (unit === 's') return seconds(v);
  if (unit === 'count') return count(Math.round(v));
  if (unit === 'bytes') return `${count(Math.round(v))} bytes`;
  return `${Number(v.toPrecision(3))} ${unit}`;
}

// The panel: `box` is an empty <details>; `loadResults()` is results.js loadNative; `show(request)`
// selects the scenario and fills the form, and returns false when it cannot (a run in progress).
export function mountDecide(box, {scenarios, loadResults, show}) {
  const known = new Set(scenarios.map((s) => s.id));
  let path = [];  // [{question, answer}]
  let results = null;
  const summary = document.createElement('summary');
  const title = document.createElement('h2');
  title.textContent = 'Which model?';
  const sub = document.createElement('span');
  sub.className = 'decide-sub';
  sub.textContent = 'the guide\'s questions, a recommendation and the numbers measured here';
  summary.append(title, ' ', sub);
  const intro = document.createElement('p');
  intro.className = 'note';
  intro.textContent = 'Guide §6, the Decision Flowchart, is a picture: the guide\'s text keeps only its heading. These questions use the guide\'s own words, from the sections named beside each; samovar\'s words only where the guide is silent, and marked so.';
  const body = document.createElement('div');
  body.className = 'decide-body';
  box.replaceChildren(summary, intro, body);
  box.hidden = false;
  // The first question is there before the panel opens: 'toggle' fires a task after the
  // summary is pressed, and drawing then would take the focus from a reader who tabbed on.
  render();
  // Read again at each opening: results may have been recorded since, or failed to load before.
  // Only the figures are redrawn: 'toggle' can come after a keyboard reader has already answered
  // (input outruns it on a busy machine), and redrawing the questions would take their focus.
  box.addEventListener('toggle', () => {
    if (!box.open) return;
    results = null;
    const figures = body.querySelector('.decide-leaf .decide-figures');
    if (figures && box.dataset.leaf) showFigures(figures, box.dataset.leaf);
  });

  // The answer already given keeps the answers after it; another one drops them.
  function choose(depth, question, answer, focusNext) {
    if (path[depth]?.answer !== answer) path = [...path.slice(0, depth), {question, answer}];
    render(focusNext);
  }

  function render(focusNext = false) {
    const parts = [];
    let at = FIRST;
    for (let depth = 0; QUESTIONS[at]; depth++) {
      const chosen = path[depth]?.question === at ? path[depth].answer : null;
      parts.push(questionBox(at, depth, chosen));
      if (!chosen) break;
      at = QUESTIONS[at].answers.find((a) => a.id === chosen).next;
    }
    path = path.slice(0, parts.length);
    const leaf = LEAVES[at] ? at : null;
    box.dataset.leaf = leaf ?? '';
    if (leaf) parts.push(leafBox(leaf));
    body.replaceChildren(...parts);
    if (focusNext) (body.querySelector('.decide-leaf h3') ?? body.querySelector('fieldset:last-of-type button'))?.focus();
  }

  function questionBox(id, depth, chosen) {
    const q = QUESTIONS[id];
    const set = document.createElement('fieldset');
    set.className = 'decide-q';
    set.dataset.question = id;
    const legend = document.createElement('legend');
    legend.textContent = `${depth + 1}. ${q.text}`;
    const ref = document.createElement('span');
    ref.className = 'guide-ref';
    ref.textContent = ` Guide §${q.section}`;
    legend.append(ref);
    set.append(legend);
    for (const a of q.answers) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.answer = a.id;
      b.setAttribute('aria-pressed', String(a.id === chosen));
      b.textContent = a.text;
      b.addEventListener('click', () => choose(depth, id, a.id, true));
      set.append(b);
    }
    return set;
  }

  function leafBox(id) {
    const leaf = LEAVES[id];
    const div = document.createElement('div');
    div.className = 'decide-leaf';
    div.dataset.model = leaf.model;
    const h = document.createElement('h3');
    h.tabIndex = -1;
    h.textContent = `Recommended: ${leaf.label}`;
    const reason = document.createElement('p');
    reason.className = 'decide-reason';
    if (leaf.own) {
      reason.textContent = `${leaf.reason} (samovar's words; see guide §${leaf.section})`;
    } else {
      const q = document.createElement('q');
      q.textContent = leaf.reason;
      reason.append(q, ` — guide §${leaf.section}`);
    }
    div.append(h, reason);
    if (leaf.note) div.append(paragraph(leaf.note, 'note'));
    const request = {...REQUEST_DEFAULTS, ...leaf.show};
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'decide-show';
    button.dataset.request = JSON.stringify(request);
    const params = Object.entries(request.params).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join(', ');
    // A scenario with one model (compare runs them all) is not shown one.
    const models = scenarios.find((s) => s.id === request.scenario)?.models ?? [];
    button.textContent = `Show me: ${request.scenario}${models.length > 1 ? ` · ${request.model}` : ''} (${params})`;
    const status = paragraph('', 'note');
    status.setAttribute('role', 'status');
    if (!known.has(request.scenario)) {
      button.disabled = true;
      status.textContent = `This engine has no ${request.scenario} scenario.`;
    }
    button.addEventListener('click', () => {
      status.textContent = show(structuredClone(request)) ? '' : 'A run is in progress: show this when it ends.';
    });
    const figures = document.createElement('div');
    figures.className = 'decide-figures';
    figures.setAttribute('aria-live', 'polite');
    div.append(button, status, figures);
    showFigures(figures, id);
    return div;
  }

  function showFigures(figures, id) {
    figures.replaceChildren(paragraph('Reading the results recorded on this machine…', 'note'));
    (results ??= loadResults()).then((file) => {
      if (box.dataset.leaf === id && figures.isConnected) figures.replaceChildren(...figureParts(LEAVES[id], file));
    });
  }
}

function figureParts(leaf, file) {
  if (file.status === 'missing') return [paragraph('No results recorded on this machine yet: run `samovar bench`.', 'empty')];
  if (file.status !== 'ok') return [paragraph(`The recorded results could not be read: ${file.message}.`, 'error')];
  const {native} = file;
  const when = native.recorded_at ? `, recorded ${native.recorded_at.replace('T', ' ').replace(/:\d\dZ$/, ' UTC')}` : '';
  const quick = native.quick ? ' --quick' : '';
  const sides = [{kind: 'native', title: `On this machine, native (samovar bench${quick}${when})`, results: native.results}];
  const cpy = native.cpython;
  if (Array.isArray(cpy?.results)) {
    sides.push({kind: 'cpython', title: `${cpy.implementation ?? 'CPython'}${cpy.version ? ` ${cpy.version}` : ''}, the guide's Python (same bench)`, results: cpy.results});
  }
  const out = [];
  for (const side of sides) {
    const groups = leaf.figures.map((g) => ({...g, shown: g.items.map((item) => ({item, v: figureValue(findRecord(side.results, item.of), item.value)}))}))
      .filter((g) => g.shown.some((s) => s.v !== null));
    if (!groups.length) {
      if (side.kind === 'native') out.push(paragraph(`${side.title}: none of these was recorded.`, 'empty'));
      continue;
    }
    const section = document.createElement('div');
    section.className = 'decide-side';
    section.dataset.side = side.kind;
    section.append(paragraph(`${side.title}:`, 'decide-side-title'));
    const list = document.createElement('ul');
    for (const g of groups) {
      const li = document.createElement('li');
      li.append(`${g.about}: `);
      g.shown.forEach(({item, v}, i) => {
        if (i) li.append(' · ');
        const span = document.createElement('span');
        span.className = 'decide-figure';
        span.dataset.label = item.label;
        if (v === null) {
          span.textContent = `${item.label} not recorded`;
        } else {
          span.dataset.value = String(v);
          const b = document.createElement('b');
          b.textContent = formatFigure(v, item.unit);
          span.append(`${item.label} `, b);
        }
        li.append(span);
      });
      list.append(li);
    }
    section.append(list);
    out.push(section);
  }
  return out;
}
