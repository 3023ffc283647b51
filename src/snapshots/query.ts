import type { Snapshot } from '../digitalocean/schemas.js';
import { FILTER_KEYS, type FilterArguments, type FilterKey, type SortOrder } from './list-input.js';
import { eachPaced, sortPaced } from './pace.js';

/**
 * Filters and order applied across every page (the API itself filters only by resource_type).
 * Pure functions over snapshots: no I/O, no MCP.
 */

type Predicate = (snapshot: Snapshot) => boolean;
/** A day in milliseconds: ages and older_than_days. */
export const DAY_MS = 86_400_000;

/** One predicate per filter argument, built once per call; `now` anchors older_than_days. */
const PREDICATES: { [K in FilterKey]-?: (value: NonNullable<FilterArguments[K]>, now: number) => Predicate } = {
  name: (pattern) => {
    const matches = nameMatcher(pattern);
    return (snapshot) => matches(snapshot.name);
  },
  region: (slug) => {
    const wanted = slug.toLowerCase();
    return (snapshot) => snapshot.regions.some((region) => region.toLowerCase() === wanted);
  },
  tag: (tag) => {
    const wanted = tag.toLowerCase();
    return (snapshot) => (snapshot.tags ?? []).some((value) => value.toLowerCase() === wanted);
  },
  resource_id: (id) => (snapshot) => snapshot.resource_id === id,
  created_after: (moment) => createdAtOrAfter(Date.parse(moment)),
  created_before: (moment) => createdBefore(Date.parse(moment)),
  older_than_days: (days, now) => createdBefore(now - days * DAY_MS),
  min_size_gb: (gb) => (snapshot) => snapshot.size_gigabytes >= gb,
  max_size_gb: (gb) => (snapshot) => snapshot.size_gigabytes <= gb,
};

function createdAtOrAfter(at: number): Predicate {
  return (snapshot) => Date.parse(snapshot.created_at) >= at;
}

function createdBefore(at: number): Predicate {
  return (snapshot) => Date.parse(snapshot.created_at) < at;
}

export function hasFilters(args: FilterArguments): boolean {
  return FILTER_KEYS.some((key) => args[key] !== undefined);
}

/** Problems an agent must fix before a scan makes sense; empty when the filters are coherent. */
export function filterProblems(args: FilterArguments): string[] {
  const problems: string[] = [];
  if (args.older_than_days !== undefined && args.created_before !== undefined) {
    problems.push('use either older_than_days or created_before, not both');
  }
  if (
    args.created_after !== undefined &&
    args.created_before !== undefined &&
    Date.parse(args.created_after) >= Date.parse(args.created_before)
  ) {
    problems.push('created_after must be earlier than created_before (after is inclusive, before is exclusive)');
  }
  if (args.min_size_gb !== undefined && args.max_size_gb !== undefined && args.min_size_gb > args.max_size_gb) {
    problems.push('min_size_gb must not be larger than max_size_gb');
  }
  return problems;
}

/** All the given filters at once: a snapshot matches when every one of them holds. */
export function compileFilter(args: FilterArguments, now: number): Predicate {
  const predicates = FILTER_KEYS.flatMap((key) => {
    const value = args[key];
    return value === undefined ? [] : [(PREDICATES[key] as (value: unknown, now: number) => Predicate)(value, now)];
  });
  return (snapshot) => predicates.every((predicate) => predicate(snapshot));
}

/**
 * `*` any run of characters, `?` one character (UTF-16 code unit), whole name; otherwise a
 * substring. Both ignore case. The glob is an automaton run over the name once, all its states
 * at a time (bit-parallel, 32 to a word): linear in the name for any pattern, where a regular
 * expression backtracks exponentially on patterns such as "**?**?**?!".
 */
export function nameMatcher(pattern: string): (name: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(lower)) return (name) => name.toLowerCase().includes(lower);
  if (/^\*+$/.test(lower)) return () => true;
  return globMatcher(lower);
}

