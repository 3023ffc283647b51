import {
  DigitalOceanApiError,
  DigitalOceanNetworkError,
  DigitalOceanPaginationError,
  DigitalOceanResponseError,
  IncompleteListError,
  QuotaError,
} from '../digitalocean/errors.js';
import { megabytes, ServerBusyError } from '../digitalocean/memory.js';
import { SNAPSHOTS, TAGS_SCOPE } from '../digitalocean/schemas.js';
import { MAX_WAIT_SECONDS } from '../digitalocean/rate-limit.js';
import { ReadBudgetError } from '../digitalocean/read-budget.js';
import { MissingScopeError } from '../snapshots/listing.js';
import { apiText } from '../snapshots/clip.js';
import { formatNumber, plural } from './words.js';

export const TOKENS_PAGE = 'https://cloud.digitalocean.com/account/api/tokens';
const STATUS_PAGE = 'https://status.digitalocean.com';

export interface FailureContext {
  /** The configured API base URL, named in messages about reaching it. */
  apiUrl: URL;
  /** Where the token came from (a variable, or the Authorization header), so the agent can say what to fix. */
  tokenSource: string;
  deadlineSeconds: number;
  /** SERVER_MAX_MB in bytes, named when the server is busy. */
  serverMaxBytes?: number | undefined;
  now?: () => number;
}

/** What a failed call tells the agent: what happened, and what to do next. Never a stack trace. */
export function describeFailure(error: unknown, context: FailureContext): string {
  if (error instanceof IncompleteListError) {
    return (
      `${describeFailure(error.cause, context)}\n` +
      `The listing stopped after ${error.pagesFetched} page(s) (${error.snapshotsFetched} snapshots); ` +
      'nothing is returned, because a partial list could be mistaken for the whole account.'
    );
  }
  if (error instanceof DigitalOceanApiError) return describeApiError(error, context);
  if (error instanceof QuotaError) return describeQuota(error, context);
  if (error instanceof ReadBudgetError) {
    return (
      `The call stopped: it would read ${error.message}, past what one call may (SCAN_MAX_MB=${error.limits.maxBytes / 1024 / 1024}, ` +
      `SCAN_MAX_SNAPSHOTS=${error.limits.maxSnapshots}). Ask for one resource_type at a time, or raise those limits in this server's configuration.`
    );
  }
  if (error instanceof ServerBusyError) {
    const limit = `SERVER_MAX_MB=${megabytes(error.maxBytes)}`;
    if (error.never) {
      return (
        `The call stopped before reading on: it would hold about ${megabytes(error.neededBytes)} MB of the API's answers, more than this server may hold at all (${limit}). ` +
        'Ask for one resource_type at a time, or raise SERVER_MAX_MB in its configuration.'
      );
    }
    const now = (context.now ?? Date.now)();
    const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(((error.roomAt ?? now + 60_000) - now) / 1000)));
    return (
      `The server is busy: the memory it may use for the API's answers (${limit}) is held by other calls' scans and recent views, and none came free in time. ` +
      `Retry after ${plural(seconds, 'second')} (at ${utcTime(now + seconds * 1000)}), or ask for less (one resource_type).`
    );
  }
  if (error instanceof MissingScopeError) {
    return (
      `${error.message}: the token lacks the ${error.scope} scope. Add ${error.scope} to the token at ${TOKENS_PAGE} ` +
      `(or create a new read-only token with it), ${fixToken(context.tokenSource)}; or ask without that filter.`
    );
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return (
      `The call did not finish within its ${context.deadlineSeconds} s deadline: DigitalOcean is slow or not answering. ` +
      'Retry in a minute, or ask for less (a smaller limit, a resource_type); the deadline is set by CALL_DEADLINE_SECONDS.'
    );
  }
  if (error instanceof DigitalOceanNetworkError) {
    const code = error.code && !error.message.includes(error.code) ? ` [${error.code}]` : '';
    return (
      `Could not reach the DigitalOcean API at ${context.apiUrl.origin} (${apiText(error.message)}${apiText(code)}${tries(error.attempts)}). ` +
      'Check the network connection and DIGITALOCEAN_API_URL, then retry.'
    );
  }
  if (error instanceof DigitalOceanResponseError) {
    return (
      `${apiText(error.message)}. ` +
      'A proxy between here and DigitalOcean, or a change in the API, can cause this. Retry once; ' +
      'if it persists, report it with this message.'
    );
  }
  if (error instanceof DigitalOceanPaginationError) {
    return `${apiText(error.message)}. Retry with a larger per_page (fewer pages); if it persists, report it.`;
  }
  // An exception's own words say nothing an agent can act on (and may carry upstream text).
  return 'The server failed while answering (an internal error, logged on its side). Retry once; if it fails again, report it with the time of the call.';
}

