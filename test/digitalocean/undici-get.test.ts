import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { get } from '../../src/digitalocean/undici.js';

// A server whose /hang never answers, and whose other paths answer with a body in three writes.
let server: Server;
let seen: string[];
let agent: Agent;
async function start(): Promise<URL> {
  seen = [];
  server = createServer((request, response) => {
    seen.push(request.url!);
    if (request.url === '/hang') return;
    response.writeHead(201, { 'content-type': 'application/json', 'x-thing': 'yes' });
    response.write('{"a":');
    setTimeout(() => response.end('"é"}'), 5);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}
afterEach(async () => {
  await agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('get', () => {
  it('answers with the status, the headers and the whole body as UTF-8', async () => {
    const origin = await start();
    agent = new Agent();
    const answer = await get(agent, new URL('/page?x=1', origin), { headers: { accept: 'application/json' } });
    expect(answer).toMatchObject({ statusCode: 201, text: '{"a":"é"}', headers: { 'x-thing': 'yes' } });
    expect(seen).toEqual(['/page?x=1']);
  });

  it('rejects at once with the reason when aborted while queued, and the request is never sent', async () => {
    const origin = await start();
    agent = new Agent({ connections: 1, pipelining: 1 });
    const hanging = new AbortController();
    const first = get(agent, new URL('/hang', origin), { headers: {}, signal: hanging.signal });
    const queued = new AbortController();
    const second = get(agent, new URL('/queued', origin), { headers: {}, signal: queued.signal });
    await expect.poll(() => seen).toEqual(['/hang']);
    queued.abort(new Error('stop the queued one'));
    await expect(second).rejects.toThrow('stop the queued one');
    hanging.abort(new Error('stop the hanging one'));
    await expect(first).rejects.toThrow('stop the hanging one');
    // One connection, requests in order: a later request answered means the queued one was never sent.
    await get(agent, new URL('/after', origin), { headers: {} });
    expect(seen).toEqual(['/hang', '/after']);
  });

  it('sends nothing for a signal aborted before the call', async () => {
    const origin = await start();
    agent = new Agent({ connections: 1, pipelining: 1 });
    await expect(get(agent, new URL('/page', origin), { headers: {}, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow(
      'already',
    );
    await get(agent, new URL('/after', origin), { headers: {} });
    expect(seen).toEqual(['/after']);
  });
});
