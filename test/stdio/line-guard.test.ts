import { describe, expect, it } from 'vitest';
import { LineGuard, type JsonRpcErrorReply } from '../../src/stdio/line-guard.js';

async function run(chunks: (string | Buffer)[], maxLineBytes?: number) {
  const replies: JsonRpcErrorReply[] = [];
  const guard = new LineGuard({ reply: (message) => replies.push(message), maxLineBytes });
  const passed: string[] = [];
  guard.on('data', (chunk: Buffer) => passed.push(chunk.toString()));
  const ended = new Promise((resolve) => guard.on('end', resolve));
  for (const chunk of chunks) guard.write(chunk);
  guard.end();
  await ended;
  return { passed: passed.join(''), replies };
}

const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });

describe('LineGuard', () => {
  it('passes well-formed lines through whole, however they are chunked', async () => {
    const text = `${ping(1)}\n${ping(2)}\r\n${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`;
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    const { passed, replies } = await run(chunks);
    expect(passed).toBe(text);
    expect(replies).toEqual([]);
  });

  it.each([
    ['not json', null, -32700],
    ['[1,2]', null, -32600],
    ['42', null, -32600],
    ['{"jsonrpc":"1.0","id":3,"method":"ping"}', 3, -32600],
    ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', null, -32600],
    ['{"jsonrpc":"2.0","id":"x","method":7}', 'x', -32600],
    ['{"jsonrpc":"2.0","id":4}', 4, -32600],
    ['{"jsonrpc":"2.0","id":5,"method":"tools/call","params":"all"}', 5, -32600],
  ])('answers %s with an error for id %j', async (line, id, code) => {
    const { passed, replies } = await run([`${line}\n${ping(9)}\n`]);
    expect(replies).toEqual([{ jsonrpc: '2.0', id, error: { code, message: expect.any(String) } }]);
    expect(passed).toBe(`${ping(9)}\n`);
  });

  it('answers an oversized line by the id at either end, without holding it', async () => {
    const big = 'x'.repeat(5000);
    const first = `{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"arguments":{"name":"${big}"}}}`;
    const last = `{"method":"tools/call","params":{"arguments":{"name":"${big}"}},"jsonrpc":"2.0","id":"req-12"}`;
    const { passed, replies } = await run([`${first}\n`, last.slice(0, 3000), `${last.slice(3000)}\n`, `${ping(13)}\n`], 1000);
    expect(replies.map((reply) => reply.id)).toEqual([11, 'req-12']);
    expect(replies[0]!.error.message).toMatch(/over the 1000-byte limit/);
    expect(passed).toBe(`${ping(13)}\n`);
  });

  it('handles a final line without a newline', async () => {
    expect((await run([ping(1)])).passed).toBe(`${ping(1)}\n`);
  });
});
