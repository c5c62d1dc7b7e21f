// `samovar serve` from outside: isolation headers, static files, path traversal, malformed
// requests, timeouts, recorded results, /delay, concurrency, keep-alive and POST /api/run.
//   node --test tests/server/server.test.mjs
// SAMOVAR_BIN overrides the native binary. Time limits are hang detectors with wide margins:
// the machine may be busy, and speed is the benchmarks' business.
import test, { after, before, describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.SAMOVAR_BIN ?? fileURLToPath(new URL('../../build/native/native/samovar', import.meta.url));
const HOST = '127.0.0.1';

// ---- the server under test ----

// `extra`: more arguments to serve; `fdLimit`: started under `ulimit -n fdLimit`.
async function startServer(root, results, { extra = [], fdLimit } = {}) {
  const args = ['serve', '--host', HOST, '--port', '0', '--root', root, '--results', results, ...extra];
  const child = fdLimit === undefined
    ? spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/bin/sh', ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const listening = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no "serving" line within 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      const match = /^serving http:\/\/127\.0\.0\.1:(\d+)\/$/.exec(stdout.split('\n')[0]);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected first line: ${stdout}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}); stderr: ${stderr}`));
    });
  });
  try {
    return { child, port: await listening, stderr: () => stderr };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

// The page folder, a secret beside it (outside the root) and the recorded results.
const base = mkdtempSync(join(tmpdir(), 'samovar-serve-'));
const root = join(base, 'page');
const SECRET = `TOP-SECRET-${process.pid}-${Date.now()}`;
const files = {
  'index.html': '<!doctype html><title>samovar test page</title>\n',
  'a.js': 'export const a = 1;\n',
  'x.wasm': Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
  'style.css': 'body { color: teal; }\n',
  'sub/index.html': '<p>sub folder</p>\n',
  'sub/data.json': '{"sub": true}\n',
};
const resultsFile = join(base, 'native.json');
const resultsText = JSON.stringify({ schema_version: 1, recorded_at: 'test', results: [{ scenario: 'gather', wall_s: 0.3 }] });

let server;
before(async () => {
  mkdirSync(join(root, 'sub'), { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  writeFileSync(join(base, 'secret'), SECRET);
  symlinkSync(join(base, 'secret'), join(root, 'link-out'));
  writeFileSync(resultsFile, resultsText);
  server = await startServer(root, resultsFile);
});

after(async () => {
  if (server) await stopServer(server);
  rmSync(base, { recursive: true, force: true });
});

// ---- clients ----

// One request on a connection of its own; resolves with status, headers and body bytes.
// `onSent` is called once the whole request is handed to the OS.
function request(path, { method = 'GET', body, port = server.port, agent, onSent, headers } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port, path, method, headers, agent: agent ?? new http.Agent({ keepAlive: false }) },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    req.on('error', reject);
    if (onSent) req.on('finish', onSent);
    req.end(body);
  });
}

const postJson = (path, value, options = {}) => request(path, { method: 'POST', body: JSON.stringify(value), ...options });

// Raw bytes over one socket: resolves with all that came back once `done(text)` holds or the
// server closes. The socket is never half-closed, so the server must answer without seeing EOF.
function raw(bytes, { done = () => false, timeoutMs = 15_000, port = server.port } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    let text = '';
    const finish = () => { clearTimeout(timer); socket.destroy(); resolve(text); };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms (a hang); got: ${JSON.stringify(text.slice(0, 300))}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; if (done(text)) finish(); });
    // The server may close with our bytes unread (an oversized request): a reset after its answer is fine.
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(bytes);
  });
}

// Splits raw text into complete responses (status, lower-cased headers, body by Content-Length).
function parseResponses(text) {
  const responses = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine, ...headerLines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(headerLines.map((l) => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
    }));
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < end + 4 + length) return responses;
    responses.push({ status: Number(statusLine.split(' ')[1]), statusLine, headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
}

const answers = (n) => (text) => parseResponses(text).length >= n;

// The isolation headers, and the hardening ones that go with them on every response.
function assertIsolationHeaders(headers, what) {
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', `COOP on ${what}`);
  assert.equal(headers['cross-origin-embedder-policy'], 'require-corp', `COEP on ${what}`);
  assert.equal(headers['cross-origin-resource-policy'], 'same-origin', `CORP on ${what}`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `nosniff on ${what}`);
  assert.equal(headers['referrer-policy'], 'no-referrer', `Referrer-Policy on ${what}`);
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/, `CSP on ${what}`);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, `CSP on ${what} lets the WASM module compile`);
  assert.match(csp, /worker-src 'self' blob:/, `CSP on ${what} lets pthreads start workers`);
}

// A Host line naming this server, for raw requests.
const hostLine = (port = server.port) => `Host: ${HOST}:${port}\r\n`;

async function assertStillServing(after) {
  const res = await request('/');
  assert.equal(res.status, 200, `GET / after ${after}`);
  assert.equal(res.body.toString(), files['index.html']);
}

// `promise`, or a failure saying `why()` if it takes longer than `ms`; no timer outlives it.
async function within(ms, promise, why) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(why())), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

