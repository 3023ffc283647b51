import { z } from 'zod';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RESOURCE_TYPES } from '../digitalocean/schemas.js';
import { PRICE_PER_GB_MONTH_USD } from '../snapshots/pricing.js';

export const REVIEW_SNAPSHOT_COSTS = 'review_snapshot_costs';
const DEFAULT_DAYS = 90;

const completeType = (value: string | undefined) => RESOURCE_TYPES.filter((type) => type.startsWith(value ?? ''));

export function registerReviewSnapshotCosts(server: McpServer): void {
  server.registerPrompt(
    REVIEW_SNAPSHOT_COSTS,
    {
      title: 'Review snapshot costs',
      description: 'Find stale or costly snapshots and propose a cleanup plan with the monthly savings. Read-only: it recommends, it deletes nothing.',
      argsSchema: {
        // Prompt arguments are strings on the wire.
        older_than_days: z
          .string()
          .regex(/^\d{1,5}$/, 'a whole number of days')
          .optional()
          .describe(`Snapshots older than this many days count as stale (default ${DEFAULT_DAYS}).`),
        // SDK 1.32 looks for completable() inside optional() to enable completions, and on the
        // field itself to answer them: mark both.
        resource_type: completable(
          completable(z.enum(RESOURCE_TYPES), completeType).optional().describe('Only Droplet or only volume snapshots; omit for both.'),
          completeType,
        ),
      },
    },
    ({ older_than_days, resource_type }) => {
      const days = older_than_days === undefined ? DEFAULT_DAYS : Number(older_than_days);
      const type = resource_type ? `, resource_type="${resource_type}"` : '';
      const scope = resource_type ? `${resource_type} snapshots` : 'snapshots (Droplet and volume)';
      return {
        description: `Cleanup review of ${scope} older than ${days} days`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: [
                `Review the DigitalOcean ${scope} in this account for cost and propose a cleanup plan. Do not delete anything: these tools are read-only, and the plan is a recommendation for me to act on.`,
                '',
                'Steps:',
                `1. Call list_snapshots with summary=true${type} for the whole picture: count, GB and monthly cost, by type and region.`,
                `2. Call list_snapshots with older_than_days=${days}${type}, sort="size_desc" for the stale ones, largest first; follow next_cursor if it is set and the rest matters.`,
                `3. Call list_snapshots with min_size_gb=100${type}, sort="size_desc" for the costly ones, whatever their age.`,
                '4. Use get_snapshot for any snapshot whose details (source resource, tags) decide the recommendation.',
                '',
                'Then present:',
                `- A table of recommended deletions: id, name, type, size in GB, age in days, monthly cost (GB × $${PRICE_PER_GB_MONTH_USD}), and why.`,
                '- What to keep and why: tags such as "keep" or "prod", the only or newest snapshot of a resource, anything recent.',
                '- The monthly saving if the plan is followed, against the current monthly total from step 1, in dollars and percent.',
                '- Caveats: costs are estimates at the listed price; check that nothing depends on a snapshot before deleting it.',
              ].join('\n'),
            },
          },
        ],
      };
    },
  );
}
