// Explore schedules (issue 18): the threading scenarios can run on an explored schedule, where
// threads take turns one at a time and switch only at instrumented points (a lock, a read, a
// start, a wait), the seed choosing the order. Here: the form's "schedule" choice for one such run,
// the panel that runs many of them in WASM (samovar explore), and a step-through of the first one
// that went wrong, one instrumented point at a time.
import { numberValue } from './form.js';
import { RunControl } from './run-control.js';
import { requestLink } from './share.js';
import { count, plural, paramsText } from './format.js';
import { StepThrough } from './step-through.js';

const $ = (id) => document.getElementById(id);
// The page's own limit (the engine takes up to 1,000,000): past this a phone would run for minutes.
const MAX_RUNS = 100_000;
// The kinds of going wrong, as the summary counts them and as the page (and the CLI) names them.
const KINDS = [['deadlocked', 'deadlocked'], ['lost_updates', 'lost updates'], ['failed_checks', 'failed a check'], ['errors', 'failed']];
const WHAT = {deadlocked: 'deadlocked', lost_updates: 'lost updates', failed_check: 'failed a check', error: 'failed'};

export const explorable = (scenario, model) => Boolean(scenario?.explore_models?.includes(model));

// --- The form's schedule fields -------------------------------------------------------------

// Shows the schedule choice for a scenario and model that can be explored, and strategy, depth
// and steps under it as they apply. A hidden choice sends nothing: the run is on the OS's schedule.
export function syncScheduleFields(scenario) {
  const can = explorable(scenario, $('model').value);
  $('schedule-fields').hidden = !can;
  const explore = can && $('schedule').value === 'explore';
  for (const field of document.querySelectorAll('#run-form .explore-only')) {
    field.hidden = !explore || (field.classList.contains('pct-only') && $('strategy').value !== 'pct');
  }
  $('explore').hidden = !can;
}

// The request fields the schedule choice adds: none on the OS's schedule. Values go as typed
// (numberValue), so the engine names a bad depth; a blank steps box leaves the engine's own.
export function scheduleRequest() {
  if ($('schedule-fields').hidden || $('schedule').value !== 'explore') return {};
  const fields = {schedule: 'explore', strategy: $('strategy').value};
  if (fields.strategy === 'pct') {
    fields.depth = numberValue($('depth').value);
    if ($('steps').value.trim() !== '') fields.steps = numberValue($('steps').value);
  }
  return fields;
}

// A request put back into the form (a saved report, a recorded one): its schedule too.
export function fillSchedule(request) {
  $('schedule').value = request.schedule === 'explore' ? 'explore' : 'os';
  if (request.strategy === 'random' || request.strategy === 'pct') $('strategy').value = request.strategy;
  if (request.strategy === 'pct') {
    if (request.depth !== undefined) $('depth').value = String(request.depth);
    if (request.steps !== undefined) $('steps').value = String(request.steps);
  }
}

// form.js's markInvalid knows the form's older fields; these are the schedule's.
export function markScheduleInvalid(field) {
  if (['schedule', 'strategy', 'depth', 'steps'].includes(field)) $(field).setAttribute('aria-invalid', 'true');
}

// What a run summary adds for a report of an explored schedule.
export function scheduleText(report) {
  const e = report?.explore;
  if (report?.schedule !== 'explore' || !e) return '';
  const how = e.strategy === 'pct' ? `pct, depth ${e.depth} over ${count(e.steps)} steps` : e.strategy;
  return ` · explored schedule (${how}): ${plural(e.steps_taken, 'step')}, ${plural(e.switches, 'switch')}` +
    `${e.all_blocked ? ', and every thread ended up blocked (deadlocked)' : ''}`;
}

// --- The panel --------------------------------------------------------------------------------

