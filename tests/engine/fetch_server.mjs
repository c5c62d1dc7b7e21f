#!/usr/bin/env node
// The HTTP servers of the WASM fetch tests (tests/engine/fetch_test.cpp), as a CTest fixture:
//   node fetch_server.mjs start SAMOVAR_BIN STATE_FILE
//     starts `SAMOVAR_BIN serve --port 0` and an echo server in the background, waits until
//     both listen, and writes {"server": URL, "echo": URL, "refused": URL, "pids": [N, N]} to
//     STATE_FILE; "refused" is a loopback port that was free a moment ago (nothing listens).
//   node fetch_server.mjs stop STATE_FILE
//     stops them (SIGTERM, then SIGKILL after 5 s) and removes STATE_FILE.
//   node fetch_server.mjs echo
//     the echo server: answers every request with {method, url, headers, body: [bytes]}.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const [command, ...args] = process.argv.slice(2);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Starts `command` detached, its output in `log`, and waits for its "serving URL" line.
async function launch(command, commandArgs, log) {
  const out = openSync(log, 'w');
  // The output goes to a file, not a pipe: a pipe would break when this script exits.
  const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = /serving (http:\/\/\S+)/.exec(readFileSync(log, 'utf8'));
    if (match) {
      child.unref();
      return { url: match[1].endsWith('/') ? match[1] : `${match[1]}/`, pid: child.pid };
    }
    if (exited !== null) throw new Error(`${command} exited (${exited}):\n${readFileSync(log, 'utf8')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not say it was serving within 10 s:\n${readFileSync(log, 'utf8')}`);
    }
    await sleep(20);
  }
}

async function start(bin, stateFile) {
  const samovar = await launch(bin, ['serve', '--host', '127.0.0.1', '--port', '0'], `${stateFile}.log`);
  const echo = await launch(process.execPath, [process.argv[1], 'echo'], `${stateFile}.echo.log`);
  const state = {
    server: samovar.url, echo: echo.url, refused: `http://127.0.0.1:${await freePort()}/`,
    pids: [samovar.pid, echo.pid],
  };
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
  renameSync(`${stateFile}.tmp`, stateFile);
  console.log(`started ${state.server} and ${state.echo}; state in ${stateFile}`);
}

function echo() {
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = [...Buffer.concat(chunks)];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`serving http://127.0.0.1:${server.address().port}/`));
}

async function stop(stateFile) {
  let state;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    console.log(`no server to stop (${stateFile} is missing)`);
    return;
  }
  for (const pid of state.pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (state.pids.some(alive) && Date.now() < deadline) await sleep(20);
  for (const pid of state.pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(stateFile, { force: true });
  console.log(`stopped ${state.server} and ${state.echo} (pids ${state.pids.join(', ')})`);
}

if (command === 'start' && args.length === 2) await start(...args);
else if (command === 'stop' && args.length === 1) await stop(...args);
else if (command === 'echo' && args.length === 0) echo();
else {
  console.error('usage: fetch_server.mjs start SAMOVAR_BIN STATE_FILE | stop STATE_FILE | echo');
  process.exit(2);
}
