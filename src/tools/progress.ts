import type { ServerContext } from '@modelcontextprotocol/server';

/**
 * When the call carries a progressToken, a function that reports pages read of pages needed as
 * `notifications/progress`; otherwise undefined, and nothing is sent.
 */
export function progressReporter(ctx: ServerContext): ((fetched: number, needed: number) => void) | undefined {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (fetched, needed) => {
    ctx.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken, progress: fetched, total: needed, message: `Read ${fetched} of ${needed} pages` },
      })
      .catch(() => undefined);
  };
}
