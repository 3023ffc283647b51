import type { McpServer } from '@modelcontextprotocol/server';
import { AGE_LABELS, REASON_LABELS } from '../format/labels.js';
import template from './cost-review.html';

/**
 * The snapshot cost review as an MCP App: one self-contained HTML file (no request of its own, no
 * external script, font or image) that hosts render inline from plan_snapshot_cleanup's result.
 * Hosts without MCP Apps never read it; the tool's answers are the same either way.
 */
export const COST_REVIEW_URI = 'ui://digitalocean-snapshots/cost-review.html';

/**
 * What the MCP Apps extension calls an app's HTML. Registered here with the SDK's own calls: the
 * extension's server helpers (@modelcontextprotocol/ext-apps/server) add nothing for a tool whose
 * _meta already carries both keys below, yet their module would bring the app-side protocol into
 * the bundle. A test holds these to the extension's values.
 */
export const MCP_APP_MIME_TYPE = 'text/html;profile=mcp-app';

/** The tool _meta that links a tool to the view (the current key, and the one older hosts read). */
export const COST_REVIEW_META = { ui: { resourceUri: COST_REVIEW_URI }, 'ui/resourceUri': COST_REVIEW_URI };

// The view labels the plan's keys with the text's own words (a JSON block, so no data is code).
const html = template.replace('__LABELS__', () => JSON.stringify({ age: AGE_LABELS, reason: REASON_LABELS }).replaceAll('<', '\\u003c'));

export function registerCostReview(server: McpServer): void {
  server.registerResource(
    'Snapshot cost review',
    COST_REVIEW_URI,
    {
      mimeType: MCP_APP_MIME_TYPE,
      description: "Where a DigitalOcean account's snapshot money goes, and what could go: the view of plan_snapshot_cleanup.",
    },
    async () => ({ contents: [{ uri: COST_REVIEW_URI, mimeType: MCP_APP_MIME_TYPE, text: html }] }),
  );
}
