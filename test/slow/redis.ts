import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../ports.js';

/** A real redis-server (Debian's package, as .ci/run installs it) on a loopback port, nothing kept on disk. */
export interface RedisServer {
  url: string;
  /** A client of the test's own, for dumping and spoiling what the replicas wrote. */
  client: Redis;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    // DEBUG SLEEP (from loopback only) makes it slow on purpose.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'];
    child = spawn('redis-server', args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      started.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', () => reject(new Error(`redis-server exited: ${out}`)));
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false });
  client.on('error', () => undefined);
  return {
    url,
    client,
    stop,
    start,
    async close() {
      client.disconnect();
      await stop();
    },
  };
}

/** Every key and value in the store, as text (strings as UTF-8 and as base64 of their bytes; sets and hashes whole). */
export async function dump(client: Redis): Promise<string> {
  const keys = await client.keys('*');
  const parts: string[] = [];
  for (const key of keys) {
    const type = await client.type(key);
    if (type === 'zset') parts.push(key, ...(await client.zrange(key, 0, -1, 'WITHSCORES')));
    if (type === 'hash') parts.push(key, ...Object.entries(await client.hgetall(key)).flat());
    if (type !== 'string') continue;
    const value = await client.getBuffer(key);
    parts.push(key, value?.toString('utf8') ?? '', value?.toString('base64') ?? '');
    // A view is compressed: what it holds is dumped too.
    if (value && value[0] === 0x1f && value[1] === 0x8b)
      parts.push(process.getBuiltinModule('node:zlib').gunzipSync(value).toString('utf8'));
  }
  return parts.join('\n');
}
