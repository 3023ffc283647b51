import { randomBytes } from 'node:crypto';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import { DEFAULT_REQUESTS_PER_MINUTE, loadConfig } from '../src/config.js';
import { ALL_SCOPES, startFakeApi, type FakeApi, type FakeApiOptions, type Scope } from '../src/fake-api/server.js';
import type { LogSink } from '../src/logger.js';
import { createServer, TOOLS } from '../src/server.js';
import { listAnswer, type ListAnswer } from '../src/snapshots/answers.js';

/** A token-shaped secret that must never appear in any output; checked on every call below. */
export function canaryToken(): string {
  return `dop_v1_CANARY${randomBytes(16).toString('hex')}`;
}

/** The production policy's shape, with millisecond backoffs so fault tests stay quick. */
export const FAST_RETRIES = { maxRetries: 4, baseDelayMs: 2, maxDelayMs: 20 };
/** Enough faults to outlast every retry. */
export const ALWAYS = { times: FAST_RETRIES.maxRetries + 1 };

export interface Harness {
  api: FakeApi;
  client: Client;
  token: string;
  logs: string[];
  call(args?: Record<string, unknown>, name?: string): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * The real server from createServer() and an SDK client over InMemoryTransport, talking HTTP to
 * the fake API on 127.0.0.1. `env` overrides what the server reads from its environment.
 */
export async function harness(
  options: FakeApiOptions & { scopes?: Scope[]; env?: Record<string, string | undefined>; share?: Harness } = {},
): Promise<Harness> {
  // `share`: a second server on another harness's fake API and token (closing it leaves the API up).
  const token = options.share?.token ?? canaryToken();
  const api = options.share?.api ?? (await startFakeApi({ tokens: { [token]: options.scopes ?? ALL_SCOPES }, ...options }));
  const config = loadConfig({
    DIGITALOCEAN_API_TOKEN: token,
    DIGITALOCEAN_API_URL: api.url,
    LOG_LEVEL: 'debug',
    // The server's cap is the API's limit, as at DigitalOcean (the fake's default is DigitalOcean's); none for an open one.
    DIGITALOCEAN_REQUESTS_PER_MINUTE: capFor(options.rateLimit),
    ...options.env,
  });
  const logs: string[] = [];
  const capture: LogSink = (level, message, fields) => logs.push(JSON.stringify({ level, message, ...fields }));
  const server = createServer({ config, logSinks: [capture], retry: FAST_RETRIES });
  const client = new Client({ name: 'test', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Besides the server's SDK (which checks every answer before it sends it), every answer is held
  // to its tool's output schema by the SDK client, against the JSON Schema tools/list published
  // (it checks once it has listed the tools), and by zod against the definition.
  await client.listTools();
  return {
    api,
    client,
    token,
    logs,
    async call(args = {}, name = 'list_snapshots') {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      expect(JSON.stringify(result)).not.toContain(token);
      if (!result.isError) TOOLS.find((tool) => tool.name === name)!.outputSchema.parse(result.structuredContent);
      return result;
    },
    async close() {
      expect(logs.join('\n')).not.toContain(token);
      await client.close();
      await server.close();
      if (!options.share) await api.close();
    },
  };
}

/** DIGITALOCEAN_REQUESTS_PER_MINUTE for a fake API with these limits: its own, or no cap for an open one. */
export function capFor(rateLimit: FakeApiOptions['rateLimit']): string {
  const perMinute = rateLimit?.perMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
  return perMinute >= 1_000_000 ? '0' : String(perMinute);
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** The structuredContent of a successful list_snapshots call, checked against the published shape. */
export function listed(result: CallToolResult): ListAnswer {
  expect(result.isError, textOf(result)).toBeFalsy();
  return listAnswer.parse(result.structuredContent);
}
