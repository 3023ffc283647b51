import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { accountIdBase, generateSnapshots } from '../../src/fake-api/data.js';
import { ALL_SCOPES, startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import {
  cleanupAnswerAcross,
  listAnswerAcross,
  snapshotAnswerAcross,
  type CleanupAnswer,
  type ListAnswer,
} from '../../src/snapshots/answers.js';
import { expectOneAnswer } from '../answer-checks.js';
import { canaryToken, textOf } from '../helpers.js';
import { expectedSummary, select } from '../reference.js';
import { SERVER_ENTRY } from './process.js';

/**
 * Several accounts in one built server, over stdio, against the fake API serving each token its own
 * account: every answer for one account is the one a one-account server with that token gives;
 * "all" is their sum; a failing or rate-limited account leaves the others answered, and unslowed.
 */

const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };
const NAMES = ['acme', 'globex', 'initech'] as const;
type Name = (typeof NAMES)[number];
const DATA: Record<Name, Snapshot[]> = {
  acme: generateSnapshots(230, 11, accountIdBase(0)),
  globex: generateSnapshots(90, 12, accountIdBase(1)),
  initech: generateSnapshots(45, 13, accountIdBase(2)),
};

interface Served {
  client: Client;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

async function serve(api: FakeApi, env: Record<string, string>, tokens: string[]): Promise<Served> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: { PATH: process.env.PATH ?? '', DIGITALOCEAN_API_URL: api.url, DIGITALOCEAN_REQUESTS_PER_MINUTE: '0', LOG_LEVEL: 'error', ...env },
  });
  const client = new Client({ name: 'accounts', version: '1.0.0' });
  await client.connect(transport);
  // The client holds every answer to the output schema tools/list published (once listed).
  await client.listTools();
  return {
    client,
    async call(name, args) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      for (const token of tokens) expect(JSON.stringify(result)).not.toContain(token);
      return result;
    },
    close: () => client.close(),
  };
}

const withoutAccount = <T extends { account?: string | undefined }>({ account: _account, ...rest }: T) => rest;
const cents = (value: number) => Math.round(value * 100);

let api: FakeApi;
const tokens = {} as Record<Name, string>;
let all: Served;
const one = {} as Record<Name, Served>;

