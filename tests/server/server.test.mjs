// `samovar serve` from outside: isolation headers, static files, path traversal, malformed
// requests, recorded results, /delay, concurrency, keep-alive and POST /api/run.
//   node --test tests/server/server.test.mjs
// SAMOVAR_BIN overrides the native binary.
import test, { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = process.env.SAMOVAR_BIN ?? fileURLToPath(new URL('../../build/native/native/samovar', import.meta.url));
const HOST = '127.0.0.1';

// ---- the server under test ----

async function startServer(root, results) {
  const child = spawn(BIN, ['serve', '--host', HOST, '--port', '0', '--root', root, '--results', results], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const listening = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no "serving" line within 10 s; stderr: ${stderr}`)), 10_000);
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
function request(path, { method = 'GET', body, port = server.port, agent, signal } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port, path, method, signal, agent: agent ?? new http.Agent({ keepAlive: false }) },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end(body);
  });
}

const postJson = (path, value) => request(path, { method: 'POST', body: JSON.stringify(value) });

// Raw bytes over one socket: resolves with all that came back once `done(text)` holds or the
// server closes. The socket is never half-closed, so the server must answer without seeing EOF.
function raw(bytes, { done = () => false, timeoutMs = 5_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, HOST);
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

function assertIsolationHeaders(headers, what) {
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', `COOP on ${what}`);
  assert.equal(headers['cross-origin-embedder-policy'], 'require-corp', `COEP on ${what}`);
  assert.equal(headers['cross-origin-resource-policy'], 'same-origin', `CORP on ${what}`);
}

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
    const text = await raw(`${line}\r\nHost: x\r\n\r\n`, { done: answers(1) });
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
    ['a 100 KB header', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`, [431, 400]],
    ['a body over 1 MiB', `POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
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
  assert.ok(elapsed < 3, `answered after ${elapsed} s`);
  assert.deepEqual(JSON.parse(res.body.toString()), { delay_s: 0.3 });
});

test('/delay refuses what is not a number of seconds', { timeout: 20_000 }, async () => {
  for (const bad of ['abc', '-1', '', '1x', 'nan', 'inf']) {
    const res = await request(`/delay/${bad}`);
    assert.equal(res.status, 400, `/delay/${bad}`);
  }
});

test('/delay/31 is accepted (capped at 30 s), not refused', { timeout: 20_000 }, async () => {
  // Waiting out the cap would take 30 s: a refusal would come at once, so 1 s of silence will do.
  const controller = new AbortController();
  const pending = request('/delay/31', { signal: controller.signal });
  const outcome = await Promise.race([
    pending.then((res) => `answered ${res.status}`, (e) => `failed: ${e.message}`),
    sleep(1_000).then(() => 'still waiting'),
  ]);
  controller.abort();
  await pending.catch(() => {});
  assert.equal(outcome, 'still waiting');
});

test('500 concurrent /delay/0.5 all answer together, and / stays responsive', { timeout: 40_000 }, async (t) => {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  t.after(() => agent.destroy());
  let answered = 0;
  const start = performance.now();
  const all = Promise.all(Array.from({ length: 500 }, () =>
    request('/delay/0.5', { agent }).then((res) => { answered += 1; return res; })));

  await sleep(100);
  const indexStart = performance.now();
  const index = await request('/');
  const indexSeconds = (performance.now() - indexStart) / 1000;
  const answeredMeanwhile = answered;

  const responses = await within(20_000, all, () => `only ${answered} of 500 delays answered within 20 s`);
  const total = (performance.now() - start) / 1000;
  t.diagnostic(`500 x /delay/0.5: ${total.toFixed(2)} s in all (250 s one after another); GET / meanwhile: ${indexSeconds.toFixed(3)} s`);
  assert.deepEqual(responses.map((r) => r.status), Array(500).fill(200));
  assert.ok(total < 10, `500 concurrent delays took ${total} s`);
  assert.equal(index.status, 200);
  assert.ok(answeredMeanwhile < 500, 'GET / was answered while the delays were still waiting');
  assert.ok(indexSeconds < 2, `GET / took ${indexSeconds} s while 500 delays waited`);
});

test('keep-alive: pipelined and then sequential requests on one socket', { timeout: 20_000 }, async () => {
  const get = (path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
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
  assert.equal(report.output.length, 6);
});

test('POST /api/run with bad input is a 400 naming the field', { timeout: 20_000 }, async () => {
  const res = await postJson('/api/run', { scenario: 'gather', params: { tasks: 0 } });
  assert.equal(res.status, 400);
  const body = JSON.parse(res.body.toString());
  assert.equal(body.error.code, 'bad_request');
  assert.equal(body.error.field, 'params.tasks');
  assert.match(body.error.message, /^params\.tasks: 0 is out of range; allowed: integer 1\.\.1000000$/);
});

test('the server is still up after all of the above', { timeout: 10_000 }, async () => {
  assert.equal(server.child.exitCode, null, `serve exited; stderr: ${server.stderr()}`);
  assert.equal(server.child.signalCode, null, `serve was killed; stderr: ${server.stderr()}`);
  await assertStillServing('everything');
});
