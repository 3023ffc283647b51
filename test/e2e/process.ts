import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SERVER_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/** The built server as a child process, with every byte of stdout and stderr kept for inspection. */
export class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
  private waiters = new Map<number, (message: any) => void>();
  private buffered = '';

  constructor(env: Record<string, string | undefined>, entry = SERVER_ENTRY, args: string[] = []) {
    this.child = spawn(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.buffered += chunk;
      for (let newline = this.buffered.indexOf('\n'); newline >= 0; newline = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        try {
          const message = JSON.parse(line);
          if (message.id !== undefined) this.waiters.get(message.id)?.(message);
        } catch {
          // Left in stdout for the test to flag.
        }
      }
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  send(message: unknown): void {
    this.child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  }

  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
  request(id: number, method: string, params: unknown = {}): Promise<any> {
    const answered = new Promise((resolve) => this.waiters.set(id, resolve));
    this.send({ jsonrpc: '2.0', id, method, params });
    return answered;
  }

  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire; each test checks the shape it reads
  async initialize(): Promise<any> {
    const result = await this.request(0, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'e2e', version: '1.0.0' },
    });
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return result;
  }

  /** Every stdout line must be a JSON-RPC 2.0 message; returns the offending lines. */
  nonProtocolLines(): string[] {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .filter((line) => {
        try {
          return JSON.parse(line).jsonrpc !== '2.0';
        } catch {
          return true;
        }
      });
  }
}
