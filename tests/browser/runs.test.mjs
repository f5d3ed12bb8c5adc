// The Runs page in headless Chromium over a lake whose scheduler ran a backfill with a failing
// task: failures come first with their errors (as text, never markup), and the timeline has a
// block per interval of each task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, binary, launchBrowser, serve, stop } from './support.mjs';

let dir, server, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cryptolake-runs-'));
  mkdirSync(artifacts, { recursive: true });
  const lake = join(dir, 'lake'), config = join(dir, 'cryptolake.toml');
  writeFileSync(config, [
    '[[schedule.tasks]]', 'name = "listing"', 'run = "catalog list"', 'cron = "0 * * * *"',
    '[[schedule.tasks]]', 'name = "broken"', `run = "sql 'SELECT 1 FROM nope'"`, 'cron = "0 * * * *"', 'retries = 0',
    '[[schedule.tasks]]', 'name = "after"', 'run = "catalog list"', 'cron = "0 * * * *"', 'depends_on = ["broken"]', ''].join('\n'));
  // A fixed past span: six hourly intervals of each task.
  const backfill = spawnSync(binary, ['--lake', lake, '--config', config, 'backfill', '--from', '2026-01-01T00:00:00Z', '--to', '2026-01-01T06:00:00Z'],
                             { encoding: 'utf8' });
  assert.equal(backfill.status, 3, backfill.stderr);  // some failed
  // A hostile line in the history (markup in an error): the page must show it as text.
  const start = Date.parse('2026-01-01T05:00:00Z') * 1000, end = start + 3600e6;
  appendFileSync(join(lake, '_catalog/runs/tasks/2026-01-01.tsv'),
                 `broken-20260101T0500\tbroken\t${start}\t${end}\tfailed\t2\t${start}\t${end}\t\t\t<img src=x onerror="window.__xss=1"><b>bold</b>\n`);
  ({ server, base } = await serve(['--lake', lake]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop([server]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('runs: failures first with their errors, a timeline block per interval', async () => {
  const api = await (await fetch(base + 'api/v1/runs')).json();
  assert.equal(api.length, 19);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(base + '?page=runs');
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 15000 });
  const seen = await page.evaluate(() => ({ runs: window.__runs, first: document.querySelector('main section h2').textContent,
    failureText: document.getElementById('runfailures').innerText, markup: document.querySelectorAll('main b, main img').length,
    xss: window.__xss,
    blocks: document.querySelectorAll('#runtimeline span[title]').length }));
  await page.screenshot({ path: join(artifacts, 'runs.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.equal(seen.runs.runs, 19);
  assert.equal(seen.runs.failures, 12);  // six failed, six skipped after them
  assert.deepEqual(seen.runs.tasks, ['after', 'broken', 'listing']);
  assert.deepEqual(seen.runs.blocks, { after: 6, broken: 6, listing: 6 });
  assert.equal(seen.blocks, 18);
  assert.match(seen.first, /^Failures \(12\)/);
  assert.match(seen.failureText, /upstream task 'broken' failed/);
  assert.match(seen.failureText, /no such table|nope/i);
  assert.match(seen.failureText, /<img src=x onerror="window.__xss=1"><b>bold<\/b>/);  // the hostile error as text
  assert.equal(seen.markup, 0);
  assert.equal(seen.xss, undefined);
});
