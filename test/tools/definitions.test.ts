import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readOnlyTool, registerTool } from '../../src/tools/definitions.js';

const probe = readOnlyTool({
  name: 'probe',
  title: 'Probe',
  description: 'Answers what it is told to.',
  inputSchema: z.strictObject({ answer: z.enum(['whole', 'missing', 'wrong']) }),
  outputSchema: z.object({ count: z.string(), state: z.enum(['ok', 'late']) }),
});

const ANSWERS = { whole: { count: '1', state: 'ok' }, missing: { state: 'ok' }, wrong: { count: '1', state: 'lost' } };

async function connected(): Promise<Client> {
  const server = new McpServer({ name: 'probe', version: '1.0.0' });
  registerTool(server, probe, async ({ answer }) => ({ content: [{ type: 'text', text: answer }], structuredContent: ANSWERS[answer] }));
  const client = new Client({ name: 'probe', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

describe('a tool registered from its definition', () => {
  it('is held by the SDK to its whole zod output schema, which tools/list publishes without required fields or listed values', async () => {
    const client = await connected();
    const [tool] = (await client.listTools()).tools;
    expect(tool!.outputSchema).toEqual({
      type: 'object',
      properties: { count: { type: 'string' }, state: { type: 'string' } },
    });
    // The published schema is looser than what is enforced, so the client has nothing more to check.
    const call = (answer: string) => client.request({ method: 'tools/call', params: { name: 'probe', arguments: { answer } } });
    expect(await call('whole')).toMatchObject({ structuredContent: { count: '1', state: 'ok' } });
    for (const answer of ['missing', 'wrong']) {
      const refused = await call(answer);
      expect(refused).toMatchObject({ isError: true });
      expect(JSON.stringify(refused)).toMatch(/Output validation error/);
    }
    expect(await call('other')).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/Input validation error/) }] });
    await client.close();
  });
});
