import type { Tool } from '@modelcontextprotocol/server';

/**
 * The README's tools section and manifest.json's tools, written from what tools/list publishes, so
 * the words a user reads are the words a model reads. `npm run update-definitions` rewrites them;
 * test/tool-definitions.test.ts fails when they are stale.
 */

export const README_BEGIN =
  '<!-- tools:begin (generated from the tool definitions by `npm run update-definitions`: edit src/tools, not this) -->';
export const README_END = '<!-- tools:end -->';

interface PropertySchema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
}

export function readmeSection(tools: Tool[]): string {
  const lines = [README_BEGIN, '', '| tool | what the model reads |', '| --- | --- |'];
  for (const tool of tools) lines.push(`| \`${tool.name}\` (${tool.title}) | ${cell(tool.description ?? '')} |`);
  const annotations = new Set(tools.map((tool) => JSON.stringify(tool.annotations)));
  const budgets = new Set(tools.map((tool) => tool._meta?.['anthropic/maxResultSizeChars']));
  if (annotations.size === 1 && budgets.size === 1) {
    const hints = tools[0]!.annotations!;
    lines.push(
      '',
      `Every tool is ${[hints.readOnlyHint && 'read-only', hints.idempotentHint && 'idempotent', hints.openWorldHint && 'open-world (it calls the DigitalOcean API)', hints.destructiveHint === false && 'not destructive'].filter(Boolean).join(', ')}, ` +
        `and declares an answer budget of ${Number([...budgets][0]).toLocaleString('en-US')} characters (\`_meta["anthropic/maxResultSizeChars"]\`) that the text and the JSON each stay within.`,
    );
  }
  for (const tool of tools) {
    lines.push('', `**\`${tool.name}\` inputs**`, '', '| input | type | default | meaning |', '| --- | --- | --- | --- |');
    const properties = (tool.inputSchema.properties ?? {}) as Record<string, PropertySchema>;
    const required = new Set(tool.inputSchema.required ?? []);
    for (const [name, schema] of Object.entries(properties)) {
      const fallback = schema.default !== undefined ? `\`${JSON.stringify(schema.default)}\`` : required.has(name) ? 'required' : '';
      lines.push(`| \`${name}\` | ${typeOf(schema)} | ${fallback} | ${cell(schema.description ?? '')} |`);
    }
  }
  lines.push('', README_END);
  return lines.join('\n');
}

/** manifest.json's tools: each tool's name and the first sentence of its description. */
export function manifestTools(tools: Tool[]): { name: string; description: string }[] {
  return tools.map((tool) => ({ name: tool.name, description: firstSentence(tool.description ?? '') }));
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

function typeOf(schema: PropertySchema): string {
  if (schema.enum) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const range =
    schema.minimum !== undefined && schema.maximum !== undefined
      ? ` ${schema.minimum.toLocaleString('en-US')}–${schema.maximum.toLocaleString('en-US')}`
      : schema.minimum !== undefined
        ? ` ≥ ${schema.minimum}`
        : '';
  return `${schema.type ?? 'any'}${range}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}
