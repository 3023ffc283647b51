import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import html from './cost-review.html';

/**
 * The snapshot cost review as an MCP App: one self-contained HTML file (no request of its own, no
 * external script, font or image) that hosts render inline from plan_snapshot_cleanup's result.
 * Hosts without MCP Apps never read it; the tool's answers are the same either way.
 */
export const COST_REVIEW_URI = 'ui://digitalocean-snapshots/cost-review.html';

/** The tool _meta that links a tool to the view (the current key, and the one older hosts read). */
export const COST_REVIEW_META = { ui: { resourceUri: COST_REVIEW_URI }, 'ui/resourceUri': COST_REVIEW_URI };

export function registerCostReview(server: McpServer): void {
  registerAppResource(
    server,
    'Snapshot cost review',
    COST_REVIEW_URI,
    { description: "Where a DigitalOcean account's snapshot money goes, and what could go: the view of plan_snapshot_cleanup." },
    async () => ({ contents: [{ uri: COST_REVIEW_URI, mimeType: RESOURCE_MIME_TYPE, text: html }] }),
  );
}
