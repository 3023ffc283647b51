import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/digitalocean/schemas.js';
import { HOSTILE_STRINGS } from '../../src/fake-api/data.js';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { snapshotAnswer } from '../../src/snapshots/answers.js';
import { clean, cut, expectOneAnswer, forbiddenIn, hiddenInJson } from '../answer-checks.js';
import { canaryToken, textOf } from '../helpers.js';
import { select } from '../reference.js';
import { SERVER_ENTRY } from './process.js';

/**
 * What each kind of client shows the model, through the built server over stdio: the text half
 * (Claude Desktop, the AI SDK), the JSON half (Claude Code, VS Code) and both (LangChain). Both
 * halves must be one answer within the declared budget, and no API string may forge a line.
 */

interface Served {
  api: FakeApi;
  client: Client;
  budget: number;
  call(args: Record<string, unknown>, tool?: string): Promise<CallToolResult>;
}

const served: Served[] = [];
const OPEN = { perHour: 1_000_000, perMinute: 1_000_000 };

async function serve(options: Parameters<typeof startFakeApi>[0]): Promise<Served> {
  const token = canaryToken();
  const api = await startFakeApi({ tokens: { [token]: ['snapshot:read', 'tag:read'] }, rateLimit: OPEN, ...options });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: { PATH: process.env.PATH ?? '', DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'error' },
  });
  const client = new Client({ name: 'answers', version: '1.0.0' });
  await client.connect(transport);
  const { tools } = await client.listTools();
  const budget = tools.find((tool) => tool.name === 'list_snapshots')!._meta!['anthropic/maxResultSizeChars'] as number;
  expect(tools.find((tool) => tool.name === 'get_snapshot')!._meta!['anthropic/maxResultSizeChars']).toBe(budget);
  const entry: Served = {
    api,
    client,
    budget,
    async call(args, tool = 'list_snapshots') {
      const result = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
      expect(JSON.stringify(result)).not.toContain(token);
      // Text-only clients never see the JSON half: the text must not send the model there.
      expect(textOf(result)).not.toMatch(/structuredContent|next_cursor/);
      return result;
    },
  };
  served.push(entry);
  return entry;
}

let plain: Served;
let hostile: Served;
beforeAll(async () => {
  [plain, hostile] = await Promise.all([serve({ count: 2000, seed: 5 }), serve({ count: 1200, seed: 6, hostile: true })]);
});
afterAll(async () => {
  for (const { client, api } of served) {
    await client.close();
    await api.close();
  }
});

async function walk(served: Served, args: Record<string, unknown>): Promise<{ rows: Snapshot[]; answers: number }> {
  const rows: Snapshot[] = [];
  let cursor: string | undefined;
  let answers = 0;
  do {
    const answer = expectOneAnswer(served.budget, await served.call({ ...args, ...(cursor && { cursor }) }));
    expect(answer.count).toBeGreaterThan(0);
    rows.push(...answer.snapshots);
    cursor = answer.next_cursor;
    answers += 1;
    expect(answers).toBeLessThan(200);
  } while (cursor);
  return { rows, answers };
}

describe('one answer in both halves, within the budget', () => {
  it('declares a budget of at most 100,000 characters', () => {
    expect(plain.budget).toBeGreaterThan(0);
    expect(plain.budget).toBeLessThanOrEqual(100_000);
  });

  it('{}: the default answer keeps its JSON under 24,000 characters', async () => {
    const result = await plain.call({});
    const answer = expectOneAnswer(plain.budget, result);
    expect(JSON.stringify(result.structuredContent).length).toBeLessThan(24_000);
    expect(answer.snapshots).toEqual(plain.api.snapshots.slice(0, answer.count));
    expect(answer.truncated).toBe(true);
  });

  it.each([{ limit: 1000 }, { summary: true, limit: 1000 }])(
    '%j: stops at the budget, says why, and walks on to exactly the account',
    async (args) => {
      const first = expectOneAnswer(plain.budget, await plain.call(args));
      expect(first.count).toBeLessThan(1000);
      expect(first.warnings?.some((warning) => warning.startsWith(`Only ${first.count} of the 1000 snapshots asked for fit`))).toBe(true);
      const { rows } = await walk(plain, args);
      expect(rows).toEqual(plain.api.snapshots);
    },
  );

  it('a filtered and sorted walk returns exactly the expected rows', async () => {
    const args = { resource_type: 'droplet', min_size_gb: 5, sort: 'size_desc', limit: 300 } as const;
    const { rows, answers } = await walk(plain, args);
    expect(rows).toEqual(select(plain.api.snapshots, args));
    expect(answers).toBeGreaterThan(1);
  });

  it('get_snapshot: cost and age in both halves', async () => {
    const target = plain.api.snapshots[7]!;
    const result = await plain.call({ id: target.id }, 'get_snapshot');
    const answer = snapshotAnswer.parse(result.structuredContent);
    const text = textOf(result);
    expect(text.length).toBeLessThanOrEqual(plain.budget);
    expect(answer.snapshot).toEqual(target);
    expect(text).toContain(`about $${answer.monthly_cost_usd.toFixed(2)} a month.`);
    expect(text).toContain(`(${answer.age_days.toLocaleString('en-US')} days ago)`);
    expect([...text.matchAll(/\$([\d.]+)/g)].map((match) => Number(match[1]))).toEqual([answer.monthly_cost_usd]);
  });
});