function describeApiError(error: DigitalOceanApiError, context: FailureContext): string {
  const said = apiSaid(error);
  switch (error.kind) {
    case 'unauthorized':
      return (
        `DigitalOcean rejected the API token (${said}): it is wrong, expired or revoked. ` +
        `Create a read-only token with the ${SNAPSHOTS.scope} scope (and ${TAGS_SCOPE} to see tags) at ${TOKENS_PAGE}, ` +
        `${fixToken(context.tokenSource)}. Retrying will not help.`
      );
    case 'forbidden':
      return (
        `The API token is valid but not allowed to read snapshots (${said}). ` +
        `Give the token the ${SNAPSHOTS.scope} scope (and ${TAGS_SCOPE} for tags) at ${TOKENS_PAGE}, or create a new read-only token, ` +
        `${fixToken(context.tokenSource)}. Retrying will not help.`
      );
    case 'not_found':
      return (
        `DigitalOcean answered not found (${said}). ` +
        `Check that DIGITALOCEAN_API_URL (now ${context.apiUrl.href}) points at the DigitalOcean API.`
      );
    case 'rate_limited':
      return (
        `DigitalOcean is rate limiting this token (${said}; the limits are 250 requests a minute and 5,000 an hour per token). ` +
        `${retryWhen(error, context)} Use per_page=200 or a smaller limit to need fewer requests.`
      );
    case 'server_error':
      return `DigitalOcean's API failed on its side (${said}). Retry in a minute; if it persists, check ${STATUS_PAGE}.`;
    case 'bad_request':
      return `DigitalOcean refused the request (${said}). Check the arguments against the tool's input schema.`;
  }
}

/** The token's quota cannot take the call: the numbers, when to ask again, and how to need less. */
function describeQuota({ shortfall }: QuotaError, context: FailureContext): string {
  const { needed, total, allowed, perMinute, hourRemaining, retryAt } = shortfall;
  const limits = [
    ...(perMinute > 0 ? [`${formatNumber(perMinute)} a minute at most, DIGITALOCEAN_REQUESTS_PER_MINUTE`] : []),
    ...(hourRemaining !== undefined ? [`${formatNumber(hourRemaining)} left this hour`] : []),
  ];
  const quota = `the token's request quota allows ${formatNumber(allowed)} more before the call's ${context.deadlineSeconds} s deadline${
    limits.length > 0 ? ` (${limits.join('; ')})` : ''
  }`;
  const said =
    total > needed
      ? `This call needs ${formatNumber(total)} requests to DigitalOcean (${formatNumber(total - needed)} made, ${formatNumber(needed)} more); ${quota}. ` +
        'Nothing more was requested, and nothing is returned: part of a list could be taken for the whole.'
      : `This call needs ${plural(needed, 'request')} to DigitalOcean; ${quota}. Nothing was sent.`;
  const less = "ask for less: one resource_type ('droplet' or 'volume') needs fewer pages, and a smaller limit fewer still";
  if (retryAt === undefined) {
    return (
      `${said} No one call can make that many within its deadline at this quota: ${less}. ` +
      "If DigitalOcean raised this token's limit, raise DIGITALOCEAN_REQUESTS_PER_MINUTE (or CALL_DEADLINE_SECONDS) in this server's configuration."
    );
  }
  const now = (context.now ?? Date.now)();
  const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((retryAt - now) / 1000)));
  return `${said} Ask again after ${plural(seconds, 'second')} (at ${utcTime(now + seconds * 1000)}), when the quota can take it, or ${less}.`;
}

function apiSaid(error: DigitalOceanApiError): string {
  let text = `HTTP ${error.status}`;
  if (error.body.id) text += ` ${apiText(error.body.id)}`;
  if (error.body.message) text += `: "${apiText(error.body.message)}"`;
  if (error.body.request_id) text += `; request_id ${apiText(error.body.request_id)}`;
  return text + tries(error.attempts);
}

function retryWhen(error: DigitalOceanApiError, context: FailureContext): string {
  const seconds = error.retryAfterSeconds;
  if (seconds === undefined) return 'Wait a minute before retrying.';
  return `Retry after ${plural(seconds, 'second')} (at ${utcTime((context.now ?? Date.now)() + seconds * 1000)}).`;
}

/** "2026-12-06 18:04:05 UTC": a time that exists (the waits it is given are at most a day). */
function utcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function tries(attempts: number): string {
  return attempts > 1 ? `; after ${attempts} attempts` : '';
}

function fixToken(source: string): string {
  return source === 'Authorization header'
    ? 'send it with each request as "Authorization: Bearer <token>"'
    : `set it in ${source} in this MCP server's configuration, and restart the server`;
}