const mime = (headers) => headers['content-type']?.split(';')[0].trim();

// ---- tests ----

test('every response carries the cross-origin isolation headers', { timeout: 20_000 }, async () => {
  const cases = [
    ['/', 200],
    ['/no/such/file', 404],
    ['/delay/abc', 400],
    ['/%2e%2e/secret', 403],
    ['/delay/0', 200],
    ['/results/native.json', 200],
  ];
  for (const [path, status] of cases) {
    const res = await request(path);
    assert.equal(res.status, status, path);
    assertIsolationHeaders(res.headers, `${status} ${path}`);
  }
  const bad = await postJson('/api/run', { scenario: 'nope' });
  assert.equal(bad.status, 400);
  assertIsolationHeaders(bad.headers, '400 from /api/run');
  // Errors the HTTP layer answers itself, before any route, too.
  const [garbage] = parseResponses(await raw('hello\r\n\r\n', { done: answers(1) }));
  assert.equal(garbage.status, 400);
  assertIsolationHeaders(garbage.headers, 'a malformed request');
});

test('static files: MIME type by extension, bytes as on disk, / is index.html', { timeout: 20_000 }, async () => {
  const cases = [
    ['/', 'index.html', 'text/html'],
    ['/index.html', 'index.html', 'text/html'],
    ['/a.js', 'a.js', 'text/javascript'],
    ['/style.css', 'style.css', 'text/css'],
    ['/x.wasm', 'x.wasm', 'application/wasm'],
    ['/sub/', 'sub/index.html', 'text/html'],
    ['/sub/data.json', 'sub/data.json', 'application/json'],
  ];
  for (const [path, file, type] of cases) {
    const res = await request(path);
    assert.equal(res.status, 200, path);
    assert.equal(mime(res.headers), type, `Content-Type of ${path}`);
    assert.deepEqual(res.body, readFileSync(join(root, file)), `body of ${path}`);
  }
  const head = await request('/a.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0, 'HEAD has no body');
});

test('path traversal is refused and never serves a file outside the root', { timeout: 20_000 }, async () => {
  const attempts = [
    'GET /../etc/passwd HTTP/1.1',
    'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1',
    'GET /sub/../../secret HTTP/1.1',
    'GET /%2e%2e/secret HTTP/1.1',
    'GET /sub/%2e%2e%2f%2e%2e%2fsecret HTTP/1.1',
    'GET /link-out HTTP/1.1', // a symlink inside the root to the secret outside it
  ];
  for (const line of attempts) {
    const text = await raw(`${line}\r\n${hostLine()}\r\n`, { done: answers(1) });
    const [res] = parseResponses(text);
    assert.ok(res, `an answer to ${line}`);
    assert.ok([400, 403, 404].includes(res.status), `${line}: ${res.statusLine}`);
    assert.ok(!text.includes(SECRET), `${line} leaked the secret`);
    assert.ok(!text.includes('root:'), `${line} leaked /etc/passwd`);
  }
});

test('malformed requests get a 4xx, not a hang or a crash', { timeout: 30_000 }, async () => {
  const cases = [
    ['garbage bytes', 'hello\r\n\r\n', [400]],
    ['a bad method line', 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['no version', 'GET\r\n\r\n', [400]],
    ['a 100 KB header', `GET / HTTP/1.1\r\n${hostLine()}X-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`, [431, 400]],
    ['a body over 1 MiB', `POST /api/run HTTP/1.1\r\n${hostLine()}Content-Type: application/json\r\n` +
      `Content-Length: ${(1 << 20) + 1}\r\n\r\n${'{'.repeat((1 << 20) + 1)}`, [413]],
  ];
  for (const [what, bytes, statuses] of cases) {
    const [res] = parseResponses(await raw(bytes, { done: answers(1) }));
    assert.ok(res, `an answer to ${what}`);
    assert.ok(statuses.includes(res.status), `${what}: ${res.statusLine}, expected ${statuses}`);
    await assertStillServing(what);
  }
});

test('/results/native.json serves the recorded results', { timeout: 20_000 }, async () => {
  const res = await request('/results/native.json');
  assert.equal(res.status, 200);
  assert.equal(mime(res.headers), 'application/json');
  assert.equal(res.body.toString(), resultsText);
});

test('/results/native.json is a JSON 404 when nothing is recorded', { timeout: 20_000 }, async () => {
  const second = await startServer(root, join(base, 'not-recorded.json'));
  try {
    const res = await request('/results/native.json', { port: second.port });
    assert.equal(res.status, 404);
    assert.equal(mime(res.headers), 'application/json');
    assertIsolationHeaders(res.headers, '404 of /results/native.json');
    const body = JSON.parse(res.body.toString());
    assert.equal(typeof body.error, 'string');
  } finally {
    await stopServer(second);
  }
});

test('/delay/<s> answers after s seconds', { timeout: 20_000 }, async () => {
  const start = performance.now();
  const res = await request('/delay/0.3');
  const elapsed = (performance.now() - start) / 1000;
  assert.equal(res.status, 200);
  assert.ok(elapsed >= 0.28, `answered after ${elapsed} s, before the delay`);
  assert.ok(elapsed < 10, `answered after ${elapsed} s`);
  assert.deepEqual(JSON.parse(res.body.toString()), { delay_s: 0.3 });
});

test('/delay refuses what is not a number of seconds', { timeout: 20_000 }, async () => {
  for (const bad of ['abc', '-1', '', '1x', 'nan', 'inf']) {
    const res = await request(`/delay/${bad}`);
    assert.equal(res.status, 400, `/delay/${bad}`);
  }
});

test('500 concurrent /delay/5 wait together, and / answers before any of them is due', { timeout: 90_000 }, async (t) => {
  // 5 s is the margin GET / has, not a speed limit: it only has to beat the first delay.
  const delay = 5;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  t.after(() => agent.destroy());
  let sent = 0;
  let answered = 0;
  let allSent;
  const everySent = new Promise((resolve) => { allSent = resolve; });
  const start = performance.now();
  const all = Promise.all(Array.from({ length: 500 }, () =>
    request(`/delay/${delay}`, { agent, onSent: () => { if (++sent === 500) allSent(); } })
      .then((res) => { answered += 1; return res; })));
  all.catch(() => {}); // awaited below; a failure must not surface unhandled first

  // Every delay is on the wire before GET / goes out, so / queues behind all of them.
  await within(30_000, everySent, () => `only ${sent} of 500 delays sent within 30 s`);
  const indexStart = performance.now();
  const index = await request('/');
  const indexSeconds = (performance.now() - indexStart) / 1000;
  const answeredBeforeIndex = answered;

  // One after another they would take 2500 s: a minute means they waited together.
  const responses = await within(60_000, all, () => `only ${answered} of 500 delays answered within 60 s`);
  const total = (performance.now() - start) / 1000;
  t.diagnostic(`500 x /delay/${delay}: ${total.toFixed(2)} s in all (${500 * delay} s one after another); ` +
    `GET / meanwhile: ${indexSeconds.toFixed(3)} s`);
  assert.deepEqual(responses.map((r) => r.status), Array(500).fill(200));
  assert.equal(index.status, 200);
  assert.equal(index.body.toString(), files['index.html']);
  assert.equal(answeredBeforeIndex, 0, 'GET / waited for a delay to end');
});

test('keep-alive: pipelined and then sequential requests on one socket', { timeout: 20_000 }, async () => {
  const get = (path) => `GET ${path} HTTP/1.1\r\n${hostLine()}\r\n`;
  const socket = net.connect(server.port, HOST);
  try {
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; });
    const waitFor = (n) => new Promise((resolve, reject) => {
      const check = () => {
        if (parseResponses(text).length >= n) resolve(parseResponses(text));
        else if (socket.destroyed) reject(new Error(`socket closed after ${parseResponses(text).length} responses`));
        else setTimeout(check, 10);
      };
      check();
    });

    socket.write(get('/') + get('/a.js'));
    const [first, second] = await waitFor(2);
    assert.equal(first.status, 200);
    assert.equal(first.body, files['index.html']);
    assert.equal(first.headers.connection, 'keep-alive');
    assert.equal(second.status, 200);
    assert.equal(second.body, files['a.js']);

    socket.write(get('/style.css'));
    const third = (await waitFor(3))[2];
    assert.equal(third.status, 200);
    assert.equal(third.body, files['style.css']);
  } finally {
    socket.destroy();
  }
});

