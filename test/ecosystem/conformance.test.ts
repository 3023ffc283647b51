import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SERVER_ENTRY } from '../e2e/process.js';

// The official conformance suite needs Node 22: npx fetches both from the npm registry.
const CONFORMANCE = ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', '--', 'conformance', 'server'];

let server: ChildProcess;
let url: string;

beforeAll(async () => {
  server = spawn(process.execPath, [SERVER_ENTRY, '--transport', 'http', '--port', '0'], {
    // These scenarios call no tool; a token only lets requests past the 401 of a token-less server.
    env: {
      PATH: process.env.PATH,
      DIGITALOCEAN_API_TOKEN: 'conformance-placeholder',
      DIGITALOCEAN_API_URL: 'http://127.0.0.1:9',
      MCP_TRUST_LOOPBACK: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (chunk) => (stderr += chunk));
  await vi.waitFor(() => expect(stderr).toMatch(/"msg":"ready over HTTP"/), { timeout: 15_000 });
  // The suite's DNS-rebinding check wants the server reached as localhost.
  url = /"url":"([^"]+)"/.exec(stderr)![1]!.replace('127.0.0.1', 'localhost');
});

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('@modelcontextprotocol/conformance against --transport http', () => {
  it.each(['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'])(
    '%s passes',
    async (scenario) => {
      const { stdout } = await promisify(execFile)('npx', [...CONFORMANCE, '--url', url, '--scenario', scenario], {
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 240_000,
      });
      const result = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(stdout);
      expect(result, stdout).not.toBeNull();
      expect(result![3]).toBe('0');
      expect(result![1]).toBe(result![2]);
    },
    300_000,
  );
});
