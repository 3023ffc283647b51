import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../../src/fake-api/server.js';
import { SERVER_ENTRY } from '../e2e/process.js';
import { canaryToken } from '../helpers.js';

/**
 * The built server inside a real agent framework, installed from the npm registry at a fixed
 * version: OpenAI Agents turns MCP tools into strict function tools (the most demanding reading of
 * our input schemas) and passes the model the text half by default, or the JSON half with
 * useStructuredContent. It speaks to the server through the MCP client SDK v2.
 */

const AGENTS_CORE = '@openai/agents-core@0.20.0';
const run = promisify(execFile);

const SCRIPT = `
import { MCPServerStdio, getAllMcpTools, RunContext } from '@openai/agents-core';
const [entry, url, token] = process.argv.slice(2);
const answers = {};
for (const useStructuredContent of [false, true]) {
  const server = new MCPServerStdio({ command: process.execPath, args: [entry], env: { PATH: process.env.PATH, DIGITALOCEAN_API_URL: url, DIGITALOCEAN_API_TOKEN: token, LOG_LEVEL: 'error' }, useStructuredContent });
  await server.connect();
  try {
    const tools = await getAllMcpTools({ mcpServers: [server], convertSchemasToStrict: true });
    answers.strict = Object.fromEntries(tools.map((tool) => [tool.name, tool.strict]));
    const list = tools.find((tool) => tool.name === 'list_snapshots');
    answers[useStructuredContent ? 'json' : 'text'] = await list.invoke(new RunContext({}), JSON.stringify({ summary: true, limit: 4 }));
  } finally {
    await server.close();
  }
}
process.stdout.write(JSON.stringify(answers));
`;

let dir: string;
let api: FakeApi;
let token: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frameworks-'));
  await run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', AGENTS_CORE], {
    timeout: 120_000,
  });
  await writeFile(join(dir, 'run.mjs'), SCRIPT);
  token = canaryToken();
  api = await startFakeApi({ count: 300, tokens: { [token]: ['snapshot:read', 'tag:read'] } });
}, 150_000);
afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`OpenAI Agents (${AGENTS_CORE})`, () => {
  it('takes every tool as a strict function tool, and its model reads one answer in either half', async () => {
    const { stdout } = await run(process.execPath, [join(dir, 'run.mjs'), SERVER_ENTRY, api.url, token], { timeout: 60_000 });
    expect(stdout).not.toContain(token);
    const answers = JSON.parse(stdout) as { strict: Record<string, boolean>; text: { type: string; text: string }; json: string };
    expect(answers.strict).toEqual({ list_snapshots: true, get_snapshot: true, plan_snapshot_cleanup: true });
    const json = JSON.parse(answers.json) as { count: number; next_cursor: string; summary: { matched: number } };
    expect(json).toMatchObject({ count: 4, summary: { matched: 300 } });
    expect(answers.text.type).toBe('text');
    expect(answers.text.text).toMatch(/^4 of 300 matching snapshots/);
    // Two server processes answered: the cursors name different account views, so compare their shape.
    expect(answers.text.text).toMatch(/More exist: call again with the same arguments and cursor="[\w-]+"/);
    expect(json.next_cursor).toMatch(/^[\w-]+$/);
  });
});
