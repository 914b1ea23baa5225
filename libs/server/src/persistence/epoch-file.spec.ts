import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, readEpochFile, writeEpochFile } from './epoch-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paddock-epoch-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('epoch files', () => {
  it('writes decimal text atomically and reads it back', async () => {
    expect(await readEpochFile(dir, CURRENT_EPOCH_FILE)).toBeUndefined();
    await writeEpochFile(dir, CURRENT_EPOCH_FILE, 7);
    await writeEpochFile(dir, ACCEPTED_EPOCH_FILE, 8);
    await writeEpochFile(dir, ACCEPTED_EPOCH_FILE, 9);
    expect(await readFile(join(dir, CURRENT_EPOCH_FILE), 'utf8')).toBe('7');
    expect(await readEpochFile(dir, CURRENT_EPOCH_FILE)).toBe(7);
    expect(await readEpochFile(dir, ACCEPTED_EPOCH_FILE)).toBe(9);
    expect((await readdir(dir)).sort()).toEqual([ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE]);
  });

  it('accepts a trailing newline and rejects garbage or bad values', async () => {
    await writeFile(join(dir, 'x'), '12\n');
    expect(await readEpochFile(dir, 'x')).toBe(12);
    await writeFile(join(dir, 'y'), 'twelve');
    await expect(readEpochFile(dir, 'y')).rejects.toThrow(/unparsable/);
    await expect(writeEpochFile(dir, 'z', -1)).rejects.toThrow(RangeError);
  });
});
