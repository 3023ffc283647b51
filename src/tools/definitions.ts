import type { CallToolResult, McpServer, ServerContext, StandardSchemaWithJSON, Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import * as z from 'zod';
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

/** Every tool here: read-only (it may call the DigitalOcean API) and held to one answer budget. */
export function readOnlyTool<I extends z.ZodObject, O extends z.ZodObject>(
  definition: Omit<ToolDefinition<I, O>, 'annotations' | '_meta'>,
  meta: Record<string, unknown> = {},
): ToolDefinition<I, O> {
  return { ...definition, annotations: READ_ONLY, _meta: { ...BUDGET_META, ...meta } };
}

type Io = 'input' | 'output';

/**
 * A schema as JSON Schema for tools/list: zod's own conversion (draft 2020-12, what the SDK
 * advertises), without what carries no meaning for a client here yet costs every agent context on
 * every turn: `$schema`, and inside output schemas `additionalProperties: false`, `propertyNames`,
 * `required` and `enum`. Output schemas give the shape and types of what the server sends (the
 * descriptions name the values that matter), and the SDK holds every answer to the whole zod schema
 * before sending it; input schemas stay strict.
 */
export function publishedSchema(schema: z.ZodObject, io: Io): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  return io === 'output' ? (asSent(json) as Record<string, unknown>) : json;
}

/** Keywords whose arrays say which fields and values are allowed: the server's zod checks them. */
const OUTPUT_ONLY_CHECKS = new Set(['required', 'enum']);

function asSent(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asSent);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(
        ([key, inner]) =>
          !(key === 'additionalProperties' && inner === false) &&
          !(key === 'propertyNames' && typeof inner === 'object') &&
          !(OUTPUT_ONLY_CHECKS.has(key) && Array.isArray(inner)),
      )
      .map(([key, inner]) => [key, asSent(inner)]),
  );
}

/** Each tool's publishedSchema of its input and output, as the build computed them (scripts/build.mjs). */
declare const __PUBLISHED_SCHEMAS__: Record<string, Record<Io, Record<string, unknown>>> | undefined;
const built = typeof __PUBLISHED_SCHEMAS__ === 'object' ? __PUBLISHED_SCHEMAS__ : {};

/**
 * What the SDK is given: a Standard Schema (the spec v2 takes) that validates with the zod schema
 * and describes itself with publishedSchema: in the built server as the build computed it (a start
 * then converts nothing), unbundled converted once per process (over HTTP every request builds a
 * server and lists its tools).
 */
function forSdk<S extends z.ZodObject>(
  tool: string,
  schema: S,
  io: Io,
  oneAccount: boolean,
): StandardSchemaWithJSON<z.input<S>, z.output<S>> {
  // The build computed the one-account definitions; a server over several accounts converts its own.
  let json = oneAccount ? built[tool]?.[io] : undefined;
  const describe = () => {
    json ??= publishedSchema(schema, io);
    return json;
  };
  return { '~standard': { ...schema['~standard'], jsonSchema: { input: describe, output: describe } } };
}

const registrations = new WeakMap<ToolDefinition, { inputSchema: StandardSchemaWithJSON; outputSchema: StandardSchemaWithJSON }>();

/**
 * Registers a tool as its definition says: tools/list is the SDK's, from these schemas, and the SDK
 * checks every answer against the output schema before it sends it.
 */
export function registerTool<I extends z.ZodObject, O extends z.ZodObject>(
  server: McpServer,
  definition: ToolDefinition<I, O>,
  handler: (args: z.output<I>, ctx: ServerContext) => Promise<CallToolResult>,
): void {
  let schemas = registrations.get(definition);
  if (!schemas) {
    const oneAccount = !('account' in definition.inputSchema.shape);
    schemas = {
      inputSchema: forSdk(definition.name, definition.inputSchema, 'input', oneAccount),
      outputSchema: forSdk(definition.name, definition.outputSchema, 'output', oneAccount),
    };
    registrations.set(definition, schemas);
  }
  const { name, title, description, annotations, _meta } = definition;
  const inputSchema = schemas.inputSchema as StandardSchemaWithJSON<z.input<I>, z.output<I>>;
  server.registerTool(name, { title, description, inputSchema, outputSchema: schemas.outputSchema, annotations, _meta }, handler);
}

/** What tools/list says of a tool (the tests and the generated docs compare against it). */
export function publishTool(definition: ToolDefinition): Tool {
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    inputSchema: { type: 'object', ...publishedSchema(definition.inputSchema, 'input') } as Tool['inputSchema'],
    annotations: definition.annotations,
    _meta: definition._meta,
    outputSchema: publishedSchema(definition.outputSchema, 'output') as Tool['outputSchema'],
  };
}