test('POST /api/run answers with the native report', { timeout: 30_000 }, async () => {
  const res = await postJson('/api/run', { scenario: 'gather', params: { tasks: 3 } });
  assert.equal(res.status, 200);
  assert.equal(mime(res.headers), 'application/json');
  const report = JSON.parse(res.body.toString());
  assert.equal(report.schema_version, 1);
  assert.equal(report.scenario, 'gather');
  assert.equal(report.platform, 'native');
  assert.deepEqual(report.params, { tasks: 3, delay: 3, blocking: false });
  assert.equal(report.checks.concurrent, true);
  assert.equal(report.output.filter((l) => l.who !== 'asyncio').length, 6, 'the guide\'s lines (asyncio\'s debug mode may add a slow step)');
});

test('POST /api/run with bad input is a 400 naming the field', { timeout: 20_000 }, async () => {
  const res = await postJson('/api/run', { scenario: 'gather', params: { tasks: 0 } });
  assert.equal(res.status, 400);
  const body = JSON.parse(res.body.toString());
  assert.equal(body.error.code, 'bad_request');
  assert.equal(body.error.field, 'params.tasks');
  assert.match(body.error.message, /^params\.tasks: 0 is out of range; allowed: integer 1\.\.1000000$/);
});

test('POST /api/run with hostile JSON is a 400 naming the field, and the server keeps serving', { timeout: 60_000 }, async () => {
  const cases = [
    ['{"scenario": "gather", "params": {"delay": 1e400}}', 'params.delay', /^params\.delay: number 1e400 is out of range/],
    ['{"scenario": "gather", "deadline_s": -1e999}', 'deadline_s', /^deadline_s: number -1e999 is out of range/],
    [Buffer.from('{"scenario": "gather", "params": {"de\xff": 1}}', 'latin1'), 'request', /^request: not valid JSON/],
    [`{"scenario": "gather", "params": {"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`, /^params\.x(\[0\])+$/, /nested too deep; allowed: at most 32 levels$/],
    ['{"scenario": "http-get", "params": {"url": "http://127.0.0.1:1/x\\r\\nHost: internal"}}', 'params.url', /has a control character at 20/],
  ];
  for (const [body, field, message] of cases) {
    const res = await request('/api/run', { method: 'POST', body });
    assert.equal(res.status, 400, `${String(body).slice(0, 60)}: ${res.body.toString().slice(0, 300)}`);
    const answer = JSON.parse(res.body.toString());
    assert.equal(answer.error.code, 'bad_request');
    if (field instanceof RegExp) assert.match(answer.error.field, field);
    else assert.equal(answer.error.field, field);
    assert.match(answer.error.message, message);
    await assertStillServing(`a hostile body naming ${answer.error.field.slice(0, 20)}`);
  }
});

