// What the page shows is what happened: http-get through the browser's 6 connections per host
// says so and counts every response the browser saw; encrypt's sequential phase is on the
// timeline beside the pool's; a worker process's lines and waits are on its own lane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { inPage, runScenario, checkShown, linesText, screenshot } from './harness.mjs';

// The timeline's spans as drawn: each bar's tooltip, "lane: name (state)\n...".
// The run's spans as "lane: name (state)" lines, from the report the page saves (Download
// report): what the timeline draws, read from its data rather than from how it is drawn.
async function spanTitles(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  return report.trace.map((s) => `${s.lane}: ${s.name}${s.object ? ` ${s.object}` : ''} (${s.state})`);
}

test('http-get in the browser: every /delay answer counted as the browser saw it, and the connection limit explained', {timeout: 120_000}, async () => {
  await inPage(async (page) => {
    const delayProblems = [];
    let delayAnswers = 0;
    page.on('response', (r) => {
      if (!r.url().includes('/delay/')) return;
      delayAnswers += 1;
      if (r.status() >= 400) delayProblems.push(`HTTP ${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => {
      if (r.url().includes('/delay/')) delayProblems.push(`${r.failure()?.errorText} ${r.url()}`);
    });
    const result = await runScenario(page, 'http-get', {requests: 50, delay: 2});
    await screenshot(page, 'fidelity-http-get');
    assert.equal(result.state, 'done', `run ended in state ${result.state}: ${result.error}`);
    assert.equal(result.metrics.failed?.shown, '0', `metrics: ${JSON.stringify(result.metrics)}`);
    assert.equal(checkShown(result.checks, 'all_ok'), true, `checks: ${result.checks.join(' | ')}`);
    // Each request the engine counted is one the browser answered, and none failed there.
    assert.deepEqual(delayProblems, []);
    assert.equal(delayAnswers, 50, 'the browser saw another number of /delay answers than the engine sent');
    // 50 in flight in the engine, but the browser sent them over 6 connections: the report says both.
    assert.equal(result.metrics.peak_in_flight?.shown, '50');
    assert.equal(result.metrics.connections_per_host?.shown, '6', `metrics: ${JSON.stringify(result.metrics)}`);
    const servedAtOnce = Number(result.metrics.served_at_once?.shown);
    assert.ok(servedAtOnce > 1 && servedAtOnce <= 6.5, `served_at_once ${result.metrics.served_at_once?.shown}: more than 6 at a time is impossible over 6 connections`);
    const note = result.rows.find((r) => r.who === 'browser');
    assert.ok(note, `no line explains the connection limit:\n${linesText(result.rows)}`);
    assert.match(note.text, /at most 6 connections per host/);
    assert.match(note.text, /50 requests were in flight here/);
  });
});

test('encrypt in the browser: the sequential phase is on the timeline, and the workers\' waits for work', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'encrypt', {items: 2, work: 200000, workers: 2, rounds: 1});
    await screenshot(page, 'fidelity-encrypt');
    assert.equal(result.state, 'done', `run ended in state ${result.state}: ${result.error}`);
    const titles = await spanTitles(page);
    assert.ok(titles.some((t) => /^main: .*encrypt \(sequential\).*\(running\)/.test(t)),
      `no sequential phase on the timeline; spans:\n${titles.slice(0, 20).join('\n')}`);
    assert.ok(titles.some((t) => /^Process-\d+: .*waiting for work.*\(waiting\)/.test(t)),
      `no worker's wait for work on the timeline; spans:\n${titles.slice(0, 20).join('\n')}`);
  });
});

test('producer-consumer with processes in the browser: each line is labelled with its process, whose lane shows its waits', {timeout: 150_000}, async () => {
  await inPage(async (page) => {
    const result = await runScenario(page, 'producer-consumer', {value: false}, 'multiprocessing');
    await screenshot(page, 'fidelity-processes');
    assert.equal(result.state, 'done', `run ended in state ${result.state}: ${result.error}`);
    const fromProcesses = result.rows.filter((r) => /^(Producer|Consumer) \d+ (put|got) /.test(r.text));
    assert.equal(fromProcesses.length, 20, `lines:\n${linesText(result.rows)}`);
    for (const row of fromProcesses) assert.match(row.who, /^Process-\d+$/, `a process's line labelled ${JSON.stringify(row.who)}`);
    const consumerLanes = new Set(fromProcesses.filter((r) => r.text.startsWith('Consumer')).map((r) => r.who));
    const titles = await spanTitles(page);
    for (const lane of consumerLanes) {
      assert.ok(titles.some((t) => t.startsWith(`${lane}: `) && /get.*\(blocked\)/.test(t)),
        `${lane} (a consumer) shows no blocked get; spans:\n${titles.filter((t) => t.startsWith(lane)).slice(0, 10).join('\n')}`);
    }
  });
});
