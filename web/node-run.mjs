#!/usr/bin/env node
// The WASM build, headless: takes the same arguments as the native CLI (`list`, `run`) and
// prints the same report, so the two targets can be diffed.
//   node web/node-run.mjs run gather --set tasks=3 --json
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_VERSION } from './page/schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const modulePath = process.env.SAMOVAR_WASM ?? join(here, '..', 'build', 'wasm', 'page', 'samovar.js');
const usage = `usage: node-run.mjs list [--json]
       node-run.mjs run SCENARIO|--spec FILE [--model M] [--set k=v]... [--scale F] [--seed N] [--deadline S] [--repeat N] [--no-spans] [--json] [--trace FILE]
                    [--schedule os|explore] [--strategy random|pct] [--depth D] [--steps K]
       node-run.mjs explore SCENARIO [--runs N] [the options of run]`;

// process.exit can cut piped output short: exit once stdout has taken everything.
function finish(text, code) {
  process.stdout.write(text, () => process.exit(code));
}

function fail(message) {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

// As the CLI reads a value: JSON when it parses, else a string, so the engine names a wrong type.
function cliValue(text) {
  let value;
  try { value = JSON.parse(text); } catch { return text; }
  return typeof value === 'number' && !Number.isFinite(value) ? text : value;  // 1e999, as natively
}

// --spec FILE: the request's spec, as the native CLI reads it (exit 2 when it cannot be had).
function readSpec(path) {
  let text;
  try { text = readFileSync(path, 'utf8'); } catch { fail(`error: --spec ${path}: cannot be read; allowed: a JSON file`); }
  try { return JSON.parse(text); } catch (e) { fail(`error: --spec ${path}: not JSON (${e.message})`); }
}

function parseRun(args) {
  const request = { schema_version: SCHEMA_VERSION, params: {} };
  const options = { json: false, traceFile: null, runs: 100 };
  const value = (i, flag) => (i < args.length ? args[i] : fail(`${flag} needs a value`));
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') options.json = true;
    else if (a === '--no-spans') request.trace = 'off';
    else if (a === '--model') request.model = value(++i, a);
    else if (a === '--scale') request.scale = cliValue(value(++i, a));
    else if (a === '--seed') request.seed = cliValue(value(++i, a));
    else if (a === '--deadline') request.deadline_s = cliValue(value(++i, a));
    else if (a === '--repeat') request.repeat = cliValue(value(++i, a));
    else if (a === '--trace') options.traceFile = value(++i, a);
    else if (a === '--spec') request.spec = readSpec(value(++i, a));
    else if (a === '--schedule') request.schedule = cliValue(value(++i, a));
    else if (a === '--strategy') request.strategy = cliValue(value(++i, a));
    else if (a === '--depth') request.depth = cliValue(value(++i, a));
    else if (a === '--steps') request.steps = cliValue(value(++i, a));
    else if (a === '--runs' && command === 'explore') {
      options.runs = Number(value(++i, a));
      if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 1e6) fail('--runs: expected integer 1..1000000');
    }
    else if (a === '--set') {
      const assignment = value(++i, a);
      const eq = assignment.indexOf('=');
      if (eq <= 0) fail(`error: --set ${assignment}: expected name=value`);
      request.params[assignment.slice(0, eq)] = cliValue(assignment.slice(eq + 1));
    } else if (a.startsWith('-')) fail(`unknown option ${a}`);
    else if (request.scenario === undefined) request.scenario = a;
    else fail(`unexpected argument ${a}`);
  }
  if (request.scenario === undefined && request.spec !== undefined) request.scenario = 'workload';
  if (request.scenario === undefined) fail('run needs a SCENARIO');
  return { request, options };
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'list' && command !== 'run' && command !== 'explore') fail(command ? `unknown command ${command}` : 'a command is needed');
const parsed = command === 'list' ? null : parseRun(rest);

