import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { StdioTransport } from '../../src/stdio/transport.js';
import { fits } from '../../src/tools/budget.js';

/** What the transport writes for each message, as the lines it wrote. */
async function written(messages: JSONRPCMessage[]): Promise<string[]> {
  const stdout = new PassThrough();
  const transport = new StdioTransport(new PassThrough(), stdout);
  let out = '';
  stdout.on('data', (chunk) => (out += chunk));
  for (const message of messages) await transport.send(message);
  return out.split(/(?<=\n)/);
}

describe('StdioTransport', () => {
  it('writes what JSON.stringify writes, for measured answers too, whatever their text holds', async () => {
    const hostile = '"structuredContent":0 \\"structuredContent\\":0 \n\t\u2028 "}';
    const answer = {
      text: `rows ${hostile}`,
      structuredContent: { snapshots: [{ id: '1', name: hostile, tags: null }], count: 1, warnings: [hostile], structuredContent: 0 },
    };
    expect(fits(answer)).toBe(true);
    const messages: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structuredContent, _meta: { structuredContent: 0 } } },
      { jsonrpc: '2.0', id: 'x', result: { content: [{ type: 'text', text: 'not measured' }], structuredContent: { count: 0 } } },
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: hostile } },
    ];
    expect(await written(messages)).toEqual(messages.map((message) => `${JSON.stringify(message)}\n`));
  });

  it('writes a copy of a measured answer as the copy is, whether its values are the same or not', async () => {
    const structuredContent = { snapshots: [{ id: '1' }], count: 1 };
    expect(fits({ text: 'one', structuredContent })).toBe(true);
    // The SDK validates a result and passes on a copy of its top level.
    const same = { ...structuredContent };
    const changed = { ...structuredContent, count: 2 };
    const extra = { ...structuredContent, warnings: ['w'] };
    const messages: JSONRPCMessage[] = [same, changed, extra].map((copy, id) => ({ jsonrpc: '2.0', id, result: { content: [], structuredContent: copy } }));
    expect(await written(messages)).toEqual(messages.map((message) => `${JSON.stringify(message)}\n`));
  });
});
