import * as z from 'zod';
import { completable, type McpServer } from '@modelcontextprotocol/server';
import { RESOURCE_TYPES } from '../digitalocean/schemas.js';
import { ALL_ACCOUNTS } from '../snapshots/across.js';
import { accountArgument } from '../tools/accounts.js';

export const REVIEW_SNAPSHOT_COSTS = 'review_snapshot_costs';
const DEFAULT_DAYS = 90;

const completeType = (value: string | undefined) => RESOURCE_TYPES.filter((type) => type.startsWith(value ?? ''));

// Built once: over HTTP every request builds a server, and these schemas were a tenth of that.
const REVIEW_ARGUMENTS = z.object({
  // Prompt arguments are strings on the wire.
  older_than_days: z
    .string()
    .regex(/^\d{1,5}$/, 'a whole number of days')
    .optional()
    .describe(`Snapshots older than this many days count as stale (default ${DEFAULT_DAYS}).`),
  resource_type: completable(z.enum(RESOURCE_TYPES), completeType)
    .optional()
    .describe('Only Droplet or only volume snapshots; omit for both.'),
});

const withAccounts = new Map<string, z.ZodObject>();

/** With several accounts the prompt takes `account` too (a name, or all), completed from the names. */
function argumentsFor(names: string[]): z.ZodObject {
  if (names.length === 0) return REVIEW_ARGUMENTS;
  const key = names.join(',');
  let schema = withAccounts.get(key);
  if (!schema) {
    const choices = [...names, ALL_ACCOUNTS];
    const complete = (value: string | undefined) => choices.filter((choice) => choice.startsWith(value ?? ''));
    schema = REVIEW_ARGUMENTS.extend({ account: completable(accountArgument(names).unwrap(), complete).optional() });
    withAccounts.set(key, schema);
  }
  return schema;
}

export function registerReviewSnapshotCosts(server: McpServer, accountNames: string[] = []): void {
  server.registerPrompt(
    REVIEW_SNAPSHOT_COSTS,
    {
      title: 'Review snapshot costs',
      description:
        'Find snapshots that could go (old and not the newest of their source; orphans) and the monthly saving. Read-only: it recommends, it deletes nothing.',
      argsSchema: argumentsFor(accountNames),
    },
    (args: { older_than_days?: string | undefined; resource_type?: string | undefined; account?: string | undefined }) => {
      const { older_than_days, resource_type } = args;
      const several = accountNames.length > 0;
      const account = several ? (args.account ?? ALL_ACCOUNTS) : undefined;
      const days = older_than_days === undefined ? DEFAULT_DAYS : Number(older_than_days);
      const type = `${resource_type ? `, resource_type="${resource_type}"` : ''}${account ? `, account="${account}"` : ''}`;
      const kind = resource_type ? `${resource_type} snapshots` : 'snapshots (Droplet and volume)';
      const scope =
        account === ALL_ACCOUNTS
          ? `${kind} in every account (${accountNames.join(', ')})`
          : account
            ? `${kind} in account ${account}`
            : kind;
      return {
        description: `Cleanup review of ${scope} older than ${days} days`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text: [
                `Review the DigitalOcean ${scope}${several ? '' : ' in this account'} for cost and propose what could be deleted. Do not delete anything, and confirm nothing without me: these tools are read-only, and the plan is a recommendation for me to act on.`,
                '',
                'Steps:',
                `1. Call plan_snapshot_cleanup with older_than_days=${days}, keep_last=1${type}: every rule keeps more, so it proposes only snapshots that are older than ${days} days and not the newest of their Droplet or volume, marking those whose source is gone as orphaned, with the monthly saving and where the money goes. Add protect_tags if I keep some by tag (for example "keep"); follow next_cursor if it is set and the rest matters. For the orphans alone, whatever their age, call it again with orphans="only".`,
                `2. If the plan's warnings name a missing scope, say what that leaves unchecked.${account === ALL_ACCOUNTS ? ' If complete is false, name the accounts it could not read and why (accounts).' : ''}`,
                '3. Use list_snapshots (resource_id, name, tag) or get_snapshot where details decide a recommendation.',
                '',
                'Then present:',
                '- What could go: id, name, type, size in GB, age, monthly cost, and why (its reasons).',
                '- What stays and why: protected tags, the newest snapshot of each source, anything recent.',
                "- The monthly saving if the plan is followed, against the account's monthly total (the plan's breakdown by type), in dollars and percent.",
                ...(account === ALL_ACCOUNTS
                  ? ['- Per account (the breakdown by account): what each costs a month, and what of it could go and save.']
                  : []),
                '- Caveats: orphans may be deliberate archives, so ask me about each; costs are estimates at the listed price; check that nothing depends on a snapshot before deleting it.',
              ].join('\n'),
            },
          },
        ],
      };
    },
  );
}