// The WASM build has no listening socket: natively a run that GETs the built-in /delay starts
// its own server, in a page the page's origin serves it, and here this runner does, for the
// runs that may GET it (http-get without a url, compare's HTTP row, a spec's http steps, or
// params naming a /delay/ path). The module
// resolves relative URLs against samovarBase (web/pre.js).
const MAX_DELAY_S = 30;  // engine/net/delay_server.hpp
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function namesDelay(value) {
  if (typeof value === 'string') return value.startsWith('/delay/');
  return value !== null && typeof value === 'object' && Object.values(value).some(namesDelay);
}

function needsDelayServer(request) {
  return (request.scenario === 'http-get' && !request.params.url)
    || request.scenario === 'compare'
    || request.spec !== undefined
    || namesDelay(request.params);
}

// GET /delay/<seconds>, as natively: {"delay_s": s} after s seconds (capped at 30); 400 for
// anything that is not a number >= 0; 404 for any other path.
async function startDelayServer() {
  const server = createServer((request, response) => {
    const match = /^\/delay\/(.*)$/.exec(request.url);
    if (request.method !== 'GET' || !match) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('only /delay/<seconds> here\n');
      return;
    }
    const seconds = DECIMAL.test(match[1]) ? Number(match[1]) : NaN;
    if (!Number.isFinite(seconds)) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`/delay/<seconds>: seconds must be a number 0..${MAX_DELAY_S} (larger values are capped at ${MAX_DELAY_S})\n`);
      return;
    }
    const delay = Math.min(seconds, MAX_DELAY_S);
    const timer = setTimeout(() => response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ delay_s: delay })), delay * 1000);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

const delayServer = parsed && needsDelayServer(parsed.request) ? await startDelayServer() : null;

const require = createRequire(import.meta.url);
let done;
const finished = new Promise((resolve) => { done = resolve; });
const module = await require(modulePath)({
  samovarBase: delayServer?.base,
  samovarLine() {},
  samovarDone(job, text) { done(text); },
});
const take = (ptr) => { const s = module.UTF8ToString(ptr); module._free(ptr); return s; };
const withString = (text, fn) => { const p = module.allocateUTF8(text); try { return fn(p); } finally { module._free(p); } };

if (command === 'list') {
  const json = rest.includes('--json');
  finish(json ? `${JSON.stringify(JSON.parse(take(module._samovar_catalog_json())), null, 2)}\n`
              : take(module._samovar_catalog_text()), 0);
} else if (command === 'explore') {
  await explore();
} else {
  await run();
}

// As `samovar explore`: the summary as text (or JSON), a progress bar on a terminal's stderr.
async function explore() {
  module.samovarExploreProgress = (job, text) => {
    if (!process.stderr.isTTY) return;
    const { done: n, runs, wrong } = JSON.parse(text);
    const filled = Math.floor(n * 30 / runs);
    process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${n}/${runs} schedules, ${wrong} wrong`);
    if (n === runs) process.stderr.write('\r\x1b[2K');
  };
  withString(JSON.stringify(parsed.request), (p) => module._samovar_explore_start(1, p, parsed.options.runs));
  const summaryText = await finished;
  const code = withString(summaryText, (p) => module._samovar_exit_code(p));
  const text = withString(summaryText, (p) => take(module._samovar_explore_text(p)));
  if (code === 2) {
    process.stderr.write(text, () => process.exit(2));
    return;
  }
  finish(parsed.options.json ? `${JSON.stringify(JSON.parse(summaryText), null, 2)}\n` : text, 0);
}

async function run() {
  withString(JSON.stringify(parsed.request), (p) => module._samovar_start(1, p));
  const reportText = await finished;
  await delayServer?.close();
  const code = withString(reportText, (p) => module._samovar_exit_code(p));
  if (code === 2) {
    process.stderr.write(withString(reportText, (p) => take(module._samovar_render_text(p))), () => process.exit(2));
    return;
  }
  if (parsed.options.traceFile) {
    const tmp = `${parsed.options.traceFile}.tmp.${process.pid}`;
    writeFileSync(tmp, withString(reportText, (p) => take(module._samovar_chrome_trace(p))));
    renameSync(tmp, parsed.options.traceFile);
  }
  finish(parsed.options.json ? `${JSON.stringify(JSON.parse(reportText), null, 2)}\n`
                             : withString(reportText, (p) => take(module._samovar_render_text(p))), code);
}
