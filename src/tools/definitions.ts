import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { ListToolsRequestSchema, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { BUDGET_META } from './budget.js';
import { READ_ONLY } from './context.js';

/**
 * A tool's definition: every word and schema a model or a user reads about it, in one place.
 * The server registers it, tools/list publishes it, and the README table, manifest.json and the
 * tool-definition snapshots under test/ are generated or checked from it.
 */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: I;
  outputSchema: O;
  annotations: ToolAnnotations;
  _meta: Record<string, unknown>;
}

/**
 * Every tool here: read-only (it may call the DigitalOcean API) and held to one answer budget.
 */
export function readOnlyTool<I extends z.ZodObject, O extends z.ZodObject>(
  definition: Omit<ToolDefinition<I, O>, 'annotations' | '_meta'>,
  meta: Record<string, unknown> = {},
): ToolDefinition<I, O> {
  return { ...definition, annotations: READ_ONLY, _meta: { ...BUDGET_META, ...meta } };
}

/**
 * What tools/list says of a tool: the SDK's own conversion (the same calls it makes), without what
 * carries no meaning for a client here yet costs every agent context on every turn: `$schema`,
 * `execution` when it is the default (no task support), and inside output schemas (they describe
 * what the server sends; input schemas stay strict) `additionalProperties: false` and string-typed
 * `propertyNames`.
 */
export function publishTool(definition: ToolDefinition): Tool {
  return lean({
    name: definition.name,
    title: definition.title,
    description: definition.description,
    inputSchema: toJsonSchemaCompat(definition.inputSchema, { strictUnions: true, pipeStrategy: 'input' }) as Tool['inputSchema'],
    annotations: definition.annotations,
    execution: { taskSupport: 'forbidden' },
    _meta: definition._meta,
    outputSchema: toJsonSchemaCompat(definition.outputSchema, { strictUnions: true, pipeStrategy: 'output' }) as Tool['outputSchema'],
  });
}

/**
 * What the SDK is told of a tool: all but its output schema. Given one, the SDK parses every answer
 * against it before sending (about a twentieth of a call); tools/list still publishes it
 * (publishTools), and the tests hold every answer to it.
 */
export function sdkRegistration<I extends z.ZodObject, O extends z.ZodObject>(definition: ToolDefinition<I, O>): Omit<ToolDefinition<I, O>, 'outputSchema'> {
  const { outputSchema: _published, ...registration } = definition;
  return registration;
}

/** Applies publishTool's trimming to a tool as the SDK lists it (also used by the tests to compare). */
export function lean(tool: Tool): Tool {
  const { $schema: _input, ...inputSchema } = tool.inputSchema as Tool['inputSchema'] & { $schema?: string };
  const { execution, outputSchema, ...rest } = tool;
  const published: Tool = { ...rest, inputSchema };
  if (execution && execution.taskSupport !== 'forbidden') published.execution = execution;
  if (outputSchema) {
    const { $schema: _output, ...schema } = outputSchema as Tool['outputSchema'] & { $schema?: string };
    published.outputSchema = withoutClosedObjects(schema) as Tool['outputSchema'];
  }
  return published;
}

// JSON object keys are strings whatever the schema says.
const isStringType = (value: unknown) => JSON.stringify(value) === '{"type":"string"}';

function withoutClosedObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutClosedObjects);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(key === 'additionalProperties' && inner === false) && !(key === 'propertyNames' && isStringType(inner)))
      .map(([key, inner]) => [key, withoutClosedObjects(inner)]),
  );
}

/** What publishTool makes of each tool, by name, as the build found it (scripts/build.mjs). */
declare const __PUBLISHED_TOOLS__: Record<string, Tool> | undefined;
const built = typeof __PUBLISHED_TOOLS__ === 'object' ? __PUBLISHED_TOOLS__ : {};
const published = new WeakMap<ToolDefinition, Tool>();

/**
 * Answers tools/list from the definitions: in the built server, as converted by the build (a
 * conversion costs about 5 ms of the first tools/list); unbundled, each converted once per process
 * (over HTTP every request gets a fresh server) rather than on every request.
 */
export function publishTools(server: McpServer, definitions: ToolDefinition[]): void {
  const once = (definition: ToolDefinition) => {
    let tool = published.get(definition);
    if (!tool) published.set(definition, (tool = built[definition.name] ?? publishTool(definition)));
    return tool;
  };
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: definitions.map(once) }));
}
