import * as z from 'zod';
import { ALL_ACCOUNTS } from '../snapshots/across.js';
import type { ToolDefinition } from './definitions.js';

/**
 * What a server that reads two or more accounts adds to each tool: the `account` argument (its
 * names are the operator's, not secrets) and answers that say whose each row is. With one account
 * nothing is added: the same tools/list, byte for byte.
 */

/** The `account` argument over these names: left out, every account (a cursor then records "all"). */
export function accountArgument(names: readonly string[]) {
  return z.enum([...names, ALL_ACCOUNTS] as unknown as [string, ...string[]]).default(ALL_ACCOUNTS);
}

const across = new Map<string, ToolDefinition<z.ZodObject, z.ZodObject>>();

/**
 * The definition as a server over `names` offers it: `account` added to its input, and its output
 * the schema that carries accounts. Made once per process for each tool and set of names (over
 * HTTP every request builds a server).
 */
export function acrossAccounts<I extends z.ZodObject>(
  definition: ToolDefinition<I, z.ZodObject>,
  output: z.ZodObject,
  names: readonly string[],
): ToolDefinition<I, z.ZodObject> {
  const key = `${definition.name}|${names.join(',')}`;
  let made = across.get(key);
  if (!made) {
    made = { ...definition, inputSchema: definition.inputSchema.extend({ account: accountArgument(names) }), outputSchema: output };
    across.set(key, made);
  }
  // The input is I with `account` added: each handler reads it as its arguments' optional field.
  return made as ToolDefinition<I, z.ZodObject>;
}

/** Every account a call spanned answered. */
export function isComplete(accounts: Record<string, string>): boolean {
  return Object.values(accounts).every((status) => status === 'ok');
}

/** The warning of an answer that leaves accounts out: which, and that its figures cover only the rest. */
export function coverage(accounts: Record<string, string> | undefined): string[] {
  if (!accounts || isComplete(accounts)) return [];
  const names = Object.keys(accounts);
  const missing = names.filter((name) => accounts[name] !== 'ok');
  const read = names.filter((name) => accounts[name] === 'ok');
  return [
    `Incomplete: ${missing.join(', ')} could not be read (the reason is under accounts); rows and totals cover only ${read.join(', ')}, ` +
      `${read.length} of the ${names.length} accounts.`,
  ];
}