test('POST /api/run of http-get past a 0.1 s deadline is the deadline\'s report, not a crash', { timeout: 30_000 }, async () => {
  const res = await postJson('/api/run', { scenario: 'http-get', deadline_s: 0.1 });
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body.toString()).error.code, 'deadline');
  await assertStillServing('http-get past its deadline');
});

test('a method a path does not take is a 405, with the isolation headers', { timeout: 20_000 }, async () => {
  const cases = [
    ['GET', '/api/run', /POST/],
    ['PUT', '/', /GET/],
    ['DELETE', '/index.html', /GET/],
  ];
  for (const [method, path, says] of cases) {
    const res = await request(path, { method, body: method === 'PUT' ? 'x' : undefined });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.match(res.body.toString(), says, `the 405 to ${method} ${path} says what is allowed`);
    assertIsolationHeaders(res.headers, `405 to ${method} ${path}`);
    await assertStillServing(`${method} ${path}`);
  }
});

test('POST /api/run with a body that is not a JSON object is a 400 saying so', { timeout: 20_000 }, async () => {
  const cases = [
    ['{', /not valid JSON/],
    ['scenario=gather', /not valid JSON/],
    ['', /not valid JSON/],
    ['[1]', /expected a JSON object/],
    ['"x"', /expected a JSON object/],
    ['3', /expected a JSON object/],
    ['null', /expected a JSON object/],
  ];
  for (const [body, says] of cases) {
    const res = await request('/api/run', { method: 'POST', body });
    assert.equal(res.status, 400, `body ${JSON.stringify(body)}`);
    assert.equal(mime(res.headers), 'application/json');
    assertIsolationHeaders(res.headers, `400 to body ${JSON.stringify(body)}`);
    const { error } = JSON.parse(res.body.toString());
    assert.equal(error.code, 'bad_request');
    assert.equal(error.field, 'request');
    assert.match(error.message, says, `body ${JSON.stringify(body)}`);
  }
  await assertStillServing('bodies that are not requests');
});

test('POST /api/run past its deadline: the report, with error.code "deadline"', { timeout: 30_000 }, async () => {
  // 60 s brews: only the deadline can end this run in time.
  const res = await postJson('/api/run', { scenario: 'gather', params: { delay: 60 }, scale: 1, deadline_s: 0.2 });
  assert.equal(res.status, 200, 'a failed run is still a report, not a bad request');
  assert.equal(mime(res.headers), 'application/json');
  const report = JSON.parse(res.body.toString());
  assert.equal(report.scenario, 'gather');
  assert.equal(report.platform, 'native');
  assert.equal(report.error.code, 'deadline');
  assert.match(report.error.message, /deadline/);
  assert.ok(report.wall_s >= 0.19 && report.wall_s < 30, `wall_s ${report.wall_s}`);
  const lines = report.output.map((l) => l.text);
  assert.equal(lines.filter((l) => l.startsWith('Brewing')).length, 3, 'the brews started');
  assert.ok(!lines.some((l) => l.includes('is ready')), 'no brew finished');
});

test('POST /api/run: one native run at a time, others a 429 with Retry-After; once it ends, a run is accepted', { timeout: 60_000 }, async () => {
  // Runs that hold their slot until a deadline of 4 s: more than the one the server allows
  // arrive together, so the surplus is refused while the other still runs.
  const long = { scenario: 'gather', params: { delay: 60 }, scale: 1, deadline_s: 4 };
  const arrivals = [];
  const results = await Promise.all(Array.from({ length: 4 }, () =>
    postJson('/api/run', long).then((res) => { arrivals.push(res.status); return res; })));
  const busy = results.filter((r) => r.status === 429);
  const ran = results.filter((r) => r.status !== 429);
  assert.equal(ran.length, 1, `one run of 4 at once is accepted: ${results.map((r) => r.status)}`);
  assert.deepEqual(arrivals.slice(0, busy.length), busy.map(() => 429), `the refusals came while the run ran: ${arrivals}`);
  for (const res of busy) {
    assert.match(res.body.toString(), /busy: 1 native run at a time/);
    assert.ok(Number(res.headers['retry-after']) > 0, `Retry-After: ${res.headers['retry-after']}`);
    assertIsolationHeaders(res.headers, 'a 429');
  }
  for (const res of ran) {
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body.toString()).error?.code, 'deadline');
  }
  // Every run has answered, so every slot is free again.
  const again = await postJson('/api/run', { scenario: 'gather', params: { tasks: 2, delay: 0 } });
  assert.equal(again.status, 200);
  const report = JSON.parse(again.body.toString());
  assert.equal(report.error, undefined);
  assert.equal(report.output.filter((l) => l.who !== 'asyncio').length, 4, 'the guide\'s lines (asyncio\'s debug mode may add a slow step)');
});

