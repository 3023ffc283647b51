import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_REVIEW_URI } from '../../src/app/cost-review.js';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { accountIdBase, generateSnapshots } from '../../src/fake-api/data.js';
import { cleanupAnswer, cleanupAnswerAcross, type CleanupAnswer } from '../../src/snapshots/answers.js';
import { ServerProcess } from '../e2e/process.js';
import { canaryToken } from '../helpers.js';

/**
 * The cost review view in a real browser (Debian's Chromium, driven by puppeteer-core), with this
 * test as the MCP Apps host: it loads the view the built server serves into a sandboxed iframe,
 * answers ui/initialize, sends the tool input and a real plan_snapshot_cleanup result, then reads
 * the DOM, and takes the README's screenshot (docs/cost-review.png with UPDATE_SCREENSHOT=1).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The README's picture is rewritten only when asked (UPDATE_SCREENSHOT=1): its dates change every run.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1'
    ? fileURLToPath(new URL('../../docs/cost-review.png', import.meta.url))
    : path.join(os.tmpdir(), 'cost-review.png');
const ARGUMENTS = { keep_last: 2, protect_tags: ['keep'], limit: 12 };

let api: FakeApi;
let server: ServerProcess;
let browser: Browser;
let html: string;
let result: { content: unknown[]; structuredContent: CleanupAnswer };

beforeAll(async () => {
  const token = canaryToken();
  api = await startFakeApi({
    count: 400,
    seed: 9,
    tokens: { [token]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'] },
  });
  server = new ServerProcess({ DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url });
  await server.initialize();
  const read = await server.request(1, 'resources/read', { uri: COST_REVIEW_URI });
  html = read.result.contents[0].text;
  result = (await server.request(2, 'tools/call', { name: 'plan_snapshot_cleanup', arguments: ARGUMENTS })).result;
  cleanupAnswer.parse(result.structuredContent);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server?.child.kill();
  await api?.close();
});

interface Hosted {
  page: Page;
  view: Frame;
  requests: string[];
  errors: string[];
  messages: () => Promise<{ method?: string }[]>;
}

/** A page that hosts the view as an MCP Apps host would, with the given theme and width. */
async function host(theme: 'light' | 'dark', width: number, shown: typeof result = result): Promise<Hosted> {
  const page = await browser.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setViewport({ width, height: 900 });
  await page.setContent(`<!doctype html><html><body style="margin:0;background:${theme === 'dark' ? '#000' : '#fff'}">
    <iframe id="view" sandbox="allow-scripts" style="border:0;width:100%;height:600px"></iframe></body></html>`);
  // The host's side of MCP Apps, in the page: answer the handshake, then send the input and the result.
  await page.evaluate(
    (view, toolResult, toolArguments, hostTheme, hostWidth) => {
      const frame = document.getElementById('view') as HTMLIFrameElement;
      const log: { method?: string; id?: number; params?: { height: number } }[] = [];
      Object.assign(window, { log });
      window.addEventListener('message', (event) => {
        if (event.source !== frame.contentWindow) return;
        const message = event.data;
        log.push(message);
        const post = (data: object) => frame.contentWindow!.postMessage({ jsonrpc: '2.0', ...data }, '*');
        if (message.method === 'ui/initialize') {
          post({
            id: message.id,
            result: {
              protocolVersion: '2026-01-26',
              hostInfo: { name: 'test-host', version: '1' },
              hostCapabilities: {},
              hostContext: {
                theme: hostTheme,
                displayMode: 'inline',
                containerDimensions: { width: hostWidth, maxHeight: 4000 },
                // One host brings its own font; the other leaves the view its defaults.
                ...(hostTheme === 'dark' && { styles: { variables: { '--font-sans': 'Georgia, serif' } } }),
              },
            },
          });
        } else if (message.method === 'ui/notifications/initialized') {
          post({ method: 'ui/notifications/tool-input', params: { arguments: toolArguments } });
          post({ method: 'ui/notifications/tool-result', params: toolResult });
        } else if (message.method === 'ui/notifications/size-changed') {
          frame.style.height = `${message.params.height}px`;
        }
      });
      frame.srcdoc = view;
    },
    html,
    shown,
    ARGUMENTS,
    theme,
    width,
  );
  const view = await (await page.waitForSelector('#view'))!.contentFrame();
  await view!.waitForSelector('#review:not([hidden])', { timeout: 10_000 });
  return {
    page,
    view: view!,
    requests,
    errors,
    messages: () => page.evaluate(() => (window as Window & { log?: { method?: string }[] }).log ?? []),
  };
}