function globMatcher(pattern: string): (name: string) => boolean {
  // State i: the first i characters of the pattern that are not `*` have matched. A `*` before
  // the i-th such character lets state i stay on any character.
  const steps: (number | undefined)[] = []; // the code unit to match, or undefined for `?`
  const loops: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code !== 42) steps.push(code === 63 ? undefined : code);
    else if (loops.at(-1) !== steps.length) loops.push(steps.length);
  }
  const states = steps.length + 1;
  const words = Math.ceil(states / 32);
  const bit = (state: number, mask: Uint32Array) => {
    mask[state >>> 5]! |= 1 << (state & 31);
  };
  const stay = new Uint32Array(words);
  for (const state of loops) bit(state, stay);
  const anyChar = new Uint32Array(words);
  steps.forEach((code, i) => {
    if (code === undefined) bit(i + 1, anyChar);
  });
  const byChar = new Map<number, Uint32Array>();
  steps.forEach((code, i) => {
    if (code === undefined) return;
    const mask = byChar.get(code) ?? Uint32Array.from(anyChar);
    bit(i + 1, mask);
    byChar.set(code, mask);
  });
  const accept = steps.length;
  const minLength = steps.length;
  const exactLength = loops.length === 0;
  const active = new Uint32Array(words);

  return (name) => {
    const text = name.toLowerCase();
    if (text.length < minLength || (exactLength && text.length !== minLength)) return false;
    active.fill(0);
    active[0] = 1;
    for (let at = 0; at < text.length; at++) {
      const next = byChar.get(text.charCodeAt(at)) ?? anyChar;
      let carry = 0;
      let alive = 0;
      for (let w = 0; w < words; w++) {
        const current = active[w]!;
        const moved = ((current << 1) | carry) & next[w]!;
        carry = current >>> 31;
        active[w] = moved | (current & stay[w]!);
        alive |= active[w]!;
      }
      if (alive === 0) return false;
    }
    return (active[accept >>> 5]! & (1 << (accept & 31))) !== 0;
  };
}

/**
 * A stable order: ties keep the API's order, so every page of a sorted scan agrees. Each key is
 * computed once per snapshot, then the positions are sorted by their keys; both in slices (pace.ts).
 */
export async function sortSnapshots(snapshots: Snapshot[], order: SortOrder, signal?: AbortSignal): Promise<Snapshot[]> {
  // Positions and keys in one paced pass (filled by push: arrays with holes sort on slow paths).
  const positions: number[] = [];
  let sorted: number[];
  if (order === 'name_asc') {
    // Case-insensitive, then exact, by code unit: the same on every machine, whatever its locale.
    const names: string[] = [];
    const lower: string[] = [];
    await eachPaced(
      snapshots,
      ({ name }, i) => {
        positions.push(i);
        names.push(name);
        lower.push(name.toLowerCase());
      },
      signal,
    );
    sorted = await sortPaced(positions, (a, b) => byCodeUnit(lower[a]!, lower[b]!) || byCodeUnit(names[a]!, names[b]!), signal);
  } else {
    const key = NUMERIC_KEYS[order];
    const keys = new Float64Array(snapshots.length);
    await eachPaced(
      snapshots,
      (snapshot, i) => {
        positions.push(i);
        keys[i] = key(snapshot);
      },
      signal,
    );
    sorted = await sortPaced(positions, (a, b) => keys[a]! - keys[b]!, signal);
  }
  return sorted.map((position) => snapshots[position]!);
}

/** Ascending keys: a descending order negates its key. */
const NUMERIC_KEYS: Record<Exclude<SortOrder, 'name_asc'>, (snapshot: Snapshot) => number> = {
  created_desc: (snapshot) => -Date.parse(snapshot.created_at),
  created_asc: (snapshot) => Date.parse(snapshot.created_at),
  size_desc: (snapshot) => -snapshot.size_gigabytes,
};

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
