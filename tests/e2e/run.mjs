// run.mjs: browser tests of the Polis pages. Starts a real `polis init --demo` +
// `polis serve` on a temporary directory and a free loopback port, drives headless
// Chromium through playwright-core, prints one line per test and a summary line
// `e2e: N passed, M failed`, and exits non-zero when any test failed.
// The activities pages' tests live in activities.mjs, the library's in library.mjs.
// Environment: POLIS_BIN (default build/polis under the repository root),
// CHROMIUM (default /usr/bin/chromium).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { activityTests } from './activities.mjs';
import { libraryTests } from './library.mjs';
import { communityTests } from './community.mjs';
import { communityAdminTests } from './community_admin.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const POLIS_BIN = process.env.POLIS_BIN || path.join(ROOT, 'build', 'polis');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const STEP_TIMEOUT_MS = 15000;
const PHONE = { width: 390, height: 844 };
const SANITIZER_MARKERS = ['ERROR: AddressSanitizer', 'ERROR: LeakSanitizer', 'runtime error:'];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A polis server on a fresh database with the demo users (all sharing PASSWORD).
class Server {
  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polis-e2e-'));
    this.db = path.join(this.dir, 'polis.db');
    this.logPath = path.join(this.dir, 'serve.log');
    const env = { ...process.env, POLIS_LOGIN_MAX_CLIENT: '100000', POLIS_LOG_REQUESTS: '1' };
    const init = spawnSync(POLIS_BIN, ['init', '--db', this.db, '--demo', '--admin-password-stdin'],
      { input: PASSWORD + '\n', env, encoding: 'utf8', timeout: 120000 });
    if (init.status !== 0) throw new Error(`polis init failed (${init.status}): ${init.stderr || init.error}`);
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    const log = fs.openSync(this.logPath, 'w');
    this.proc = spawn(POLIS_BIN, ['serve', '--db', this.db, '--listen', `127.0.0.1:${this.port}`],
      { stdio: ['ignore', log, log], env });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, sig) => resolve({ code, sig })));
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) break;
      try {
        const r = await fetch(this.base + '/healthz');
        if (r.status === 200) return;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error('polis serve did not start:\n' + this.log());
  }

  log() {
    try { return fs.readFileSync(this.logPath, 'utf8'); } catch { return ''; }
  }

  // Stops the server with SIGTERM (SIGKILL after 20 s) and removes its directory.
  // Returns how it ended and its log, or null when it never started.
  async stop() {
    let ended = null;
    if (this.proc) {
      if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
      ended = await Promise.race([this.exited, sleep(20000).then(() => null)]);
      if (!ended) {
        this.proc.kill('SIGKILL');
        ended = { ...(await this.exited), killed: true };
      }
      ended.log = this.log();
      this.proc = null;
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    return ended;
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

// Collects console errors and uncaught exceptions (a CSP violation is a console error).
// A page answered with an error status on purpose (401 login) and the favicon the browser
// asks for on its own are not errors of the page.
function watchConsole(page, sink) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location().url || '';
    if (m.text().startsWith('Failed to load resource') &&
        (where === page.url() || new URL(where, 'http://x').pathname === '/favicon.ico')) return;
    sink.push(`${page.url()}: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => sink.push(`${page.url()}: ${e.message}`));
}

async function signIn(page, base, login = 'admin', password = PASSWORD) {
  await page.goto(base + '/login');
  await page.fill('#f-login', login);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
}

async function main() {
  const results = [];
  const consoleErrors = [];
  const server = new Server();
  let browser = null;
  const stopAll = async () => {
    if (browser) await browser.close().catch(() => {});
    browser = null;
    return server.stop();
  };
  process.once('SIGINT', () => { stopAll().finally(() => process.exit(130)); });
  process.once('SIGTERM', () => { stopAll().finally(() => process.exit(143)); });

  async function test(name, fn) {
    try {
      await fn();
      results.push({ name, ok: true });
      console.log(`ok   ${name}`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`FAIL ${name}\n     ${String(e && e.message || e).split('\n').join('\n     ')}`);
    }
  }

  try {
    await server.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const base = server.base;

    // The journey: log in, switch to Russian, open the framework page, log out.
    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    watchConsole(page, consoleErrors);

    await test('a. sign in through the login form as admin', async () => {
      await page.goto(base + '/account');
      check(new URL(page.url()).pathname === '/login', `signed out, /account should lead to /login, got ${page.url()}`);
      await page.fill('#f-login', 'admin');
      await page.fill('#f-password', PASSWORD);
      await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
      check(new URL(page.url()).pathname === '/account', `expected to land on /account (next), got ${page.url()}`);
      check((await page.textContent('h1')).trim() === 'Your account', 'account page heading');
      const cookies = await ctx.cookies();
      const session = cookies.find((c) => c.name === 'polis_session');
      check(session && session.httpOnly && session.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
      check(await page.isVisible('header.top a.account'), 'the nav shows the signed-in account');
    });

    await test('b. the language switch turns the pages Russian and is remembered', async () => {
      await page.goto(base + '/');
      check(await page.getAttribute('html', 'lang') === 'en', 'starts in English');
      await Promise.all([page.waitForNavigation(), page.click('header.top a.lang-switch')]);
      check(new URL(page.url()).pathname === '/', `the switch comes back to the same page, got ${page.url()}`);
      check(await page.getAttribute('html', 'lang') === 'ru', 'html lang="ru" after the switch');
      const nav = await page.textContent('header.top nav');
      check(nav.includes('Организации'), `Russian nav label expected, nav was: ${nav}`);
      check(nav.includes('Выйти'), 'Russian sign-out button');
      await page.goto(base + '/account');
      check(await page.getAttribute('html', 'lang') === 'ru', 'still Russian on the next page load');
      check((await page.textContent('h1')).trim() === 'Ваша учётная запись', 'account heading in Russian');
    });

    await test('c. the framework page shows the six thematic priorities', async () => {
      const resp = await page.goto(base + '/framework');
      check(resp.status() === 200, `GET /framework answered ${resp.status()}`);
      check((resp.headers()['content-type'] || '').startsWith('text/html'), 'an HTML page, not JSON');
      const h1 = await page.$('main h1');
      check(h1 !== null, 'the page has a heading');
      const priorities = await page.$$('#priorities .priority');
      check(priorities.length === 6, `expected 6 priorities, found ${priorities.length}`);
      check(await page.getAttribute('html', 'lang') === 'ru', 'the framework page keeps the chosen language');
    });

    await test('d. sign out from the nav lands on /login and ends the session', async () => {
      await page.goto(base + '/account');
      await Promise.all([page.waitForNavigation(), page.click('header.top form[action="/logout"] button')]);
      check(new URL(page.url()).pathname === '/login', `expected /login after sign-out, got ${page.url()}`);
      const cookies = await ctx.cookies();
      check(!cookies.some((c) => c.name === 'polis_session'), 'the session cookie is gone');
      await page.goto(base + '/account');
      const u = new URL(page.url());
      check(u.pathname === '/login' && u.searchParams.get('next') === '/account',
        `/account should redirect to /login?next=/account, got ${page.url()}`);
    });
    await ctx.close();

    await test('e. on a phone (390x844) the nav wraps and the body does not scroll sideways', async () => {
      const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
      const p = await phone.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      watchConsole(p, consoleErrors);
      try {
        await signIn(p, base, 'admin');
        for (const where of ['/', '/account', '/admin/users', '/audit', '/framework', '/library?q=police', '/library/documents/1']) {
          await p.goto(base + where);
          // Measured against the device width: a mobile browser widens its layout
          // viewport (and innerWidth) to fit content that overflows.
          const m = await p.evaluate(() => ({
            inner: window.innerWidth,
            doc: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            nav: Math.max(...[...document.querySelectorAll('header.top nav *')]
              .map((e) => e.getBoundingClientRect().right)),
          }));
          const width = PHONE.width;
          check(m.inner === width, `${where}: layout viewport is ${m.inner}px, not ${width}px (content too wide)`);
          check(m.doc <= width && m.body <= width,
            `${where}: page is ${Math.max(m.doc, m.body)}px wide on a ${width}px screen`);
          check(m.nav <= width + 0.5, `${where}: the nav reaches ${m.nav}px, past ${width}px`);
        }
        check(await p.isVisible('header.top form[action="/logout"] button'), 'sign-out button visible on a phone');
      } finally {
        await phone.close();
      }
    });

    await test('f. a wrong password shows the error on the login page', async () => {
      const c = await browser.newContext();
      const p = await c.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      watchConsole(p, consoleErrors);
      try {
        await p.goto(base + '/login');
        await p.fill('#f-login', 'coordinator');
        await p.fill('#f-password', 'this is not the password');
        const [resp] = await Promise.all([p.waitForNavigation(), p.click('main form button[type=submit]')]);
        check(resp.status() === 401, `expected 401, got ${resp.status()}`);
        const alert = await p.textContent('main .error[role=alert]');
        check(alert && alert.includes('Wrong login or password.'), `error message expected, got ${alert}`);
        check(await p.inputValue('#f-login') === 'coordinator', 'the login stays filled in');
        check(await p.inputValue('#f-password') === '', 'the password is not sent back');
        check(!(await c.cookies()).some((k) => k.name === 'polis_session'), 'no session');
      } finally {
        await c.close();
      }
    });

    await test('g. the skip link is the first stop for the keyboard and becomes visible', async () => {
      const c = await browser.newContext();
      const p = await c.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      try {
        await p.goto(base + '/login');
        const hidden = await p.evaluate(() => document.querySelector('a.skip').getBoundingClientRect().bottom);
        check(hidden <= 0, `the skip link is off screen until focused (bottom ${hidden})`);
        await p.keyboard.press('Tab');
        const focused = await p.evaluate(() => document.activeElement.className);
        check(focused === 'skip', `first Tab focuses the skip link, got "${focused}"`);
        const box = await p.evaluate(() => document.querySelector('a.skip').getBoundingClientRect().top);
        check(box >= 0, `the focused skip link is on screen (top ${box})`);
      } finally {
        await c.close();
      }
    });

    await test('h. revoke buttons ask first (app.js) and revoke only when confirmed', async () => {
      const c = await browser.newContext();
      const p = await c.newPage();
      p.setDefaultTimeout(STEP_TIMEOUT_MS);
      watchConsole(p, consoleErrors);
      try {
        await signIn(p, base, 'librarian');
        await p.goto(base + '/account');
        await p.fill('#f-name', 'e2e token');
        await Promise.all([p.waitForNavigation(), p.click('form[action="/account/tokens"] button')]);
        const token = (await p.textContent('#new-token')).trim();
        check(token.startsWith('polis_'), 'the new token is shown once');
        const api = async () => (await fetch(base + '/api/v1/account', { headers: { Authorization: 'Bearer ' + token } })).status;
        check(await api() === 200, 'the token works');
        let asked = 0;
        p.once('dialog', (d) => { asked++; d.dismiss(); });
        await p.click('form[action$="/revoke"] button[data-confirm]');
        await sleep(300);
        check(asked === 1, 'a confirmation was asked');
        check(await api() === 200, 'dismissing keeps the token');
        p.once('dialog', (d) => { asked++; d.accept(); });
        await Promise.all([p.waitForNavigation(), p.click('form[action$="/revoke"] button[data-confirm]')]);
        check(asked === 2, 'asked again');
        check(await api() === 401, 'accepting revokes the token');
        check((await p.textContent('main [role=status]')).includes('The token was revoked.'), 'notice shown');
      } finally {
        await c.close();
      }
    });

    // k. to q.: the activities pages and the annual report (activities.mjs).
    await activityTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs: STEP_TIMEOUT_MS });
    // r. to z.: the library's search, document pages and librarian forms (library.mjs).
    await libraryTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs: STEP_TIMEOUT_MS });

    // A. to C.: community policing — the offline reception screen, a citizen's view, conduct complaints (community.mjs).
    await communityTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs: STEP_TIMEOUT_MS });
    // D.: the community setup page (community_admin.mjs).
    await communityAdminTests({ browser, base, test, check, signIn, watchConsole, consoleErrors, timeoutMs: STEP_TIMEOUT_MS });

    await test('i. no script errors or CSP violations in the console', async () => {
      check(consoleErrors.length === 0, consoleErrors.join('\n'));
    });
  } catch (e) {
    results.push({ name: 'setup', ok: false });
    console.log(`FAIL setup\n     ${e && e.stack || e}`);
  } finally {
    const ended = await stopAll();
    if (ended) {
      await test('j. the server stops cleanly on SIGTERM, without sanitizer reports', async () => {
        check(!ended.killed && ended.code === 0, `exit ${ended.code} signal ${ended.sig}${ended.killed ? ' (killed)' : ''}`);
        const marker = SANITIZER_MARKERS.find((m) => ended.log.includes(m));
        check(!marker, marker && ended.log.slice(Math.max(0, ended.log.indexOf(marker) - 200), ended.log.indexOf(marker) + 2000));
      });
    }
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