const texts = (view: Frame, selector: string) => view.$$eval(selector, (nodes) => nodes.map((node) => node.textContent ?? ''));
const money = (value: number) => `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

describe('the cost review view', () => {
  it('is one file under 600 KB with no external reference', () => {
    expect(Buffer.byteLength(html)).toBeLessThan(600 * 1024);
    expect(html).not.toMatch(/\b(src|href)\s*=|url\(|@import|https?:\/\//i);
  });

  it('renders the plan: bars for every type, age and region with their figures, the totals, one row per candidate', async () => {
    const { view, page, requests, errors, messages } = await host('light', 800);
    const plan = result.structuredContent;
    expect(await texts(view, '#total-candidates')).toEqual([plan.total_candidates.toLocaleString('en-US')]);
    expect(await texts(view, '#savings')).toEqual([money(plan.monthly_savings_usd)]);
    const byType = plan.breakdown.by_type!;
    expect(await texts(view, '#chart-type .label')).toEqual(Object.keys(byType));
    expect(await texts(view, '#chart-type .figure')).toEqual(
      Object.values(byType).map((bucket) => `${money(bucket.monthly_cost_usd!)} · ${bucket.count}`),
    );
    expect(await texts(view, '#chart-age .label')).toEqual(['under 30 days', '30-90 days', '90-365 days', 'over 365 days']);
    const byRegion = plan.breakdown.by_region!;
    expect(await texts(view, '#chart-region .label')).toEqual(Object.keys(byRegion));
    expect(await texts(view, '#chart-region .figure')).toEqual(
      Object.values(byRegion).map((bucket) => `${bucket.count} · ${bucket.gb.toLocaleString('en-US', { maximumFractionDigits: 2 })} GB`),
    );
    expect(await view.$eval('#chart-region', (node) => node.getAttribute('aria-label'))).toMatch(/^Snapshots by region\. \w+: \d+ · /);
    expect(await texts(view, '#rows tr td:first-child code')).toEqual(plan.candidates.map((candidate) => candidate.id));
    expect(await texts(view, '#warnings li')).toEqual(plan.warnings);
    expect(await texts(view, '#rules')).toEqual(['Rules: orphans=include, keep_last=2, protect_tags=keep']);
    // Every string from the data sits in its own <bdi>, which isolates its direction.
    expect(await texts(view, '#rows tr td:nth-child(2) > bdi')).toEqual(plan.candidates.map((candidate) => candidate.name));
    expect(await texts(view, '#rows tr td:first-child code > bdi')).toEqual(plan.candidates.map((candidate) => candidate.id));
    expect(await texts(view, '#chart-region .label > bdi')).toEqual(Object.keys(byRegion));
    expect(
      await view.$$eval(
        '#review bdi',
        (nodes) => nodes.length > 0 && nodes.every((node) => getComputedStyle(node).unicodeBidi === 'isolate'),
      ),
    ).toBe(true);
    // The host heard the handshake and the view's size; the page asked for nothing over the network.
    expect((await messages()).map((message) => message.method)).toEqual(
      expect.arrayContaining(['ui/initialize', 'ui/notifications/initialized', 'ui/notifications/size-changed']),
    );
    expect(requests.filter((url) => !/^(about:|data:)/.test(url))).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });

  it('shows names as data: bidi text stays inside its cell, and a type named like a prototype key is shown as named', async () => {
    const plan = result.structuredContent;
    const [first, second] = plan.candidates;
    const hostile = structuredClone(result);
    // What the server would never send (it removes bidi controls), sent anyway: the view holds on its own.
    hostile.structuredContent.candidates[0] = { ...first!, name: '\u202Egnp.exe' };
    hostile.structuredContent.candidates[1] = { ...second!, name: 'שלום-web' };
    const bucket = { count: 1, gb: 1, monthly_cost_usd: 0.06 };
    hostile.structuredContent.breakdown.by_type = { constructor: bucket, toString: bucket };
    // An age group the schema does not have: only a forged answer carries one.
    hostile.structuredContent.breakdown.by_age = { under_30d: bucket, constructor: bucket } as unknown as typeof plan.breakdown.by_age;
    const { view, page, errors } = await host('light', 800, hostile);
    expect(await texts(view, '#chart-type .label')).toEqual(['constructor', 'toString']);
    expect(await texts(view, '#chart-age .label')).toEqual(['under 30 days', 'constructor']);
    const cell = await view.$eval('#rows tr:first-child td:nth-child(2)', (node) => ({
      text: node.textContent,
      isolated: node.firstElementChild?.tagName,
    }));
    expect(cell).toEqual({ text: '\u202Egnp.exe', isolated: 'BDI' });
    // The cost beside a right-to-left name is still drawn to the right of it.
    const boxes = await view.$eval('#rows tr:nth-child(2)', (row) => {
      const name = row.querySelector('td:nth-child(2) bdi')!.getBoundingClientRect();
      const cost = row.querySelector('td.num')!.getBoundingClientRect();
      return { nameRight: name.right, costLeft: cost.left };
    });
    expect(boxes.costLeft).toBeGreaterThanOrEqual(boxes.nameRight);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('across two accounts: the cost of each, which were read, and whose each candidate is', async () => {
    const [acme, globex] = [canaryToken(), canaryToken()];
    const accounts = await startFakeApi({
      tokens: {
        [acme]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'],
        [globex]: ['snapshot:read', 'tag:read', 'droplet:read', 'block_storage:read'],
      },
      accounts: {
        [acme]: { snapshots: generateSnapshots(60, 3, accountIdBase(0)) },
        [globex]: { snapshots: generateSnapshots(40, 4, accountIdBase(1)) },
      },
    });
    const served = new ServerProcess({
      DIGITALOCEAN_API_TOKEN_ACME: acme,
      DIGITALOCEAN_API_TOKEN_GLOBEX: globex,
      DIGITALOCEAN_API_URL: accounts.url,
    });
    try {
      await served.initialize();
      const across = (
        await served.request(1, 'tools/call', { name: 'plan_snapshot_cleanup', arguments: { older_than_days: 30, limit: 20 } })
      ).result;
      const plan = cleanupAnswerAcross.parse(across.structuredContent);
      const { view, page, errors } = await host('light', 800, across);
      const byAccount = plan.breakdown.by_account!;
      expect(await texts(view, '#chart-account .label')).toEqual(['acme', 'globex']);
      expect(await texts(view, '#chart-account .figure')).toEqual(
        Object.values(byAccount).map(
          (bucket) => `${money(bucket.monthly_cost_usd)} · ${bucket.count} · saves ${money(bucket.monthly_savings_usd)}`,
        ),
      );
      expect(await texts(view, '#accounts')).toEqual(['Accounts: acme ok; globex ok']);
      expect(await view.$eval('#account-column', (node) => (node as HTMLElement).hidden)).toBe(false);
      const shownAccounts = await texts(view, '#rows tr td:nth-last-child(2)');
      expect(new Set(shownAccounts)).toEqual(new Set(['acme', 'globex']));
      expect(shownAccounts).toEqual(plan.candidates.map((candidate) => candidate.account));
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      served.child.kill();
      await accounts.close();
    }
    // One account: neither the chart nor the column.
    const { view, page } = await host('light', 800);
    expect(await view.$eval('#chart-account', (node) => (node as HTMLElement).hidden)).toBe(true);
    expect(await view.$eval('#account-column', (node) => (node as HTMLElement).hidden)).toBe(true);
    await page.close();
  });

  it('sorts by cost, created and name from the header buttons, by mouse and keyboard, and filters by reason', async () => {
    const { view, page, errors } = await host('dark', 400);
    const costs = async () => (await texts(view, '#rows td.num')).map((text) => Number(text.replace(/[$,]/g, '')));
    const descending = await costs();
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await view.click('button[data-sort="cost"]');
    const ascending = await costs();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(await view.$eval('button[data-sort="cost"]', (node) => node.getAttribute('aria-sort'))).toBe('ascending');
    await view.focus('button[data-sort="name"]');
    await page.keyboard.press('Enter');
    const names = (await texts(view, '#rows tr td:nth-child(2)')) as string[];
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    await view.select('#reason', 'orphaned');
    const reasons = await texts(view, '#rows tr td:last-child');
    expect(reasons.length).toBe(result.structuredContent.candidates.filter((candidate) => candidate.reasons.includes('orphaned')).length);
    expect(reasons.every((text) => text.includes('orphaned'))).toBe(true);
    // Dark, as the host said, and narrow without overflowing the frame.
    expect(await view.$eval('html', (node) => node.dataset.theme)).toBe('dark');
    // The host's fonts, from its context.
    expect(await view.$eval('body', (node) => getComputedStyle(node).fontFamily)).toBe('Georgia, serif');
    expect(await view.$eval('html', (node) => node.scrollWidth <= 400)).toBe(true);
    // Copying an id where the frame may not use the clipboard selects it instead.
    await view.click('#rows tr:first-child button.copy');
    expect(errors).toEqual([]);
    await page.close();
  });
});
