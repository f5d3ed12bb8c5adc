// The dashboard in headless Chromium (Debian's, driven by playwright-core): every page loads
// without console errors, each chart has the expected series and points, switching symbol and
// range changes them, and a screenshot of each page is kept as a test artifact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifacts, binary, launchBrowser, serve, stop } from './support.mjs';

let dir, server, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cryptolake-browser-'));
  mkdirSync(artifacts, { recursive: true });
  execFileSync(binary, ['demo', '--lake', join(dir, 'lake'), '--days', '8', '--symbols', '3', '--seed', '3'], { stdio: 'ignore' });
  ({ server, base } = await serve(['--lake', join(dir, 'lake')]));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop([server]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Opens a page, fails on console errors, returns the charts it drew.
async function open(query, screenshot) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(base + query);
  await page.waitForFunction(() => window.__ready === true, null, { timeout: 15000 });
  const charts = await page.evaluate(() => window.__charts);
  const status = await page.textContent('#status');
  if (screenshot) await page.screenshot({ path: join(artifacts, screenshot), fullPage: true });
  await page.close();
  assert.deepEqual(errors, [], `console errors on ${query}`);
  assert.ok(!status.startsWith('error'), status);
  return charts;
}

// The same rows the page should have drawn, asked of the API directly.
async function apiRows(path) {
  const r = await fetch(base + path.replace(/^\//, ''));
  assert.equal(r.status, 200, path);
  return r.json();
}

test('overview: price with moving average, stats, top-10 volatility', async () => {
  const c = await open('?page=overview&symbol=BTC-USDT&days=7', 'overview.png');
  assert.equal(c.price.series, 2);
  assert.equal(c.price.points, 7 * 24);
  assert.equal(c.volatility.points, 3);  // three symbols in the demo lake
  // What uPlot holds is the API's last week of hourly closes, oldest first, and the same volatilities.
  const hours = (await apiRows('/api/v1/aggregates?period=hour&symbol=BTC-USDT&limit=168')).reverse();
  assert.deepEqual(c.price.x, hours.map(r => r.time / 1000));
  assert.deepEqual(c.price.y[0], hours.map(r => r.last_price));
  const last24 = hours.slice(-24).map(r => r.last_price);
  assert.ok(Math.abs(c.price.y[1].at(-1) - last24.reduce((a, b) => a + b, 0) / 24) < 1e-9 * last24[0], 'MA 24 h of the last hour');
  const from = hours[0].time, to = hours.at(-1).time + 3600e3;
  const vol = await apiRows(`/api/v1/volatility?from=${from}&to=${to}&limit=10`);
  assert.deepEqual(c.volatility.y[0], vol.map(r => r.daily_volatility * 100));
});

test('history: last day by minute, last week by hour, per-hour and per-day ranges', async () => {
  const c = await open('?page=history&symbol=ETH-USDT&days=7', 'history.png');
  assert.equal(c.day.points, 1440);
  const minutes = (await apiRows('/api/v1/features?symbol=ETH-USDT&limit=1440')).reverse();
  assert.deepEqual(c.day.x, minutes.map(r => r.time / 1000));
  assert.deepEqual(c.day.y[0], minutes.map(r => r.close));
  assert.deepEqual(c.day.y[1], minutes.map(r => r.ma_long));
  assert.equal(c.week.points, 7 * 24);
  assert.equal(c.hourly.series, 3);
  assert.equal(c.hourly.points, 7 * 24);
  assert.equal(c.daily.points, 7);
});

test('sentiment: hourly sentiment against price, the lead/lag chart, the summary', async () => {
  const c = await open('?page=sentiment&symbol=SOL-USDT&days=7', 'sentiment.png');
  assert.equal(c.sentiment.series, 2);
  assert.ok(c.sentiment.points > 7 * 24 * 0.9, `sentiment points ${c.sentiment.points}`);
  assert.equal(c.leadlag.points, 13);  // lags −6 … +6
});

test('quality page loads its tables', async () => {
  await open('?page=quality&symbol=BTC-USDT&days=7', 'quality.png');
});

test('readable on a phone: no sideways scrolling', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await page.goto(base + '?page=overview&symbol=BTC-USDT&days=7');
  await page.waitForFunction(() => window.__ready === true);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: join(artifacts, 'overview-phone.png'), fullPage: true });
  await page.close();
  assert.ok(width <= 390, `page is ${width}px wide on a 390px screen`);
});

test('switching symbol and range changes the charts', async () => {
  const btc = await open('?page=overview&symbol=BTC-USDT&days=7');
  const eth = await open('?page=overview&symbol=ETH-USDT&days=7');
  const day = await open('?page=overview&symbol=ETH-USDT&days=1');
  assert.notEqual(btc.price.first, eth.price.first);
  assert.equal(day.price.points, 24);
  const page = await browser.newPage();
  await page.goto(base + '?page=overview&symbol=BTC-USDT&days=7');
  await page.waitForFunction(() => window.__ready === true);
  await Promise.all([page.waitForURL(/symbol=SOL-USDT/), page.selectOption('#symbol', 'SOL-USDT')]);
  await page.waitForFunction(() => window.__ready === true);
  assert.match(page.url(), /page=overview&symbol=SOL-USDT&days=7/);  // the state lives in the URL
  await page.close();
});
