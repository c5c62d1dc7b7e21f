// The form's request kept in the page's URL, so that a link restores it:
//   #gather?model=asyncio&tasks=3&scale=0.1&seed=1&repeat=3&deadline_s=60
// In the hash, not the query, so a long spec never reaches the server's request line. Values are
// written as typed; a value the form cannot hold is named to the reader, never dropped silently.

// The form's own boxes (their ids are the request's field names); params go by their bare names.
const BOXES = ['scale', 'seed', 'repeat', 'deadline_s'];
// An explored schedule's fields (explore.js), in the link only when the form runs one.
const SCHEDULE = ['schedule', 'strategy', 'depth', 'steps'];

const $ = (id) => document.getElementById(id);
let ctx = null;
let restoring = false;
let writes = 0;

// ctx: {catalog, scenario() (the selected one), select(id), fillSpec(text), busy(), applied()
// (a link was put in the form)}.
export async function startShare(context) {
  ctx = context;
  const form = $('run-form');
  form.addEventListener('input', follow);
  form.addEventListener('change', follow);
  $('copy-link').addEventListener('click', copyLink);
  $('run-shared').addEventListener('click', () => form.requestSubmit());
  // A link pasted into this tab's address bar changes only the hash: restore that one too.
  window.addEventListener('hashchange', () => { if (!ctx.busy()) restore(); });
  await restore();
}

// The form changed (a box, the scenario, a request loaded into it): the URL follows, replacing
// the current history entry rather than adding one per keystroke.
export function follow() {
  if (!ctx || restoring) return;
  const ticket = ++writes;
  linkOf().then((hash) => {
    if (ticket !== writes) return;  // a later change is being written
    history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
  });
}

// A run started: the prompt to run a shared request has done its work.
export function ran() {
  $('shared-prompt').hidden = true;
  follow();
}

// The form as a hash, each value as typed (a checkbox as true/false).
async function linkOf() {
  const scenario = ctx.scenario();
  const query = new URLSearchParams();
  query.set('model', $('model').value);
  for (const p of scenario.params) {
    const input = $(`param-${p.name}`);
    if (input) query.set(p.name, input.type === 'checkbox' ? String(input.checked) : input.value);
  }
  for (const id of BOXES) query.set(id, $(id).value);
  for (const id of scheduleBoxes()) query.set(id, $(id).value);
  const spec = $('spec');
  if (spec) query.set('spec', await packSpec(spec.value));
  return `#${encodeURIComponent(scenario.id)}?${query}`;
}

// The schedule fields the form shows and sends: none on the OS's schedule; depth and steps for pct only.
function scheduleBoxes() {
  if ($('schedule-fields').hidden || $('schedule').value !== 'explore') return [];
  if ($('strategy').value !== 'pct') return ['schedule', 'strategy'];
  return $('steps').value.trim() === '' ? ['schedule', 'strategy', 'depth'] : SCHEDULE;
}

// A request (not the form's) as a hash in the same form: the Explore panel's replay link.
export async function requestLink(request) {
  const query = new URLSearchParams();
  query.set('model', request.model);
  for (const [name, value] of Object.entries(request.params ?? {})) query.set(name, String(value));
  for (const id of [...BOXES, ...SCHEDULE]) if (request[id] !== undefined) query.set(id, String(request[id]));
  if (request.spec !== undefined) query.set('spec', await packSpec(typeof request.spec === 'string' ? request.spec : JSON.stringify(request.spec)));
  return `#${encodeURIComponent(request.scenario)}?${query}`;
}

async function copyLink() {
  const link = new URL(await linkOf(), location.href).href;
  try {
    await navigator.clipboard.writeText(link);
    say('Link copied: it opens this page with this request in the form.');
  } catch {
    // No clipboard (permission, an insecure origin): the link is shown to copy by hand.
    say(`Copy this link: ${link}`);
    $('share-message').classList.add('selectable');
  }
}

// One line under the share buttons: what was copied, saved, or refused.
export function say(text, isError = false) {
  const message = $('share-message');
  message.textContent = text;
  message.classList.toggle('error', isError);
  message.classList.remove('selectable');
}