// ctx: {engine, request() (the form's request), busy(), setBusy(bool), setState(state, text),
// markInvalid(field) (the form's)}.
export function mountExplore(ctx) {
  const panel = $('explore');
  const stepper = new StepThrough();
  let result = null;
  const control = new RunControl($('explore-cancel'), () => ctx.setState('exploring', 'Cancelling the exploration…'));
  $('explore-strategy').addEventListener('change', () => {
    $('explore-depth-field').hidden = $('explore-strategy').value !== 'pct';
  });
  $('explore-run').disabled = false;
  $('explore-run').addEventListener('click', start);
  $('explore-step').addEventListener('click', () => stepper.open(result.first_wrong));
  $('explore-copy').addEventListener('click', async () => {
    const link = $('explore-replay').href;
    try {
      await navigator.clipboard.writeText(link);
      $('explore-copied').textContent = 'Replay link copied.';
    } catch {
      $('explore-copied').textContent = `Copy this link: ${link}`;
    }
  });

  async function start() {
    if (ctx.busy()) {
      ctx.setState(document.body.dataset.state, 'A run is under way: explore when it ends (or cancel it).');
      return;
    }
    const form = ctx.request();
    for (const el of panel.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    const runs = Number($('explore-runs').value.trim());
    if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) {
      reset();
      showError(`schedules: expected a whole number 1–${count(MAX_RUNS)}, got ${JSON.stringify($('explore-runs').value)}`, 'explore-runs');
      return;
    }
    const seedText = $('explore-seed').value.trim();
    const request = {
      ...form, schedule: 'explore', strategy: $('explore-strategy').value, repeat: 1, trace: 'spans',
      seed: seedText === '' ? form.seed : numberValue(seedText),
    };
    if (request.strategy === 'pct') request.depth = numberValue($('explore-depth').value);
    reset();
    ctx.setBusy(true);
    $('explore-run').disabled = true;
    const signal = control.start();
    $('explore-progress-box').hidden = false;
    progress({done: 0, runs, wrong: 0});
    ctx.setState('exploring', `Exploring ${plural(runs, 'schedule')} of ${request.scenario} (${request.model})…`);
    try {
      const {summary, text} = await ctx.engine.explore(request, runs, progress, signal);
      show(summary, text, runs, signal.aborted, seedText === '');
    } catch (e) {
      showError(`The engine failed: ${e?.message ?? e}`);
    } finally {
      control.end();
      ctx.setBusy(false);
      $('explore-run').disabled = false;
    }
  }

  function progress({done, runs, wrong}) {
    $('explore-progress').max = runs;
    $('explore-progress').value = done;
    $('explore-progress-text').textContent = `${count(done)} of ${plural(runs, 'schedule')}, ${count(wrong)} wrong`;
  }

  function reset() {
    result = null;
    stepper.close();
    delete panel.dataset.wrong;
    $('explore-outcome').replaceChildren();
    $('explore-error').hidden = true;
    $('explore-wrong').hidden = true;
    $('explore-cli').hidden = true;
    $('explore-copied').textContent = '';
  }

  function showError(text, inputId) {
    $('explore-error').textContent = text;
    $('explore-error').hidden = false;
    if (inputId) $(inputId).setAttribute('aria-invalid', 'true');
    ctx.setState('error', 'Exploration refused; see the Explore panel.');
  }

  function show(summary, text, asked, cancelled, seedFromForm) {
    $('explore-progress-box').hidden = true;
    if (summary.error) {
      const field = summary.error.field;
      const own = {runs: 'explore-runs', strategy: 'explore-strategy', depth: 'explore-depth', seed: seedFromForm ? null : 'explore-seed'}[field];
      if (!own) ctx.markInvalid(field);
      showError(`${summary.error.code}: ${summary.error.message}`, own);
      return;
    }
    result = summary;
    const r = summary.request;
    const lines = [
      `${cancelled ? `Cancelled after ${count(summary.runs)} of ${count(asked)}` : `Explored ${count(summary.runs)}`} schedules of ` +
        `${r.scenario} (${r.model}, ${paramsText(r.params)}), ${strategyText(r)}, seeds ${r.seed}–${r.seed + Math.max(0, summary.runs - 1)}: ` +
        `${summary.wrong ? `${count(summary.wrong)} went wrong` : 'none went wrong'}.`,
      `${count(Math.round(summary.schedules_per_s))} schedules/s (${count(summary.steps_taken)} steps, ${summary.us_per_step.toFixed(1)} µs a step).`,
    ];
    const kinds = document.createElement('dl');
    kinds.className = 'metrics explore-kinds';
    for (const [key, label] of KINDS) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = count(summary[key]);
      dd.dataset.kind = key;
      if (summary[key] > 0) dd.className = 'warn';
      kinds.append(dt, dd);
    }
    $('explore-outcome').replaceChildren(...lines.map((t) => Object.assign(document.createElement('p'), {textContent: t})), kinds);
    panel.dataset.runs = String(summary.runs);
    panel.dataset.wrong = String(summary.wrong);
    for (const [key] of KINDS) panel.dataset[key] = String(summary[key]);
    $('explore-cli-text').textContent = text;
    $('explore-cli').hidden = !text;
    const first = summary.first_wrong;
    if (first) showFirst(first, r);
    ctx.setState('explored', `${cancelled ? 'Exploration cancelled' : 'Explored'}: ${count(summary.wrong)} of ${plural(summary.runs, 'schedule')} went wrong.`);
  }

  function showFirst(first, request) {
    const what = first.what.map((w) => WHAT[w] ?? w).join(', ');
    const replayed = first.replayed_same ? 'Run again from its seed, it went wrong the same way.'
      : 'Run again from its seed, it did not go wrong the same way: the scenario depends on something besides the schedule.';
    $('explore-first').textContent = `The first that went wrong: seed ${first.seed} (schedule ${count(first.run)}), ${what}. ` +
      `Who ran, steps in a row: ${first.schedule}. ${replayed}`;
    const stepping = first.report && !first.report.error?.code?.startsWith('cancel');
    $('explore-step').hidden = !stepping;
    $('explore-step').textContent = `Step through seed ${first.seed}`;
    // The link holds the request of this one schedule: the normal Run replays it exactly.
    const replay = {...request, seed: first.seed, repeat: 1};
    if (replay.strategy !== 'pct') { delete replay.depth; delete replay.steps; }
    requestLink(replay).then((hash) => { $('explore-replay').href = new URL(hash, location.href).href; });
    $('explore-wrong').hidden = false;
  }
}

function strategyText(r) {
  return r.strategy === 'pct' ? `pct depth ${r.depth} over ${count(r.steps)} steps` : `strategy ${r.strategy}`;
}