// ---- issue 14: what a hostile page or client can do to the server ----

const tiny = { scenario: 'gather', params: { tasks: 1, delay: 0 } };

test('only this server\'s own origin and Host are served (cross-site POST, DNS rebinding)', { timeout: 30_000 }, async () => {
  const own = `http://${HOST}:${server.port}`;
  const refused = [
    ['a text/plain POST from another site', { Origin: 'http://evil.example', 'Content-Type': 'text/plain' }, /Origin/],
    ['an opaque origin', { Origin: 'null' }, /Origin/],
    ['our address on another port', { Origin: `http://${HOST}:${server.port + 1}` }, /Origin/],
    ['a rebound name', { Host: 'evil.example' }, /Host/],
    ['a rebound name with our port', { Host: `evil.example:${server.port}` }, /Host/],
  ];
  for (const [what, headers, says] of refused) {
    const res = await postJson('/api/run', tiny, { headers });
    assert.equal(res.status, 403, what);
    assert.match(res.body.toString(), says, `the 403 to ${what} says why`);
    assert.match(res.body.toString(), /forbidden/);
    assertIsolationHeaders(res.headers, `403 to ${what}`);
  }
  const rebound = await request('/', { headers: { Host: 'evil.example' } });
  assert.equal(rebound.status, 403, 'GET / by a rebound name');
  const accepted = [
    ['no Origin (curl, the CLI tests)', {}],
    ['the page itself', { Origin: own }],
    ['localhost', { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` }],
    ['[::1]', { Host: `[::1]:${server.port}` }],
  ];
  for (const [what, headers] of accepted) {
    const res = await postJson('/api/run', tiny, { headers });
    assert.equal(res.status, 200, what);
    assert.equal(JSON.parse(res.body.toString()).error, undefined, what);
  }
});

test('a request without a Host, or in HTTP/0.9, is a 400', { timeout: 20_000 }, async () => {
  const cases = [
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\n\r\n'],
    ['HTTP/1.0 without Host', 'GET / HTTP/1.0\r\n\r\n'],
    ['two Hosts', `GET / HTTP/1.1\r\n${hostLine()}${hostLine()}\r\n`],
    ['HTTP/0.9', 'GET /\r\n\r\n'],
  ];
  for (const [what, bytes] of cases) {
    const [res] = parseResponses(await raw(bytes, { done: answers(1) }));
    assert.ok(res, `an answer to ${what}`);
    assert.equal(res.status, 400, `${what}: ${res.statusLine}`);
    assert.match(res.body, /Host|HTTP\/0\.9/, `the 400 to ${what} says why`);
  }
  await assertStillServing('requests without a Host');
});

test('http-get fetches only this server\'s /delay unless serve says --allow-any-url', { timeout: 60_000 }, async () => {
  for (const url of ['http://127.0.0.1:1/x', 'http://169.254.169.254/latest/meta-data/', `http://${HOST}:${server.port}/api/run`,
    `http://${HOST}:${server.port}@evil.example/delay/0`]) {
    const res = await postJson('/api/run', { scenario: 'http-get', params: { url } });
    assert.ok([400, 403].includes(res.status), `${url}: ${res.status}`);
    const { error } = JSON.parse(res.body.toString());
    assert.equal(error.code, 'bad_request');
    assert.equal(error.field, 'params.url');
    // A URL no client would parse is refused by the request's own check first.
    assert.match(error.message, /^params\.url: (.*\/delay.*--allow-any-url|bad URL .*: port must be 1\.\.65535$)/);
  }
  const own = await postJson('/api/run', { scenario: 'http-get', params: { url: `http://${HOST}:${server.port}/delay/0` } });
  assert.equal(own.status, 200);
  assert.equal(JSON.parse(own.body.toString()).error, undefined);

  const open = await startServer(root, resultsFile, { extra: ['--allow-any-url'] });
  try {
    const res = await postJson('/api/run', { scenario: 'http-get', params: { url: 'http://127.0.0.1:1/x', requests: 1 } }, { port: open.port });
    assert.equal(res.status, 200, 'with --allow-any-url any URL is fetched (this one refuses)');
    assert.equal(JSON.parse(res.body.toString()).scenario, 'http-get');
  } finally {
    await stopServer(open);
  }
  const help = spawn(BIN, ['serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  help.stdout.setEncoding('utf8').on('data', (d) => { text += d; });
  await new Promise((resolve) => help.on('close', resolve));
  assert.match(text, /--allow-any-url/);
});

test('a served run is held to 60 s, 10,000 lines and 200,000 spans: more is a 400 naming the field', { timeout: 30_000 }, async () => {
  const cases = [
    [{ deadline_s: 3600 }, 'deadline_s', /^deadline_s: 3600 is out of range; allowed: number 0\.1\.\.60/],
    [{ deadline_s: 60.5 }, 'deadline_s', /allowed: number 0\.1\.\.60/],
    [{ max_lines: 1000000 }, 'max_lines', /^max_lines: 1000000 is out of range; allowed: integer 0\.\.10000/],
    [{ max_spans: 10000000 }, 'max_spans', /^max_spans: 10000000 is out of range; allowed: integer 0\.\.200000/],
  ];
  for (const [fields, field, says] of cases) {
    const res = await postJson('/api/run', { ...tiny, ...fields });
    assert.equal(res.status, 400, JSON.stringify(fields));
    const { error } = JSON.parse(res.body.toString());
    assert.equal(error.field, field);
    assert.match(error.message, says);
  }
  const atTheCaps = await postJson('/api/run', { ...tiny, deadline_s: 60, max_lines: 10000, max_spans: 200000 });
  assert.equal(atTheCaps.status, 200);
});

// Posts a run that would take a minute and hangs up once the server has it.
async function postAndHangUp(run) {
  const body = JSON.stringify(run);
  const socket = net.connect(server.port, HOST);
  await new Promise((resolve, reject) => { socket.on('connect', resolve); socket.on('error', reject); });
  socket.write(`POST /api/run HTTP/1.1\r\n${hostLine()}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the run is under way
  socket.destroy();
}

test('a client that hangs up cancels its run (RunOptions::cancel is set)', { timeout: 60_000 }, async () => {
  const before = server.stderr().split('client went away').length;
  await postAndHangUp({ scenario: 'gather', params: { delay: 60 }, scale: 1, deadline_s: 5 });
  // Until the engine stops a cancelled run, the server says so when the run ends (its deadline).
  await within(40_000, (async () => {
    while (server.stderr().split('client went away').length === before) await new Promise((r) => setTimeout(r, 100));
  })(), () => `no "client went away" from serve within 40 s; stderr: ${server.stderr()}`);
  // The slot is free again.
  const res = await postJson('/api/run', tiny);
  assert.equal(res.status, 200);
});

test('after a client hangs up, the next run gets the slot promptly', {
  timeout: 90_000,
}, async () => {
  await postAndHangUp({ scenario: 'gather', params: { delay: 60 }, scale: 1, deadline_s: 30 });
  const start = performance.now();
  let res;
  // Polls as Retry-After asks, a second at most; until the slot is free whatever it takes,
  // so that the tests after this one find it free.
  while ((res = await postJson('/api/run', tiny)).status === 429 && performance.now() - start < 60_000)
    await new Promise((r) => setTimeout(r, 250));
  const seconds = (performance.now() - start) / 1000;
  assert.equal(res.status, 200);
  assert.ok(seconds < 10, `the next run waited ${seconds.toFixed(1)} s for the slot of a run whose client left (deadline 30 s)`);
});

test('a name too long is a 404 that names no path, and no answer names a file on disk', { timeout: 20_000 }, async () => {
  for (const path of [`/${'a'.repeat(300)}`, `/${'a'.repeat(5000)}`, `/sub/${'b/'.repeat(3000)}x`, '/no/such/file']) {
    const res = await request(path);
    assert.equal(res.status, 404, `${path.slice(0, 40)}...`);
    const text = res.body.toString();
    assert.ok(!text.includes(base), `the 404 names the web root: ${text.slice(0, 200)}`);
    assert.ok(!text.includes('aaaa') && !text.includes('/no/such'), 'the 404 echoes the path');
  }
  // A 404 does not echo the path as HTML-able text.
  const html = await request('/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  assert.equal(html.status, 404);
  assert.equal(mime(html.headers), 'text/plain');
  assert.ok(!html.body.toString().includes('<script>'));
  await assertStillServing('long names');
});

test('connections past the limit get a 503 and are closed; the server does not spin', { timeout: 60_000 }, async (t) => {
  // Under `ulimit -n 256` the server keeps at most 128 connections (the rest of its fds are
  // for runs); 300 idle ones once made the accept loop spin and new clients time out.
  const small = await startServer(root, resultsFile, { fdLimit: 256 });
  const sockets = [];
  t.after(() => { for (const s of sockets) s.destroy(); return stopServer(small); });
  const refusals = [];
  await Promise.all(Array.from({ length: 300 }, () => new Promise((resolve) => {
    const s = net.connect(small.port, HOST);
    sockets.push(s);
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d) => { text += d; });
    s.on('error', () => {});
    s.on('close', () => refusals.push(text));
    s.on('connect', resolve);
    setTimeout(resolve, 10_000);
  })));
  const ticks = () => readFileSync(`/proc/${small.child.pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).map(Number).reduce((a, b) => a + b);
  const cpu0 = ticks();
  await new Promise((r) => setTimeout(r, 2_000));
  const cpuShare = (ticks() - cpu0) / 100 / 2; // clock ticks are 1/100 s on Linux
  t.diagnostic(`300 idle connections: ${refusals.length} refused; server CPU ${(cpuShare * 100).toFixed(0)}% of a core over 2 s`);
  assert.ok(cpuShare < 0.5, `the server used ${(cpuShare * 100).toFixed(0)}% of a core with nothing to do`);
  assert.ok(refusals.length >= 100, `only ${refusals.length} of 300 connections refused`);
  for (const text of refusals) if (text) assert.match(text, /^HTTP\/1\.1 503 [^]*busy: 128 connections/);
  // A new client is told at once, not left to time out.
  const [res] = parseResponses(await raw(`GET / HTTP/1.1\r\n${hostLine(small.port)}\r\n`, { port: small.port, done: answers(1), timeoutMs: 10_000 }));
  assert.equal(res.status, 503);
  assertIsolationHeaders(res.headers, 'a 503 for too many connections');
  // Once they leave, it serves again.
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 500));
  const again = await request('/', { port: small.port });
  assert.equal(again.status, 200);
});

// The two 30 s waits run side by side.
describe('the 30 s limits', { concurrency: true }, () => {
  test('/delay caps at 30 s: later delays answer at 30 s, saying so', { timeout: 75_000 }, async () => {
    const timed = async (path) => {
      const start = performance.now();
      const res = await request(path);
      return { path, res, elapsed: (performance.now() - start) / 1000 };
    };
    for (const { path, res, elapsed } of await Promise.all([timed('/delay/31'), timed('/delay/3600')])) {
      assert.equal(res.status, 200, path);
      assert.deepEqual(JSON.parse(res.body.toString()), { delay_s: 30 }, path);
      assert.ok(elapsed >= 29.9, `${path} answered after ${elapsed} s, before 30 s`);
      assert.ok(elapsed < 45, `${path} answered after ${elapsed} s, not at the cap`);
    }
  });

  test('a request that stalls part way gets a 408 and is closed', { timeout: 75_000 }, async () => {
    // Request line and a header, then nothing: the server must not wait forever for the rest.
    const start = performance.now();
    const text = await raw(`GET / HTTP/1.1\r\n${hostLine()}`, { done: answers(1), timeoutMs: 60_000 });
    const elapsed = (performance.now() - start) / 1000;
    const [res] = parseResponses(text);
    assert.ok(res, `an answer to a stalled request; got ${JSON.stringify(text)}`);
    assert.equal(res.status, 408, res.statusLine);
    assert.equal(res.headers.connection, 'close');
    assertIsolationHeaders(res.headers, 'a 408');
    // A valid prefix is no error: the answer waits for the idle timeout.
    assert.ok(elapsed >= 1, `408 after ${elapsed} s: not a timeout`);
    await assertStillServing('a stalled request');
  });

  test('a head sent a byte at a time gets a 408 within the head deadline (slowloris)', { timeout: 75_000 }, async () => {
    const socket = net.connect(server.port, HOST);
    const head = `GET / HTTP/1.1\r\n${hostLine()}X-Slow: ${'a'.repeat(200)}\r\n\r\n`;
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; });
    socket.on('error', () => {});
    const start = performance.now();
    let i = 0;
    const drip = setInterval(() => { if (i < head.length) socket.write(head[i++]); }, 500);
    try {
      await within(60_000, new Promise((resolve) => {
        const check = setInterval(() => { if (parseResponses(text).length > 0 || socket.destroyed) { clearInterval(check); resolve(); } }, 50);
        socket.on('close', resolve);
      }), () => `still open after 60 s of a byte every 0.5 s; got ${JSON.stringify(text)}`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    const elapsed = (performance.now() - start) / 1000;
    const [res] = parseResponses(text);
    assert.ok(res, `an answer; got ${JSON.stringify(text)}`);
    assert.equal(res.status, 408);
    assert.ok(elapsed >= 5 && elapsed < 40, `408 after ${elapsed.toFixed(1)} s (the head's deadline is 10 s)`);
  });

  test('a body sent a byte at a time gets a 408 within the body deadline', { timeout: 90_000 }, async () => {
    const socket = net.connect(server.port, HOST);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { text += d; });
    socket.on('error', () => {});
    socket.write(`POST /api/run HTTP/1.1\r\n${hostLine()}Content-Length: 1000\r\n\r\n`);
    const start = performance.now();
    const drip = setInterval(() => socket.write(' '), 500);
    try {
      await within(75_000, new Promise((resolve) => {
        const check = setInterval(() => { if (parseResponses(text).length > 0 || socket.destroyed) { clearInterval(check); resolve(); } }, 50);
        socket.on('close', resolve);
      }), () => `still open after 75 s of a body byte every 0.5 s; got ${JSON.stringify(text)}`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    const elapsed = (performance.now() - start) / 1000;
    const [res] = parseResponses(text);
    assert.ok(res, `an answer; got ${JSON.stringify(text)}`);
    assert.equal(res.status, 408);
    assert.ok(elapsed >= 20 && elapsed < 60, `408 after ${elapsed.toFixed(1)} s (the body's deadline is 30 s)`);
  });
});

test('POST /api/run runs a workload spec; its http steps fetch only this server\'s /delay', { timeout: 60_000 }, async () => {
  const spec = (url) => ({ version: 1, tasks: [{ name: 'fetch', steps: [{ step: 'http', seconds: 0, ...(url ? { url } : {}) }] }] });
  const ok = await postJson('/api/run', { scenario: 'workload', model: 'threading', spec: spec() });
  assert.equal(ok.status, 200);
  const report = JSON.parse(ok.body.toString());
  assert.equal(report.error, undefined);
  assert.equal(report.checks.io_ok, true);
  const away = await postJson('/api/run', { scenario: 'workload', spec: spec('http://127.0.0.1:1/x') });
  assert.equal(away.status, 400);
  const { error } = JSON.parse(away.body.toString());
  assert.equal(error.field, 'spec.tasks[0].steps[0].url');
  const bad = await postJson('/api/run', { scenario: 'workload', spec: { version: 1, tasks: [{ steps: [{ step: 'cpu', units: 0 }] }] } });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body.toString()).error.field, 'spec.tasks[0].steps[0].units');
});

