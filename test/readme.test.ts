import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_URL, loadConfig } from '../src/config.js';
import { REVIEW_SNAPSHOT_COSTS } from '../src/prompts/review-snapshot-costs.js';
import { MAX_PAGES } from '../src/digitalocean/paginate.js';
import { HEADERS_TIMEOUT_MS, MAX_REQUEST_BODY_BYTES, REQUEST_TIMEOUT_MS } from '../src/http/serve.js';
import { MAX_TOOL_INPUT_ELEMENTS, TOOLS } from '../src/server.js';
import { MAX_LINE_BYTES } from '../src/stdio/line-guard.js';
import { ANSWER_BUDGET_CHARS } from '../src/tools/budget.js';
import { publishTool } from '../src/tools/definitions.js';
import { harness, textOf, type Harness } from './helpers.js';

/**
 * The README's facts, held to the code: the defaults of its configuration table, the intro's
 * tools, the size of tools/list, and the example answer, which `npm run update-definitions`
 * writes from the demo account's data (as the demo serves it).
 */
const README = new URL('../README.md', import.meta.url);
const readme = () => readFileSync(README, 'utf8');
const UPDATE = process.env.UPDATE_TOOL_DEFINITIONS === '1';

/** The configuration table as `variable → default cell`. */
function configurationDefaults(): Map<string, string> {
  const section = readme().split('## Configuration')[1]!.split('\n## ')[0]!;
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return new Map(
    rows.map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      return [cells[1]!, cells.at(-2)!];
    }),
  );
}

describe('the README', () => {
  it('states the defaults the configuration has, as loadConfig reads an empty environment', () => {
    const stdio = loadConfig({});
    const http = loadConfig({}, ['--transport', 'http']);
    if (http.transport.kind !== 'http') throw new Error('expected http');
    const table = configurationDefaults();
    const code = (value: unknown) => `\`${value}\``;
    expect(table.get('`DIGITALOCEAN_API_URL`')).toBe(code(DEFAULT_API_URL));
    expect(table.get('`LOG_LEVEL`')).toMatch(new RegExp(`^\`${stdio.logLevel}\` on stdio .*, \`${http.logLevel}\` over HTTP$`));
    expect(table.get('`CALL_DEADLINE_SECONDS`')).toBe(code(stdio.deadlineSeconds));
    expect(table.get('`PAGE_CONCURRENCY`')).toBe(code(stdio.concurrency));
    expect(table.get('`UPSTREAM_CONCURRENCY`')).toBe(code(stdio.upstreamConcurrency));
    expect(table.get('`SNAPSHOT_CACHE_SECONDS`')).toBe(code(stdio.cache.ttlMs / 1000));
    expect(table.get('`SNAPSHOT_CACHE_MAX_MB`')).toBe(code(stdio.cache.maxBytes / 2 ** 20));
    expect(table.get('`SCAN_MAX_MB`, `SCAN_MAX_SNAPSHOTS`')).toBe(
      `${code(stdio.readBudget.maxBytes / 2 ** 20)}, ${code(stdio.readBudget.maxSnapshots)}`,
    );
    expect(table.get('`SERVER_MAX_MB`')).toBe(code(stdio.serverMaxBytes / 2 ** 20));
    expect(table.get('`MCP_TRANSPORT`, `MCP_PORT`, `MCP_HOST`')).toBe(
      `${code(stdio.transport.kind)}, ${code(http.transport.port)}, ${code(http.transport.host)}`,
    );
    expect(table.get('`MCP_TRUST_LOOPBACK`')).toBe(code(http.transport.trustLoopback ? 1 : 0));
  });

  it('states the limits the code keeps', () => {
    const text = readme().replace(/\s+/g, ' ');
    const mib = (bytes: number) => `${bytes / 2 ** 20} MiB`;
    const number = (value: number) => value.toLocaleString('en-US');
    for (const fact of [
      `Bodies over ${mib(MAX_REQUEST_BODY_BYTES)} get \`413\``,
      `takes over ${HEADERS_TIMEOUT_MS / 1000} s to send its headers or ${REQUEST_TIMEOUT_MS / 1000} s to send its request`,
      `at most ${number(MAX_PAGES)} pages are read`,
      `a line over ${mib(MAX_LINE_BYTES)} is answered by its id`,
      `tool arguments are capped at ${number(MAX_TOOL_INPUT_ELEMENTS)} elements`,
      `an answer budget of ${number(ANSWER_BUDGET_CHARS)} characters`,
    ])
      expect(text).toContain(fact);
  });

  it('names every tool and the prompt in its introduction', () => {
    const intro = readme().split('\n## ')[0]!;
    for (const name of [...TOOLS.map((tool) => tool.name), REVIEW_SNAPSHOT_COSTS]) expect(intro, name).toContain(`\`${name}\``);
  });

  it('gives the size of tools/list to the hundred bytes', () => {
    const stated = /`tools\/list` of about ([\d,]+) bytes for the three tools/.exec(readme());
    expect(stated, 'the Performance section states the size').not.toBeNull();
    const bytes = Buffer.byteLength(JSON.stringify(TOOLS.map(publishTool)));
    expect(Number(stated![1]!.replace(/,/g, ''))).toBe(Math.round(bytes / 100) * 100);
  });
});

describe("the README's example answer", () => {
  const BEGIN = '<!-- example:begin (written from the demo account by `npm run update-definitions`) -->';
  const END = '<!-- example:end -->';
  const ARGS = { resource_type: 'volume', region: 'fra1', created_before: '2026-01-01', sort: 'size_desc', limit: 5 };
  let h: Harness;
  beforeAll(async () => {
    // The demo account: the data --demo and `npm run demo` serve (demo-account.ts).
    h = await harness({ count: 250, seed: 7 });
  });
  afterAll(async () => {
    await h.close();
  });

  it('is what list_snapshots answers the demo account, word for word but the time of the scan and the cursor', async () => {
    // The scan's time and the cursor (it names the process's view and carries its signature) differ from run to run.
    const text = textOf(await h.call(ARGS))
      .replace(/as of \d\d:\d\d:\d\d UTC, (just now|[\d,]+ s ago)/, 'as of 09:30:00 UTC, just now')
      .replace(/cursor="[\w-]+"/, 'cursor="<next_cursor>"');
    const block = `${BEGIN}\n\n\`\`\`\nlist_snapshots ${JSON.stringify(ARGS)}\n\n${text}\n\`\`\`\n\n${END}`;
    const current = readme();
    const start = current.indexOf(BEGIN);
    const end = current.indexOf(END);
    expect(start, 'README.md needs the example markers').toBeGreaterThanOrEqual(0);
    const updated = current.slice(0, start) + block + current.slice(end + END.length);
    if (UPDATE) writeFileSync(README, updated);
    expect(readme()).toBe(updated);
  });
});
