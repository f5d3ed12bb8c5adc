// The Live page in headless Chromium while a simulated stream runs beside `serve --live`: it
// draws every streamed symbol with its projections and rolling windows, says the data is
// simulated, and its values change by themselves (Server-Sent Events) within 5 s, no reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, binary, launchBrowser, serve, stop } from './support.mjs';

let dir, streamer, server, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cryptolake-live-'));
  mkdirSync(artifacts, { recursive: true });
  const lake = join(dir, 'lake');
  // Ten simulated minutes per second: a new candle per symbol every 0.1 s of real time.
  streamer = spawn(binary, ['stream', 'run', '--source', 'simulator', '--symbols', '2', '--speed', '600', '--lake', lake],
                   { stdio: ['ignore', 'ignore', 'inherit'] });
  ({ server, base } = await serve(['--live', '--lake', lake]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop([server, streamer]);  // both gone before their lake is removed
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('live: the page draws the stream and moves by itself within 5 s', async () => {
  // The stream is up once the live view has a full hour for both symbols (so projections exist).
  for (let i = 0; i < 300; i++) {
    const live = await (await fetch(base + 'api/v1/live?format=json')).json();
    if (live.series.length === 2 && live.series.every(s => s.projections.length === 3)) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(base + '?page=live');
  await page.waitForFunction(() => window.__ready === true && window.__live && window.__live.series === 2, null, { timeout: 15000 });
  const before = await page.evaluate(() => ({ last: { ...window.__live.last }, updates: window.__live.updates,
                                              chart: window.__charts['live-simulator-BTC-USDT'] }));
  // A chart per symbol: 60 closes then the three projections' minutes; four lines.
  assert.equal(before.chart.series, 4);
  assert.equal(before.chart.points, 60 + 3);
  assert.equal(before.chart.y[0].filter(v => v !== null).length, 60);
  assert.deepEqual(before.chart.y[1].filter(v => v !== null).length, 4, 'the projection line: the last close and three horizons');
  assert.match(await page.textContent('#status'), /SIMULATED/);
  assert.equal(await page.locator('table').count() >= 2, true, 'rolling-window tables');

  const started = Date.now();
  await page.waitForFunction(last => Object.entries(last).some(([symbol, close]) => window.__live.last[symbol] !== close),
                             before.last, { timeout: 5000 });
  const moved = Date.now() - started;
  const after = await page.evaluate(() => ({ updates: window.__live.updates, chart: window.__charts['live-simulator-BTC-USDT'] }));
  assert.ok(after.updates > before.updates);
  assert.ok(after.chart.x.at(-4) > before.chart.x.at(-4), 'the last close moved on');
  assert.equal(page.url(), base + '?page=live', 'no reload');
  await page.screenshot({ path: join(artifacts, 'live.png'), fullPage: true });
  await page.close();
  assert.deepEqual(errors, []);
  console.log(`live page moved after ${moved} ms`);
});