// Reads the hash. "#main" (an anchor) is not a request; "#name?..." or a scenario's own id is.
function parseHash(hash) {
  const text = hash.replace(/^#/, '');
  if (!text) return null;
  const q = text.indexOf('?');
  let id;
  try {
    id = decodeURIComponent(q < 0 ? text : text.slice(0, q));
  } catch {
    return {id: text.slice(0, q < 0 ? undefined : q), query: new URLSearchParams(), bad: true};
  }
  const known = ctx.catalog.scenarios.some((s) => s.id === id);
  if (q < 0 && !known) return null;
  return {id, query: new URLSearchParams(q < 0 ? '' : text.slice(q + 1))};
}

// Puts the hash's request into the form and offers to run it; never runs it by itself (it may
// be a long run). Each value the form cannot take is listed with why.
async function restore() {
  const link = parseHash(location.hash);
  if (!link) return;
  const problems = [];
  const scenario = ctx.catalog.scenarios.find((s) => s.id === link.id);
  if (!scenario) {
    showPrompt(null, [`scenario "${link.id}": this page has no such scenario (it has ${ctx.catalog.scenarios.map((s) => s.id).join(', ')}), so the link was not applied`]);
    return;
  }
  // Decoded before the form is touched, so that the form changes in one go.
  let specText;
  if (link.query.has('spec')) {
    if (!scenario.takes_spec) problems.push(`spec: ${scenario.id} takes no spec`);
    else {
      try {
        specText = await unpackSpec(link.query.get('spec'));
      } catch (e) {
        problems.push(`spec: could not be decoded (${e.message})`);
      }
    }
  }
  restoring = true;
  try {
    ctx.select(scenario.id);
    // A link without a schedule is a run on the OS's schedule, whatever the form had.
    if (!link.query.has('schedule')) $('schedule').value = 'os';
    for (const [key, value] of link.query) {
      if (key === 'spec') continue;
      const problem = apply(scenario, key, value);
      if (problem) problems.push(`${key}=${JSON.stringify(value)}: ${problem}`);
    }
    if (specText !== undefined) ctx.fillSpec(prettySpec(specText));
  } finally {
    restoring = false;
  }
  ctx.applied?.();
  showPrompt(scenario, problems);
}

// One field of the link into the form. Returns why it could not be put there, or ''.
function apply(scenario, key, value) {
  if (key === 'model') {
    if (!scenario.models.includes(value)) return `${scenario.id} runs ${scenario.models.join(', ')}`;
    $('model').value = value;
    return '';
  }
  if (BOXES.includes(key)) return fill($(key), value);
  if (SCHEDULE.includes(key)) {
    if (!scenario.explore_models?.includes($('model').value)) {
      return `${scenario.id} (${$('model').value}) has no explored schedule; ${ctx.catalog.scenarios.filter((s) => s.explore_models?.length)
        .map((s) => `${s.id} (${s.explore_models.join(', ')})`).join(', ')} have`;
    }
    return fill($(key), value);
  }
  const param = scenario.params.find((p) => p.name === key);
  if (!param) return `${scenario.id} has no such field (params: ${scenario.params.map((p) => p.name).join(', ') || 'none'})`;
  const input = $(`param-${key}`);
  if (input.type === 'checkbox') {
    if (value !== 'true' && value !== 'false') return 'expected true or false';
    input.checked = value === 'true';
    return '';
  }
  return fill(input, value);
}

// A select holds only its options: for another value it keeps its own and the reader is told.
// Number boxes are text boxes (form.js), so "3s" or a value out of range goes in as it is and
// the engine names it when run.
function fill(input, value) {
  const kept = input.value;
  input.value = value;
  if (input.value === value) return '';
  input.value = kept;
  const keeps = `the form keeps ${JSON.stringify(kept)}`;
  if (input.tagName === 'SELECT') return `not one of ${[...input.options].map((o) => o.value).join(', ')}; ${keeps}`;
  return `the box would not take it; ${keeps}`;
}

function showPrompt(scenario, problems) {
  const prompt = $('shared-prompt');
  const list = $('shared-problems');
  list.replaceChildren(...problems.map((p) => {
    const li = document.createElement('li');
    li.textContent = p;
    return li;
  }));
  list.hidden = !problems.length;
  const run = $('run-shared');
  run.hidden = !scenario;
  if (scenario) {
    const params = scenario.params.map((p) => {
      const input = $(`param-${p.name}`);
      return `${p.name}=${input.type === 'checkbox' ? input.checked : input.value}`;
    }).join(', ') || 'no params';
    $('shared-text').textContent = `This link sets up ${scenario.id} · ${$('model').value} · ${params}`
      + ` · scale ${$('scale').value} · seed ${$('seed').value} · repeat ${$('repeat').value} · deadline ${$('deadline_s').value} s`
      + `${scheduleBoxes().length ? ` · schedule explore, ${$('strategy').value}${$('strategy').value === 'pct' ? ` depth ${$('depth').value}${$('steps').value ? ` over ${$('steps').value} steps` : ''}` : ''}` : ''}`
      + `${$('spec') ? ' · its spec' : ''}.${problems.length ? ' Not applied from the link:' : ' It is in the form; nothing has run yet.'}`;
  } else {
    $('shared-text').textContent = 'This link could not be applied:';
  }
  prompt.hidden = false;
  if (scenario) run.focus();
}

// A spec travels deflated and in base64url: the example workload's ~600 characters of JSON take
// ~300 in the link. Text that is not JSON is kept as typed, so the engine names it when run.
async function packSpec(text) {
  let compact = text;
  try { compact = JSON.stringify(JSON.parse(text)); } catch { /* sent as typed */ }
  const stream = new Blob([compact]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

async function unpackSpec(packed) {
  let binary;
  try {
    binary = atob(packed.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    throw new Error('not base64url');
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  try {
    return await new Response(stream).text();
  } catch {
    throw new Error('not deflated data');
  }
}

function prettySpec(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}
