import * as z from 'zod';
import { RESOURCE_TYPES } from '../digitalocean/schemas.js';

/**
 * list_snapshots' arguments: the one definition, checked at the tool boundary and read by the
 * listing as `ListArguments`, so a new field is either used or a compile error there.
 */

export const MAX_LIMIT = 1000;
export const SORT_ORDERS = ['created_desc', 'created_asc', 'size_desc', 'name_asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];
/** Fits the default answer's JSON in about 12,000 characters, well under Claude Code's 10k-token warning. */
export const DEFAULT_LIMIT = 50;
/** The API's largest page: every scan uses it, whatever per_page says. */
export const SCAN_PAGE_SIZE = 200;

// Checked here, not published as a pattern: a long regex would sit in every agent's context.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
const isoInstant = (what: string) =>
  z
    .string()
    .refine((value) => ISO_DATE.test(value), 'expected an ISO 8601 date (2024-01-31) or date-time with offset (2024-01-31T12:00:00Z)')
    .refine((value) => !Number.isNaN(Date.parse(value)), 'not a real date')
    .describe(`${what} (ISO 8601 date or date-time).`);

export const listSnapshotsInput = z.strictObject({
  // Self-explanatory fields carry no description: tools/list sits in every agent's context.
  resource_type: z.enum(RESOURCE_TYPES).optional(),
  name: z.string().min(1).max(255).optional().describe('Name contains this, ignoring case; with * or ? a whole-name glob ("web-*").'),
  region: z
    .string()
    .regex(/^[a-zA-Z0-9-]{2,20}$/, 'expected a region slug such as fra1')
    .optional()
    .describe('Region slug, e.g. "fra1".'),
  tag: z.string().min(1).max(255).optional().describe('Has this tag, ignoring case (needs tag:read).'),
  resource_id: z.string().min(1).max(64).optional().describe('Taken from this Droplet or volume (its id).'),
  created_after: isoInstant('Created at or after').optional(),
  created_before: isoInstant('Created before').optional(),
  older_than_days: z.int().min(0).max(36_500).optional().describe('Created more than this many days ago.'),
  min_size_gb: z.number().min(0).max(1_000_000).optional(),
  max_size_gb: z.number().min(0).max(1_000_000).optional(),
  sort: z.enum(SORT_ORDERS).optional(),
  summary: z.boolean().default(false).describe('Summarise all matches (implied by a filter or sort).'),
  limit: z.int().min(0).max(MAX_LIMIT).default(DEFAULT_LIMIT).describe('Most rows (0: totals only); fewer if the size budget runs out.'),
  cursor: z.string().min(1).max(4096).optional().describe('next_cursor from the last answer; keep the other arguments.'),
  response_format: z
    .enum(['concise', 'detailed'])
    .default('concise')
    .describe('detailed adds min disk, timestamps and source ids to text rows.'),
  per_page: z.int().min(1).max(200).default(200).describe('API page size for plain paging (scans use 200).'),
  page: z.int().min(1).max(1_000_000).optional().describe('API page to start plain paging at.'),
  fresh: z.boolean().default(false).describe("Rescan instead of reusing the last minute's scan."),
});

/** With two or more accounts, the tools take `account` too (a name, or ALL_ACCOUNTS): see tools/accounts.ts. */
export type ListArguments = z.output<typeof listSnapshotsInput> & { account?: string | undefined };
export type ResponseFormat = ListArguments['response_format'];

/**
 * What each argument does to a listing. Every argument must be placed here (a new one does not
 * compile until it is), and every `filter` needs its predicate in query.ts (likewise checked).
 * `filter` and `query` arguments define the list a cursor continues; the others only shape one
 * answer of it.
 */
const ARGUMENT_ROLES = {
  account: 'query',
  resource_type: 'query',
  name: 'filter',
  region: 'filter',
  tag: 'filter',
  resource_id: 'filter',
  created_after: 'filter',
  created_before: 'filter',
  older_than_days: 'filter',
  min_size_gb: 'filter',
  max_size_gb: 'filter',
  sort: 'query',
  summary: 'answer',
  limit: 'answer',
  cursor: 'answer',
  response_format: 'answer',
  per_page: 'answer',
  page: 'answer',
  fresh: 'answer',
} as const satisfies Record<keyof ListArguments, 'filter' | 'query' | 'answer'>;

type Role = (typeof ARGUMENT_ROLES)[keyof typeof ARGUMENT_ROLES];
type KeysOf<R extends Role> = {
  [K in keyof typeof ARGUMENT_ROLES]: (typeof ARGUMENT_ROLES)[K] extends R ? K : never;
}[keyof typeof ARGUMENT_ROLES];
export type FilterKey = KeysOf<'filter'>;
export type FilterArguments = Pick<ListArguments, FilterKey>;

const keysOf = <R extends Role>(role: R) =>
  Object.keys(ARGUMENT_ROLES).filter((key) => ARGUMENT_ROLES[key as keyof typeof ARGUMENT_ROLES] === role) as KeysOf<R>[];
export const FILTER_KEYS = keysOf('filter');
/** The arguments that define the list besides its filters. */
export const QUERY_KEYS = keysOf('query');
