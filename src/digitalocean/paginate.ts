import type { DigitalOceanClient, RequestContext, ResourceType } from './client.js';
import { DigitalOceanPaginationError, IncompleteListError } from './errors.js';
import type { Snapshot } from './schemas.js';

export interface CollectOptions extends RequestContext {
  /** API page to start from (1-based). */
  page: number;
  /** Snapshots at the top of the first page to pass over (a continuation inside a page). */
  skip?: number;
  perPage: number;
  resourceType?: ResourceType | undefined;
  /** The most snapshots to return; Infinity reads every page. */
  limit: number;
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
  /** Set when the account changed while it was paged: the list may have shifted. */
  drift: ListDrift | undefined;
}

export interface ListDrift {
  /** `meta.total` on the first and on the last page read. */
  totalBefore: number;
  totalAfter: number;
  /** Snapshots seen twice (a shift pushed them onto the next page) and dropped. */
  duplicatesRemoved: number;
}

// 200,000 snapshots at per_page=200, or limit 1000 at per_page=1: past this the API is misbehaving.
export const MAX_PAGES = 1000;

/**
 * Follows `links.pages.next` from the starting page until `limit` snapshots are in hand or the
 * pages run out. Links are checked before the token is sent along them; a failure after the first
 * page throws IncompleteListError rather than returning a shorter list.
 */
export async function collectSnapshots(client: DigitalOceanClient, options: CollectOptions): Promise<CollectResult> {
  const { limit, perPage, resourceType, signal, deadline } = options;
  const snapshots: Snapshot[] = [];
  const ids = new Set<string>();
  const requested = new Set<string>();
  let url = client.listUrl({ page: options.page, perPage, resourceType });
  let pageNumber = options.page;
  let total: number | undefined;
  let lastTotal = 0;
  let duplicates = 0;
  let pagesFetched = 0;

  const result = (truncated: boolean, continuation: Continuation | undefined): CollectResult => {
    const changed = total !== undefined && (lastTotal !== total || duplicates > 0);
    return {
      snapshots,
      total: total ?? 0,
      truncated,
      pagesFetched,
      continuation,
      drift: changed ? { totalBefore: total!, totalAfter: lastTotal, duplicatesRemoved: duplicates } : undefined,
    };
  };

  try {
    for (;;) {
      requested.add(url.href);
      const page = await client.listSnapshots(url, { signal, deadline });
      pagesFetched += 1;
      total ??= page.total;
      lastTotal = page.total;

      let consumed = pagesFetched === 1 ? Math.min(options.skip ?? 0, page.snapshots.length) : 0;
      for (const snapshot of page.snapshots.slice(consumed)) {
        if (snapshots.length >= limit) break;
        consumed += 1;
        if (ids.has(snapshot.id)) {
          duplicates += 1;
          continue;
        }
        ids.add(snapshot.id);
        snapshots.push(snapshot);
      }
      if (consumed < page.snapshots.length) return result(true, { page: pageNumber, skip: consumed });
      if (!page.next) return result(false, undefined);

      const next = followable(client, page.next, { perPage, resourceType });
      const nextNumber = Number(next.searchParams.get('page') ?? pageNumber + 1);
      if (snapshots.length >= limit) return result(true, { page: nextNumber, skip: 0 });
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
    if (pagesFetched === 0) throw error;
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
