import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../config.js';
import type { DigitalOceanClient, RequestContext } from '../digitalocean/client.js';
import { describeFailure, TOKENS_PAGE } from '../format/failure.js';
import type { LogFields, Logger } from '../logger.js';
import { redact } from '../redact.js';
import { ArgumentError } from '../snapshots/listing.js';

export interface ToolOutcome {
  content: CallToolResult['content'];
  structuredContent: Record<string, unknown>;
  /** A few figures for the log line of this call. */
  summary: LogFields;
}

/** What every tool shares: the client (when a token is set), failure messages, and a log line per call. */
export interface ToolContext {
  /**
   * Runs one call: `work` gets the client and a request context that ends at the client's
   * cancellation or at the call's deadline, whichever comes first.
   */
  run(
    tool: string,
    signal: AbortSignal,
    work: (client: DigitalOceanClient, request: RequestContext) => Promise<ToolOutcome>,
    /** A tool's own words for failures it knows better (e.g. a 404 for one id); undefined for the usual ones. */
    explain?: (error: unknown) => string | undefined,
  ): Promise<CallToolResult>;
}

/** `client` is undefined without a token; otherwise it loads the HTTP stack on first use. */
export function createToolContext(config: Config, client: (() => Promise<DigitalOceanClient>) | undefined, logger: Logger): ToolContext {
  const failureContext = {
    apiUrl: config.apiUrl,
    tokenVariable: config.tokenVariable ?? 'DIGITALOCEAN_API_TOKEN',
    deadlineSeconds: config.deadlineSeconds,
  };
  return {
    async run(tool, signal, work, explain) {
      if (!client) {
        logger.warn('tool called without a token', { tool });
        return errorResult(
          'No DigitalOcean API token is configured. Set DIGITALOCEAN_API_TOKEN in the env of this MCP server ' +
            "(the server's entry in the client's MCP configuration) to a read-only token with the snapshot:read scope " +
            `(and tag:read to see tags), created at ${TOKENS_PAGE}, then restart the server.`,
        );
      }
      const started = performance.now();
      const deadlineMs = config.deadlineSeconds * 1000;
      const request = { signal: AbortSignal.any([signal, AbortSignal.timeout(deadlineMs)]), deadline: Date.now() + deadlineMs };
      try {
        const { summary, ...result } = await work(await client(), request);
        logger.info(`${tool} answered`, { tool, ms: Math.round(performance.now() - started), ...summary });
        return result;
      } catch (error) {
        const message = signal.aborted
          ? 'The call was cancelled by the client.'
          : error instanceof ArgumentError
            ? `Invalid arguments for tool ${tool}: ${error.message}`
            : redact(explain?.(error) ?? describeFailure(error, failureContext), config.token);
        logger.warn(`${tool} failed`, {
          tool,
          ms: Math.round(performance.now() - started),
          cancelled: signal.aborted || undefined,
          error: message,
        });
        return errorResult(message);
      }
    },
  };
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
