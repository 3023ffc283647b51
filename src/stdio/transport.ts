import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { measuredJson } from '../tools/budget.js';

// A measured structuredContent is written as 0, then put in its place. Inside a JSON string every
// quote is escaped, so these characters can only be the key itself, not text an answer carries.
const PLACEHOLDER = '"structuredContent":0';

/**
 * The SDK's stdio transport, writing the same bytes, except that the structuredContent of a tool's
 * answer, already written as JSON when its size was measured (tools/budget.ts), is not written a
 * second time: it is the larger half of every answer (about 50 us of a 50-snapshot page's call).
 */
export class StdioTransport extends StdioServerTransport {
  constructor(
    stdin: Readable,
    private readonly stdout: Writable,
  ) {
    super(stdin, stdout);
  }

  override send(message: JSONRPCMessage): Promise<void> {
    const result = 'result' in message ? message.result : undefined;
    const structured = result?.structuredContent;
    const json = typeof structured === 'object' && structured !== null ? measuredJson(structured) : undefined;
    if (json === undefined) return super.send(message);
    const rest = JSON.stringify({ ...message, result: { ...result, structuredContent: 0 } });
    const at = rest.indexOf(PLACEHOLDER) + PLACEHOLDER.length - 1;
    const line = `${rest.slice(0, at)}${json}${rest.slice(at + 1)}\n`;
    return new Promise((resolve) => {
      if (this.stdout.write(line)) resolve();
      else this.stdout.once('drain', resolve);
    });
  }
}
