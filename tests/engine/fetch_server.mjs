#!/usr/bin/env node
// The HTTP server of the WASM fetch tests (tests/engine/fetch_test.cpp), as a CTest fixture:
//   node fetch_server.mjs start SAMOVAR_BIN STATE_FILE
//     starts `SAMOVAR_BIN serve --port 0` in the background, waits until it listens, and
//     writes {"server": "http://127.0.0.1:PORT/", "refused": URL, "pid": N} to STATE_FILE;
//     "refused" is a loopback port that was free a moment ago (nothing listens on it).
//   node fetch_server.mjs stop STATE_FILE
//     stops that server (SIGTERM, then SIGKILL after 5 s) and removes STATE_FILE.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

async function start(bin, stateFile) {
  const log = `${stateFile}.log`;
  const out = openSync(log, 'w');
  // The server's output goes to a file, not a pipe: a pipe would break when this script exits.
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0'], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = /serving (http:\/\/\S+)/.exec(readFileSync(log, 'utf8'));
    if (match) {
      const server = match[1].endsWith('/') ? match[1] : `${match[1]}/`;
      const state = { server, refused: `http://127.0.0.1:${await freePort()}/`, pid: child.pid };
      writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
      renameSync(`${stateFile}.tmp`, stateFile);
      child.unref();
      console.log(`started ${server} (pid ${child.pid}); state in ${stateFile}`);
      return;
    }
    if (exited !== null) throw new Error(`${bin} serve exited (${exited}):\n${readFileSync(log, 'utf8')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${bin} serve did not say it was serving within 10 s:\n${readFileSync(log, 'utf8')}`);
    }
    await sleep(20);
  }
}

async function stop(stateFile) {
  let state;
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    console.log(`no server to stop (${stateFile} is missing)`);
    return;
  }
  if (alive(state.pid)) process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (alive(state.pid) && Date.now() < deadline) await sleep(20);
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(stateFile, { force: true });
  console.log(`stopped ${state.server} (pid ${state.pid})`);
}

if (command === 'start' && args.length === 2) await start(...args);
else if (command === 'stop' && args.length === 1) await stop(...args);
else {
  console.error('usage: fetch_server.mjs start SAMOVAR_BIN STATE_FILE | stop STATE_FILE');
  process.exit(2);
}
