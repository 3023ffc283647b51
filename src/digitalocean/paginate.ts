import type { DigitalOceanClient, ResourceType } from './client.js';
import { DigitalOceanPaginationError, IncompleteListError } from './errors.js';
import type { Snapshot } from './schemas.js';

export interface CollectOptions {
  /** API page to start from (1-based). */
  page: number;
  perPage: number;
  resourceType?: ResourceType | undefined;
  /** The most snapshots to return. */
  limit: number;
  signal?: AbortSignal | undefined;
}

/** Where the next call starts to continue exactly after the last snapshot returned. */
export interface Continuation {
  page: number;
  /** Snapshots at the top of that page that this result already holds. */
  skip: number;
}

export interface CollectResult {
  snapshots: Snapshot[];
  /** `meta.total` of the first page fetched. */
  total: number;
  /** More snapshots exist after the last one returned. */
  truncated: boolean;
  pagesFetched: number;
  continuation: Continuation | undefined;
}

// With limit <= 1000 and per_page >= 1 a well-behaved API never needs more; a hostile one stops here.
const MAX_PAGES = 1000;

/**
 * Follows `links.pages.next` from the starting page until `limit` snapshots are in hand or the
 * pages run out. Links are checked before the token is sent along them; a failure after the first
 * page throws IncompleteListError rather than returning a shorter list.
 */
export async function collectSnapshots(client: DigitalOceanClient, options: CollectOptions): Promise<CollectResult> {
  const { limit, perPage, resourceType, signal } = options;
  const snapshots: Snapshot[] = [];
  const requested = new Set<string>();
  let url = client.listUrl({ page: options.page, perPage, resourceType });
  let pageNumber = options.page;
  let total: number | undefined;
  let pagesFetched = 0;

  try {
    for (;;) {
      requested.add(url.href);
      const page = await client.listSnapshots(url, signal);
      pagesFetched += 1;
      total ??= page.total;

      const room = limit - snapshots.length;
      if (page.snapshots.length > room) {
        snapshots.push(...page.snapshots.slice(0, room));
        return { snapshots, total, truncated: true, pagesFetched, continuation: { page: pageNumber, skip: room } };
      }
      snapshots.push(...page.snapshots);
      if (!page.next) return { snapshots, total, truncated: false, pagesFetched, continuation: undefined };

      const next = followable(client, page.next, { perPage, resourceType });
      const nextNumber = Number(next.searchParams.get('page') ?? pageNumber + 1);
      if (snapshots.length >= limit) {
        return { snapshots, total, truncated: true, pagesFetched, continuation: { page: nextNumber, skip: 0 } };
      }
      if (requested.has(next.href)) {
        throw new DigitalOceanPaginationError(
          `pagination stopped: the next-page link points back to a page already fetched (${next.pathname}${next.search})`,
        );
      }
      if (pagesFetched >= MAX_PAGES) throw new DigitalOceanPaginationError(`pagination stopped: more than ${MAX_PAGES} pages were needed`);
      url = next;
      pageNumber = nextNumber;
    }
  } catch (error) {
    if (pagesFetched === 0 || signal?.aborted) throw error;
    throw new IncompleteListError(error, pagesFetched, snapshots.length);
  }
}

/**
 * A `next` link is network data: follow it only on the list endpoint of the configured origin, and
 * keep the query we asked for where the link dropped it (a link without resource_type would mix
 * snapshot types).
 */
function followable(client: DigitalOceanClient, next: URL, query: { perPage: number; resourceType?: ResourceType | undefined }): URL {
  if (!client.isListUrl(next)) {
    throw new DigitalOceanPaginationError(
      `DigitalOcean's next-page link leads to ${next.origin}${next.pathname}, not to ${client.listEndpoint.href}; it was not followed and the token was not sent there`,
    );
  }
  const url = new URL(next);
  if (!url.searchParams.has('per_page')) url.searchParams.set('per_page', String(query.perPage));
  if (query.resourceType && !url.searchParams.has('resource_type')) url.searchParams.set('resource_type', query.resourceType);
  return url;
}
