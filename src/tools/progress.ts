import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/**
 * When the call carries a progressToken, a function that reports pages read of pages needed as
 * `notifications/progress`; otherwise undefined, and nothing is sent.
 */
export function progressReporter(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
): ((fetched: number, needed: number) => void) | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  return (fetched, needed) => {
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: fetched, total: needed, message: `Read ${fetched} of ${needed} pages` },
      })
      .catch(() => undefined);
  };
}
