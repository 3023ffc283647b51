import { expect, it } from 'vitest';

// The spawned-server tests in this suite run the server with this same Node binary.
it('runs on Node 24, the newest Node users run', () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
});
