import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startFakeApi, type FakeApi, type FakeApiOptions } from '../../src/fake-api/server.js';
import { SERVER_ENTRY } from '../e2e/process.js';
import { canaryToken } from '../helpers.js';

/** The built server over stdio against its own fake API, with a look at its process from outside. */
export interface Served {
  api: FakeApi;
  pid: number;
  call(args: Record<string, unknown>, timeoutMs?: number): Promise<CallToolResult>;
  /** Open file descriptors of the server process now. */
  openFiles(): number;
  /** The server process's peak resident memory (VmHWM), in MB. */
  peakRssMb(): number;
  close(): Promise<void>;
}

export async function serve(options: FakeApiOptions, env: Record<string, string> = {}): Promise<Served> {
  const token = canaryToken();
  const api = await startFakeApi({ tokens: { [token]: ['snapshot:read', 'tag:read'] }, rateLimit: { perHour: 1_000_000, perMinute: 1_000_000 }, ...options });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: { PATH: process.env.PATH ?? '', DIGITALOCEAN_API_TOKEN: token, DIGITALOCEAN_API_URL: api.url, LOG_LEVEL: 'error', ...env },
  });
  const client = new Client({ name: 'slow', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  return {
    api,
    pid,
    call: async (args, timeoutMs = 60_000) =>
      (await client.callTool({ name: 'list_snapshots', arguments: args }, undefined, { timeout: timeoutMs })) as CallToolResult,
    openFiles: () => readdirSync(`/proc/${pid}/fd`).length,
    peakRssMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
    async close() {
      await client.close();
      await api.close();
    },
  };
}
