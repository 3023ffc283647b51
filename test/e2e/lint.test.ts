import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = path.join(root, 'node_modules/.bin/biome');
const run = (args: string[]) =>
  promisify(execFile)(biome, args, { cwd: root }).then(
    () => ({ code: 0, output: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );

const planted = mkdtempSync(path.join(tmpdir(), 'lint-'));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

describe('npm run lint', () => {
  it('passes on the tree as committed', async () => {
    expect(await run(['check', '.'])).toEqual({ code: 0, output: '' });
  });

  it('fails on a floating promise and on an explicit any, with the project configuration', async () => {
    const config = JSON.parse(readFileSync(path.join(root, 'biome.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(
      path.join(planted, 'biome.json'),
      JSON.stringify({ ...config, $schema: undefined, vcs: { enabled: false }, files: undefined }),
    );
    cpSync(path.join(root, 'tsconfig.json'), path.join(planted, 'tsconfig.json'));
    writeFileSync(
      path.join(planted, 'planted.ts'),
      'export async function answer(): Promise<number> {\n  return 42;\n}\n\nexport function ask(x: any): void {\n  answer();\n  void x;\n}\n',
    );
    const result = await run(['lint', '--config-path', planted, path.join(planted, 'planted.ts')]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('lint/nursery/noFloatingPromises');
    expect(result.output).toContain('lint/suspicious/noExplicitAny');
  });
});