describe('hostile data', () => {
  it('serves what an attacker would write (the data set is what this test thinks it is)', () => {
    const names = hostile.api.snapshots.map((snapshot) => snapshot.name);
    expect(names.filter((name) => name.length >= 100_000).length).toBeGreaterThanOrEqual(3);
    expect(hostile.api.snapshots.filter((snapshot) => snapshot.id.length > 4096).length).toBeGreaterThan(0);
    for (const hostileString of HOSTILE_STRINGS) expect(names.some((name) => name.startsWith(hostileString))).toBe(true);
    expect(hostile.api.snapshots.some((snapshot) => snapshot.resource_type === '__proto__')).toBe(true);
    expect(hostile.api.snapshots.some((snapshot) => snapshot.created_at.startsWith('('))).toBe(true);
  });

  it.each([
    { limit: 1000 },
    { summary: true, limit: 1000 },
    { sort: 'name_asc', limit: 1000 },
    { resource_type: 'volume', sort: 'created_desc', limit: 1000 },
  ])('%j: no forged line or forbidden character, rows equal to the JSON, and the walk ends with every snapshot once', async (args) => {
    const { rows } = await walk(hostile, args);
    const expected = select(hostile.api.snapshots, args as Parameters<typeof select>[1]);
    // A date is written from its parsed time, whatever words the API put around it.
    for (const row of rows) expect(row.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // Both halves carry every visible character the API sent, and nothing hidden.
    expect(rows.map((row) => row.id)).toEqual(expected.map((snapshot) => cut(clean(snapshot.id))));
    expect(rows.map((row) => row.name)).toEqual(expected.map((snapshot) => cut(clean(snapshot.name))));
  });

  it('the summary: a type or region named __proto__ is shown renamed in both halves, never lost to a prototype', async () => {
    const result = await hostile.call({ summary: true, limit: 1 });
    const answer = expectOneAnswer(hostile.budget, result);
    expect(answer.summary!.matched).toBe(hostile.api.snapshots.length);
    const json = JSON.stringify(result.structuredContent);
    expect(json).not.toContain('"__proto__"');
    const protoTypes = hostile.api.snapshots.filter((snapshot) => snapshot.resource_type === '__proto__').length;
    expect(answer.summary!.by_resource_type['(__proto__)']!.count).toBe(protoTypes);
    // Parsed again by a client, the key is an own key with the count the API implies.
    expect(Object.hasOwn(JSON.parse(json).summary.by_resource_type, '(__proto__)')).toBe(true);
    expect(textOf(result)).toMatch(/By type: .*\(__proto__\) [\d,]+ \(/);
    expect(answer.warnings).toContainEqual(expect.stringMatching(/^A key the API named __proto__ is shown as \(__proto__\)/));
    expect(textOf(result)).not.toContain('[object Object]');
  });

  it('get_snapshot: the API values in JSON, sanitised in the text', async () => {
    const targets = hostile.api.snapshots.filter(
      (snapshot) => /^(\d{1,20}|[0-9a-f-]{36})$/.test(snapshot.id) && snapshot.name !== clean(snapshot.name),
    );
    expect(targets.length).toBeGreaterThan(5);
    for (const target of targets.slice(0, 8)) {
      const result = await hostile.call({ id: target.id }, 'get_snapshot');
      const answer = snapshotAnswer.parse(result.structuredContent);
      expect(answer.snapshot.name).toBe(cut(clean(target.name)));
      expect(hiddenInJson(result.structuredContent)).toEqual([]);
      expect(answer.warnings).toContainEqual(
        expect.stringMatching(/^Some values from the API held invisible or control characters .*: name ×1/),
      );
      const text = textOf(result);
      expect(forbiddenIn(text)).toEqual([]);
      expect(text.split('\n')).toEqual([
        expect.any(String),
        expect.any(String),
        expect.any(String),
        ...(answer.warnings ?? []).map((warning) => `Warning: ${clean(warning)}`),
      ]);
      expect(text).toContain(`"${cut(clean(target.name))}"`);
    }
  });
});
