import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

/**
 * The SDK checks answers to elicitation requests with ajv, which costs about 18 ms of the server's
 * start-up to load. This server never elicits input, so it hands the SDK this validator instead
 * (and the bundle leaves ajv out: see scripts/bundle.mjs). If a future SDK did ask, it says why.
 */
export const noElicitationValidator: jsonSchemaValidator = {
  getValidator() {
    throw new Error('digitalocean-snapshots-mcp never elicits input, so it validates no client-provided JSON Schema data');
  },
};
