// What the browser tests share: the binary and artifact folder, `serve` on a free port, Debian's
// Chromium, and stopping child processes before their lake is removed.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const binary = process.env.CRYPTOLAKE_BINARY;
export const artifacts = process.env.CRYPTOLAKE_ARTIFACTS || join(tmpdir(), 'cryptolake-browser');

// Starts `cryptolake serve --port 0 …args` and resolves with it and its base URL once it listens.
export function serve(args) {
  const server = spawn(binary, ['serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.stdout.on('data', chunk => { const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(chunk)); if (m) resolve({ server, base: m[0] }); });
    server.on('exit', code => reject(new Error(`serve exited with ${code}`)));
  });
}

export const launchBrowser = () => chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });

// Ends the children still running and waits until they have.
export const stop = children => Promise.all(children.filter(c => c && c.exitCode === null && c.signalCode === null)
                                                    .map(c => new Promise(resolve => { c.on('exit', resolve); c.kill(); })));
