import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binNodeFlags, PADDOCK_BIN } from './servers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-bin-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function binWith(shebang: string): string {
  const file = path.join(dir, `bin-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, `${shebang}\nconsole.log('hi');\n`);
  return file;
}

describe('binNodeFlags', () => {
  it('reads the node flags of an env -S shebang', () => {
    const bin = binWith('#!/usr/bin/env -S node --max-semi-space-size=32 --no-warnings');
    expect(binNodeFlags(bin, {})).toEqual(['--max-semi-space-size=32', '--no-warnings']);
  });

  it('expands ${VAR} from the environment and drops it when unset, as env -S does', () => {
    const bin = binWith('#!/usr/bin/env -S node --max-semi-space-size=32 ${PADDOCK_NODE_OPTIONS}');
    expect(binNodeFlags(bin, {})).toEqual(['--max-semi-space-size=32']);
    expect(binNodeFlags(bin, { PADDOCK_NODE_OPTIONS: '--max-semi-space-size=16' })).toEqual([
      '--max-semi-space-size=32',
      '--max-semi-space-size=16',
    ]);
  });

  it('gives no flags for a plain node shebang', () => {
    expect(binNodeFlags(binWith('#!/usr/bin/env node'), {})).toEqual([]);
  });

  it("reads the young-generation size from the real bin's shebang", () => {
    expect(binNodeFlags(PADDOCK_BIN, {})).toEqual(
      expect.arrayContaining([expect.stringMatching(/^--min-semi-space-size=\d+$/), expect.stringMatching(/^--max-semi-space-size=\d+$/)]),
    );
  });
});
