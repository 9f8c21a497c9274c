import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { fixture, ROOT, startHerd, tempDir } from '../../helpers/herd.js';
import { get } from '../../helpers/http.js';

// The dashboard in Debian's Chromium, driven by playwright-core: one herd, one
// browser, the scenarios in order. The screenshot goes to a temp file;
// HERD_SCREENSHOT=1 writes docs/dashboard.png, the README's picture, instead
// (so a test run leaves the tree clean).

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const cell = (page: Page, code: string, cls: string): Promise<string> => page.locator(`#workers tr[data-code="${code}"] .${cls}`).innerText();

/** Resolves with the page's clock time when a list item holding `text` appears in `list` (watched by a MutationObserver). */
function whenItemAppears(page: Page, list: string, text: string): Promise<number> {
  return page.evaluate(([list, text]) => new Promise<number>((resolve) => {
    const root = document.querySelector(list!)!;
    const found = (): boolean => [...root.children].some((li) => li.textContent!.includes(text!));
    if (found()) return resolve(Date.now());
    new MutationObserver((_m, observer) => {
      if (!found()) return;
      observer.disconnect();
      resolve(Date.now());
    }).observe(root, { childList: true });
  }), [list, text] as const);
}

test('the dashboard in a real browser', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; .ci/run does)` }, async (t) => {
  // Its own HERD_HOME, so a fixed name is free; it is the name the README's picture shows.
  const herd = await startHerd(t, [fixture('log-on-request.js'), '-w', '2', '--dashboard', '0'], { name: 'shop-api' });
  const url = (await herd.waitFor(/dashboard on (http:\S+)/))[1]!;
  const token = readFileSync(join(herd.home, `${herd.name}.token`), 'utf8').trim();
  assert.ok(herd.output.includes(`token ${token}`), 'herd start prints the token');
  const port = await herd.port();
  // A new connection each, so round-robin deals them to every worker.
  const request = (path: string): Promise<unknown> => get(port, path);

  // Light load: a request every 50 ms while the test runs.
  let loading = true;
  const load = (async () => {
    while (loading) {
      await request('/').catch(() => undefined);
      await sleep(50);
    }
  })();
  t.after(async () => {
    loading = false;
    await load;
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  page.on('dialog', (dialog) => void dialog.accept());
  // tsx names the functions this file hands to page.evaluate with its own helper, which the page lacks.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await page.goto(url);
  // Gone if the page is ever loaded again: the page must live through everything below by itself.
  await page.evaluate(() => { (window as unknown as { herdTestMark: number }).herdTestMark = 1; });
  const stillSamePage = async (): Promise<boolean> => (await page.evaluate(() => (window as unknown as { herdTestMark?: number }).herdTestMark)) === 1;

  await t.test('lists A and B with their pids, and numbers that change', async () => {
    const status = await herd.status();
    for (const w of status.workers) {
      await page.waitForFunction(([code, pid]) => document.querySelector(`#workers tr[data-code="${code}"] .pid`)?.textContent === String(pid), [w.code, w.pid] as const);
    }
    assert.deepEqual(await page.locator('#workers tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.code)), ['A', 'B']);
    const before = await cell(page, 'A', 'uptime');
    await page.waitForFunction((text) => document.querySelector('#workers tr[data-code="A"] .uptime')?.textContent !== text, before);
    // Under the light load each worker serves a few requests a second.
    await page.waitForFunction(() => ['A', 'B'].every((c) => Number(document.querySelector(`#workers tr[data-code="${c}"] .rps`)?.textContent) > 0), undefined, { timeout: 15_000 });
    assert.match(await page.locator('#connection').innerText(), /live/);
  });

  await t.test('without JavaScript, a plain table', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const plain = await context.newPage();
      await plain.goto(url);
      const status = await herd.status();
      for (const w of status.workers) assert.equal(await cell(plain, w.code, 'pid'), String(w.pid));
      assert.equal(await plain.locator('#actions').isVisible(), false);
    } finally {
      await context.close();
    }
  });

  await t.test('a line the app logs is in the log tail within 1 s; the worker filter hides the others', async () => {
    const marker = `mark${Math.random().toString(36).slice(2, 8)}`;
    const seen = whenItemAppears(page, '#log-lines', marker);
    await request(`/print?tag=${marker}`);
    const logged = Date.now();
    const shown = await seen;
    assert.ok(shown - logged <= 1000, `the line appeared ${shown - logged} ms after the app logged it`);

    // Lines from both workers (round-robin), then only B's.
    const tag = `filter${Math.random().toString(36).slice(2, 8)}`;
    for (let i = 0; i < 4; i++) await request(`/print?tag=${tag}`);
    // All four lines are in (they come in batches), from both workers.
    await page.waitForFunction((tag) => {
      const tagged = [...document.querySelectorAll<HTMLElement>('#log-lines li')].filter((li) => li.textContent!.includes(tag));
      return tagged.length === 4 && ['A', 'B'].every((c) => tagged.some((li) => li.dataset.code === c));
    }, tag);
    await page.selectOption('#log-worker', 'B');
    const lines = await page.locator('#log-lines li').evaluateAll((items) => items.map((li) => ({ code: (li as HTMLElement).dataset.code, hidden: (li as HTMLElement).hidden })));
    assert.ok(lines.some((l) => l.code === 'A' && l.hidden), 'A lines are there, hidden');
    assert.ok(lines.filter((l) => !l.hidden).length > 0 && lines.filter((l) => !l.hidden).every((l) => l.code === 'B'), 'only B lines show');
    // And the text search narrows to one tag.
    await page.selectOption('#log-worker', '');
    await page.fill('#log-search', tag);
    const visible = await page.locator('#log-lines li:not([hidden])').allInnerTexts();
    assert.equal(visible.length, 4);
    assert.ok(visible.every((text) => text.includes(tag)));
    await page.fill('#log-search', '');
  });

  await t.test('a SIGKILLed worker is in the timeline within 2 s, and its row shows the new pid', async () => {
    const old = (await herd.status()).workers.find((w) => w.code === 'A')!.pid;
    const seen = whenItemAppears(page, '#timeline', `pid ${old}) exited unexpectedly (signal SIGKILL)`);
    process.kill(old, 'SIGKILL');
    const killed = Date.now();
    const shown = await seen;
    assert.ok(shown - killed <= 2000, `the kill appeared ${shown - killed} ms after it`);
    await page.waitForFunction((old) => {
      const row = document.querySelector('#workers tr[data-code="A"]');
      return row?.querySelector('.pid')?.textContent !== String(old) && row?.querySelector('.state')?.textContent === 'ready';
    }, old);
    const now = (await herd.status()).workers.find((w) => w.code === 'A' && w.state === 'ready')!.pid;
    assert.equal(await cell(page, 'A', 'pid'), String(now));
  });

  await t.test('an action without the token answers 401 and changes nothing', async () => {
    const before = await herd.status();
    await page.fill('#token', '');
    await page.click('#reload');
    await page.waitForFunction(() => document.querySelector('#action-result')?.textContent?.includes('401'));
    await page.fill('#token', 'not-the-token-at-all');
    await page.click('#scale');
    await page.waitForFunction(() => document.querySelector('#action-result')?.textContent?.includes('Scale to 2 workers: 401'));
    const after = await herd.status();
    assert.equal(after.generation, before.generation);
    assert.deepEqual(after.workers.map((w) => w.pid), before.workers.map((w) => w.pid));
    assert.equal(await page.locator('#generation').innerText(), String(before.generation));
  });

  await t.test('Reload with the token: generation 2, both rows with new pids, the page lives on', async () => {
    const before = (await herd.status()).workers.map((w) => w.pid);
    await page.fill('#token', token);
    await page.click('#reload');
    await page.waitForFunction(() => document.querySelector('#generation')?.textContent === '2');
    await page.waitForFunction((before) => ['A', 'B'].every((c) => {
      const row = document.querySelector(`#workers tr[data-code="${c}"]`);
      return row?.querySelector('.state')?.textContent === 'ready' && !before.includes(Number(row.querySelector('.pid')?.textContent));
    }), before);
    await page.waitForFunction(() => document.querySelector('#action-result')?.textContent?.includes('done'));
    assert.ok(await page.locator('#timeline li', { hasText: 'reload finished: generation 2 serves' }).count() === 1);
    // Still the same page, still streaming: a new line arrives.
    assert.ok(await stillSamePage());
    const marker = `after${Math.random().toString(36).slice(2, 8)}`;
    const seen = whenItemAppears(page, '#log-lines', marker);
    await request(`/print?tag=${marker}`);
    await seen;
    assert.match(await page.locator('#connection').innerText(), /live/);
  });

  await t.test('Replace B: a new pid for B, the old one recycled', async () => {
    const old = (await herd.status()).workers.find((w) => w.code === 'B')!.pid;
    await page.click('#workers tr[data-code="B"] button.replace');
    await page.waitForFunction((old) => {
      const row = document.querySelector('#workers tr[data-code="B"]');
      return row?.querySelector('.state')?.textContent === 'ready' && row.querySelector('.pid')?.textContent !== String(old);
    }, old);
    await page.waitForSelector(`#timeline li[data-kind="recycle"]:has-text("pid ${old}) replaced on request")`);
  });

  await t.test('Scale to 3 adds C', async () => {
    await page.fill('#scale-count', '3');
    await page.click('#scale');
    await page.waitForFunction(() => document.querySelector('#workers tr[data-code="C"] .state')?.textContent === 'ready');
    const c = (await herd.status()).workers.find((w) => w.code === 'C')!;
    assert.equal(await cell(page, 'C', 'pid'), String(c.pid));
    await page.waitForSelector('#timeline li[data-kind="scale"]:has-text("scaled from 2 to 3 workers")');
    assert.ok(await stillSamePage());
  });

  await t.test('a screenshot for the README', async () => {
    // Some log lines and a chart point for C before the picture.
    for (let i = 0; i < 6; i++) await request(`/print?tag=GET+/orders/${1000 + i}`);
    await page.waitForFunction(() => Number(document.querySelector('#workers tr[data-code="C"] .rps')?.textContent) > 0, undefined, { timeout: 15_000 });
    const path = process.env.HERD_SCREENSHOT === '1' ? join(ROOT, 'docs', 'dashboard.png') : join(tempDir(), 'dashboard.png');
    await page.screenshot({ path });
    const png = readFileSync(path);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.ok(statSync(path).size > 20_000, 'a real picture, not a blank page');
  });

  await t.test('the page reconnects by itself when the herd restarts on its port', async (st) => {
    const dashboardPort = new URL(url).port;
    assert.equal((await herd.cli('stop')).code, 0);
    await herd.exited;
    await page.waitForFunction(() => document.querySelector('#connection')?.textContent !== 'live');
    const again = await startHerd(st, [fixture('log-on-request.js'), '-w', '1', '--dashboard', dashboardPort], { name: 'shop-api', home: herd.home });
    const workers = (await again.status()).workers;
    await page.waitForFunction((pid) => document.querySelector('#primary')?.textContent?.startsWith(`pid ${pid},`), again.pid, { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live');
    assert.equal(await cell(page, 'A', 'pid'), String(workers[0]!.pid));
    assert.equal(await page.locator('#workers tbody tr').count(), 1);
    assert.ok(await stillSamePage());
  });
});