test('a page file carries an ETag and Last-Modified; a conditional GET of an unchanged file is a 304 with no body', { timeout: 20_000 }, async () => {
  for (const path of ['/x.wasm', '/', '/results/native.json']) {
    const first = await request(path);
    assert.equal(first.status, 200, path);
    const etag = first.headers.etag;
    const modified = first.headers['last-modified'];
    assert.match(etag ?? '', /^"[^"]+"$/, `ETag of ${path}`);
    assert.ok(!Number.isNaN(Date.parse(modified)), `Last-Modified of ${path}: ${modified}`);
    assert.equal(first.headers['cache-control'], 'no-cache', `${path} is kept, and asked about each time`);

    const byTag = await request(path, { headers: { 'If-None-Match': etag } });
    assert.equal(byTag.status, 304, `If-None-Match on ${path}`);
    assert.equal(byTag.body.length, 0, 'a 304 has no body');
    assert.equal(byTag.headers['content-length'], undefined, 'a 304 names no length of its own');
    assert.equal(byTag.headers.etag, etag);
    assertIsolationHeaders(byTag.headers, `304 ${path}`);
    // A list of tags, one of them weak, matches as a GET compares tags (weakly).
    assert.equal((await request(path, { headers: { 'If-None-Match': `"other", W/${etag}` } })).status, 304);
    assert.equal((await request(path, { headers: { 'If-Modified-Since': modified } })).status, 304, `If-Modified-Since on ${path}`);

    const stale = await request(path, { headers: { 'If-None-Match': '"not-this-one"' } });
    assert.equal(stale.status, 200, 'another tag gets the file');
    assert.ok(stale.body.length > 0);
    const older = new Date(Date.parse(modified) - 3600_000).toUTCString();
    assert.equal((await request(path, { headers: { 'If-Modified-Since': older } })).status, 200, 'modified since an hour before');
    // If-None-Match decides when both are sent.
    assert.equal((await request(path, { headers: { 'If-None-Match': '"not-this-one"', 'If-Modified-Since': modified } })).status, 200);
  }
});

