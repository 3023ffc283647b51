import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { startFakeApi, type FakeApi, type FakeApiOptions } from '../../src/fake-api/server.js';
import { SERVER_ENTRY } from '../e2e/process.js';
import { canaryToken, capFor } from '../helpers.js';

/** The built server over stdio against its own fake API, with a look at its process from outside. */
export interface Served {
  api: FakeApi;
  client: Client;
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
  const rateLimit = options.rateLimit ?? { perHour: 1_000_000, perMinute: 1_000_000 };
  const api = await startFakeApi({ tokens: { [token]: ['snapshot:read', 'tag:read'] }, ...options, rateLimit });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SERVER_ENTRY],
    env: {
      PATH: process.env.PATH ?? '',
      DIGITALOCEAN_API_TOKEN: token,
      DIGITALOCEAN_API_URL: api.url,
      DIGITALOCEAN_REQUESTS_PER_MINUTE: capFor(rateLimit),
      LOG_LEVEL: 'error',
      ...env,
    },
  });
  const client = new Client({ name: 'slow', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid!;
  return {
    api,
    client,
    pid,
    call: async (args, timeoutMs = 60_000) =>
      (await client.callTool({ name: 'list_snapshots', arguments: args }, { timeout: timeoutMs })) as CallToolResult,
    openFiles: () => openFiles(pid),
    peakRssMb: () => peakRssMb(pid),
    async close() {
      await client.close();
      await api.close();
    },
  };
}

export const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const status = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** The process's peak resident memory (VmHWM), in MB. */
export const peakRssMb = (pid: number) => status(pid, 'VmHWM');
/** The process's resident memory now (VmRSS), in MB. */
export const rssMb = (pid: number) => status(pid, 'VmRSS');

/** The built server over Streamable HTTP on 127.0.0.1, each request bringing its own token. */
export interface ServedHttp {
  url: string;
  pid: number;
  stderr: () => string;
  close(): Promise<void>;
}

export async function serveHttp(env: Record<string, string>): Promise<ServedHttp> {
  const child = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--port', '0'], {
    // The fake APIs of these tests have no minute limit (an open one: no cap).
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', DIGITALOCEAN_REQUESTS_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', function ready(chunk: string) {
      stderr += chunk;
      const found = /"url":"(http:[^"]+)\/mcp"/.exec(stderr);
      if (!found) return;
      // One line a request from here on: kept only while short, for a failure's message.
      child.stderr.off('data', ready).on('data', (more: string) => {
        if (stderr.length < 100_000) stderr += more;
      });
      resolve(found[1]!);
    });
    child.once('exit', () => reject(new Error(`the server exited: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid!,
    stderr: () => stderr,
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