beforeAll(async () => {
  for (const name of NAMES) tokens[name] = canaryToken();
  api = await startFakeApi({
    rateLimit: OPEN,
    tokens: Object.fromEntries(NAMES.map((name) => [tokens[name], ALL_SCOPES])),
    accounts: Object.fromEntries(NAMES.map((name) => [tokens[name], { snapshots: DATA[name] }])),
  });
  const secrets = Object.values(tokens);
  [all] = await Promise.all([
    serve(api, Object.fromEntries(NAMES.map((name) => [`DIGITALOCEAN_API_TOKEN_${name.toUpperCase()}`, tokens[name]])), secrets),
    ...NAMES.map(async (name) => {
      one[name] = await serve(api, { DIGITALOCEAN_API_TOKEN: tokens[name] }, secrets);
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([all, ...Object.values(one)].map((served) => served?.close()));
  await api?.close();
});

/** Every row of a walk from the first call, following next_cursor. */
async function walk<T>(served: Served, tool: string, args: Record<string, unknown>, rows: (answer: never) => T[]): Promise<T[]> {
  const seen: T[] = [];
  let cursor: string | undefined;
  for (let calls = 0; calls < 50; calls++) {
    const result = await served.call(tool, { ...args, ...(cursor && { cursor }) });
    expect(result.isError, textOf(result)).toBeFalsy();
    seen.push(...rows(result.structuredContent as never));
    cursor = (result.structuredContent as { next_cursor?: string }).next_cursor;
    if (!cursor) return seen;
  }
  throw new Error('the walk did not end');
}
const listRows = (answer: ListAnswer) => answer.snapshots;
const planRows = (answer: CleanupAnswer) => answer.candidates;

describe('a server over three accounts', () => {
  it('offers account on every tool and the prompt: the names and "all", nothing else new', async () => {
    const { tools } = await all.client.listTools();
    for (const tool of tools) expect(tool.inputSchema.properties!.account).toMatchObject({ enum: [...NAMES, 'all'] });
    const { prompts } = await all.client.listPrompts();
    expect(prompts[0]!.arguments!.map((argument) => argument.name)).toContain('account');
    const { tools: single } = await one.acme.client.listTools();
    for (const tool of single) expect(tool.inputSchema.properties).not.toHaveProperty('account');
  });

  it.each(NAMES)('%s alone answers as a one-account server with its token does, walks included', async (name) => {
    const plain = { limit: 37, per_page: 50 };
    const mine = await walk(all, 'list_snapshots', { ...plain, account: name }, listRows);
    expect(mine.every((row) => row.account === name)).toBe(true);
    expect(mine.map(withoutAccount)).toEqual(await walk(one[name], 'list_snapshots', plain, listRows));
    expect(mine.map((row) => row.id)).toEqual(DATA[name].map((snapshot) => snapshot.id));

    const scan = { sort: 'size_desc', resource_type: 'droplet', limit: 29 };
    const sorted = await walk(all, 'list_snapshots', { ...scan, account: name }, listRows);
    expect(sorted.map(withoutAccount)).toEqual(await walk(one[name], 'list_snapshots', scan, listRows));

    const rules = { keep_last: 1, older_than_days: 200, limit: 40 };
    const planned = await walk(all, 'plan_snapshot_cleanup', { ...rules, account: name }, planRows);
    expect(planned.every((row) => row.account === name)).toBe(true);
    expect(planned.map(withoutAccount)).toEqual(await walk(one[name], 'plan_snapshot_cleanup', rules, planRows));
  });

  it('"all": the rows of every account in one order, totals that are the sums, parts that add up to them', async () => {
    const everything = NAMES.flatMap((name) => DATA[name]);
    const owner = new Map(NAMES.flatMap((name) => DATA[name].map((snapshot) => [snapshot.id, name] as const)));
    const rows = await walk(all, 'list_snapshots', { sort: 'created_desc', limit: 120 }, listRows);
    expect(rows.map((row) => row.id)).toEqual(select(everything, { sort: 'created_desc' }).map((snapshot) => snapshot.id));
    expect(rows.every((row) => row.account === owner.get(row.id))).toBe(true);

    const first = expectOneAnswer(40_000, await all.call('list_snapshots', { summary: true, limit: 1000 }));
    expect(first.accounts).toEqual({ acme: 'ok', globex: 'ok', initech: 'ok' });
    expect(first.complete).toBe(true);
    expect(first.total).toBe(everything.length);
    const expected = expectedSummary(everything);
    expect(first.summary).toMatchObject({
      matched: expected.matched,
      total_gb: expected.total_gb,
      monthly_cost_usd: expected.monthly_cost_usd,
    });
    const parts = first.summary!.by_account!;
    expect(Object.keys(parts)).toEqual([...NAMES]);
    const sum = (figure: (part: (typeof parts)[string]) => number) => Object.values(parts).reduce((total, part) => total + figure(part), 0);
    expect(sum((part) => part.count)).toBe(expected.matched);
    expect(sum((part) => cents(part.gb))).toBe(cents(expected.total_gb));
    expect(sum((part) => cents(part.monthly_cost_usd))).toBe(cents(expected.monthly_cost_usd));
    for (const name of NAMES) {
      // Each part is that account's own total, but for the cent a total rounded once may move.
      const alone = listAnswerAcross.parse((await one[name].call('list_snapshots', { summary: true, limit: 0 })).structuredContent)
        .summary!;
      expect(parts[name]!.count).toBe(alone.matched);
      expect(Math.abs(cents(parts[name]!.monthly_cost_usd) - cents(alone.monthly_cost_usd))).toBeLessThanOrEqual(1);
      expect(Math.abs(cents(parts[name]!.gb) - cents(alone.total_gb))).toBeLessThanOrEqual(1);
    }
  });

  it('"all" plans across the accounts: every account\'s candidates, the savings rounded once, the cost per account', async () => {
    const rules = { orphans: 'include', keep_last: 1 };
    const across = await walk(all, 'plan_snapshot_cleanup', { ...rules, limit: 100 }, planRows);
    const alone = await Promise.all(NAMES.map((name) => walk(one[name], 'plan_snapshot_cleanup', { ...rules, limit: 100 }, planRows)));
    const key = (row: { id: string; reasons: string[] }) => `${row.id}:${row.reasons.join(',')}`;
    expect(across.map(key).sort()).toEqual(alone.flat().map(key).sort());
    const plan = cleanupAnswerAcross.parse((await all.call('plan_snapshot_cleanup', { ...rules, limit: 0 })).structuredContent);
    const savings = await Promise.all(
      NAMES.map(async (name) =>
        cleanupAnswerAcross.parse((await one[name].call('plan_snapshot_cleanup', { ...rules, limit: 0 })).structuredContent),
      ),
    );
    expect(
      Math.abs(cents(plan.monthly_savings_usd) - savings.reduce((total, part) => total + cents(part.monthly_savings_usd), 0)),
    ).toBeLessThanOrEqual(NAMES.length);
    const parts = plan.breakdown.by_account!;
    const byType = Object.values(plan.breakdown.by_type).reduce((total, part) => total + cents(part.monthly_cost_usd), 0);
    expect(Object.values(parts).reduce((total, part) => total + cents(part.monthly_cost_usd), 0)).toBe(byType);
    // What each account could save: its candidates, their costs as listed, adding up to the plan's savings.
    expect(Object.values(parts).reduce((total, part) => total + cents(part.monthly_savings_usd), 0)).toBe(cents(plan.monthly_savings_usd));
    for (const [i, name] of NAMES.entries()) {
      expect(parts[name]!.candidates).toBe(savings[i]!.total_candidates);
      expect(cents(parts[name]!.monthly_savings_usd)).toBe(
        across.filter((row) => row.account === name).reduce((total, row) => total + cents(row.monthly_cost_usd), 0),
      );
    }
    expect(plan.scanned).toBe(NAMES.reduce((total, name) => total + DATA[name].length, 0));
    expect(plan.complete).toBe(true);
  });

  it('finds a snapshot by id in whichever account holds it; an id in none is an error naming them', async () => {
    const wanted = DATA.initech[7]!;
    const found = snapshotAnswerAcross.parse((await all.call('get_snapshot', { id: wanted.id })).structuredContent);
    expect(found.snapshot).toMatchObject({ id: wanted.id, account: 'initech' });
    const missing = await all.call('get_snapshot', { id: '999999999' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/^No snapshot with id 999999999 in any of the accounts acme, globex, initech/);
  });

  it('sends each account its own token only: one account read, one token on the wire', async () => {
    const from = api.requests.length;
    await all.call('list_snapshots', { account: 'globex', fresh: true, summary: true });
    await all.call('get_snapshot', { id: DATA.globex[0]!.id, account: 'globex' });
    const sent = api.requests.slice(from);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((request) => request.token))).toEqual(new Set([tokens.globex]));
    expect(api.requests.every((request) => Object.values(tokens).includes(request.token!))).toBe(true);
  });

  it("one account's 429 does not slow another's calls", async () => {
    // acme's next request is told to wait 2 s; globex's calls meanwhile go at once.
    api.inject({ type: 'status', status: 429, headers: { 'retry-after': '2' } }, { token: tokens.acme });
    const order: string[] = [];
    const slow = all.call('list_snapshots', { account: 'acme', fresh: true, summary: true }).then((result) => {
      order.push('acme');
      return result;
    });
    // The 429 has been answered (and the wait begun) before globex asks.
    await expect.poll(() => api.requests.some((request) => request.token === tokens.acme && request.status === 429)).toBe(true);
    const quick = await all.call('list_snapshots', { account: 'globex', fresh: true, summary: true });
    order.push('globex');
    expect(quick.isError).toBeFalsy();
    expect((await slow).isError).toBeFalsy();
    expect(order).toEqual(['globex', 'acme']);
  });

  it('an unknown account name is an error listing the names; page does not combine with "all"', async () => {
    const unknown = await all.call('list_snapshots', { account: 'umbrella' });
    expect(unknown.isError).toBe(true);
    for (const name of [...NAMES, 'all']) expect(textOf(unknown)).toContain(name);
    const paged = await all.call('list_snapshots', { page: 2 });
    expect(paged.isError).toBe(true);
    expect(textOf(paged)).toContain('account "all"');
  });
});

describe('a server over two accounts, one of them failing', () => {
  let faulty: FakeApi;
  let served: Served;
  const [good, revoked] = [canaryToken(), canaryToken()];

  beforeAll(async () => {
    // The second token is not one the API knows: every request of it answers 401.
    faulty = await startFakeApi({
      rateLimit: OPEN,
      tokens: { [good]: ALL_SCOPES },
      accounts: { [good]: { snapshots: DATA.acme }, [revoked]: { snapshots: DATA.globex } },
    });
    served = await serve(faulty, { DIGITALOCEAN_API_TOKEN_ACME: good, DIGITALOCEAN_API_TOKEN_GLOBEX: revoked }, [good, revoked]);
  });
  afterAll(async () => {
    await served?.close();
    await faulty?.close();
  });

  it("one account's 401 leaves the other answered, complete false, both halves naming what the totals cover", async () => {
    const result = await served.call('list_snapshots', { summary: true, limit: 5 });
    const answer = expectOneAnswer(40_000, result);
    expect(answer.complete).toBe(false);
    expect(answer.accounts!.acme).toBe('ok');
    expect(answer.accounts!.globex).toMatch(/rejected the API token \(HTTP 401.*DIGITALOCEAN_API_TOKEN_GLOBEX/);
    expect(answer.summary!.matched).toBe(DATA.acme.length);
    expect(Object.keys(answer.summary!.by_account!)).toEqual(['acme']);
    const warning =
      'Incomplete: globex could not be read (the reason is under accounts); rows and totals cover only acme, 1 of the 2 accounts.';
    expect(answer.warnings).toContain(warning);
    expect(textOf(result)).toContain(`Warning: ${warning}`);
    expect(textOf(result)).toContain('globex not read: DigitalOcean rejected the API token');

    const plan = cleanupAnswerAcross.parse((await served.call('plan_snapshot_cleanup', { keep_last: 1 })).structuredContent);
    expect(plan.complete).toBe(false);
    expect(plan.scanned).toBe(DATA.acme.length);

    const elsewhere = await served.call('get_snapshot', { id: DATA.globex[0]!.id });
    expect(elsewhere.isError).toBe(true);
    expect(textOf(elsewhere)).toMatch(
      new RegExp(
        `^Not in account acme: snapshot ${DATA.globex[0]!.id}; it may be in the account that could not be asked:\\n- globex: DigitalOcean rejected`,
      ),
    );

    const alone = await served.call('list_snapshots', { account: 'globex' });
    expect(alone.isError).toBe(true);
    expect(textOf(alone)).toContain('DIGITALOCEAN_API_TOKEN_GLOBEX');
  });
});