test('the ETag changes when the file changes, and the old one then gets the new bytes', { timeout: 20_000 }, async () => {
  const name = 'changing.js';
  writeFileSync(join(root, name), 'export const v = 1;\n');
  const first = await request(`/${name}`);
  assert.equal(first.status, 200);
  // The same size and, on a coarse clock, maybe the same second: the tag must still differ.
  writeFileSync(join(root, name), 'export const v = 2;\n');
  const later = await request(`/${name}`, { headers: { 'If-None-Match': first.headers.etag } });
  assert.equal(later.status, 200, 'the old ETag was answered 304 for a changed file');
  assert.equal(later.body.toString(), 'export const v = 2;\n');
  assert.notEqual(later.headers.etag, first.headers.etag);
  assert.equal((await request(`/${name}`, { headers: { 'If-None-Match': later.headers.etag } })).status, 304);
});

test('the hardening headers: nosniff, no referrer, and a CSP that fits the page', { timeout: 20_000 }, async () => {
  const res = await request('/');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  const csp = res.headers['content-security-policy'];
  for (const directive of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self' blob:",
    "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    assert.ok(csp.split(';').map((d) => d.trim()).includes(directive), `CSP ${csp} lacks ${directive}`);
  }
});

test('the server is still up after all of the above', { timeout: 10_000 }, async () => {
  assert.equal(server.child.exitCode, null, `serve exited; stderr: ${server.stderr()}`);
  assert.equal(server.child.signalCode, null, `serve was killed; stderr: ${server.stderr()}`);
  await assertStillServing('everything');
});
