/**
 * Shared by test/integration/unpack-*.test.ts: a private unpack directory beside an "outside"
 * directory the attacks aim at, a snapshot of what is outside, and `refuses()`, which unpacks,
 * expects the given refusal and checks that nothing outside destDir changed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after } from 'node:test';
import { Py2pkgError, type ErrorCode } from '../../src/errors.js';
import { unpackSdist, type UnpackLimits } from '../../src/sdist/unpack.js';

/** directories removed after the file's tests */
export const made: string[] = [];
after(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

export interface Ctx {
  base: string;
  /** the caller's private unpack directory */
  dest: string;
  /** a directory the attacks aim at; holds secret.txt */
  outside: string;
  secret: string;
  archive: string;
}

export async function setup(archive: Buffer, filename = 'pkg-1.0.tar.gz'): Promise<Ctx> {
  const base = await mkdtemp(join(tmpdir(), 'py2pkg-unpack-'));
  made.push(base);
  const dest = join(base, 'dest');
  await mkdir(dest, { mode: 0o700 });
  const outside = join(base, 'outside');
  await mkdir(outside);
  const secret = join(outside, 'secret.txt');
  await writeFile(secret, 'do not touch\n');
  await mkdir(join(base, 'in'));
  const path = join(base, 'in', filename);
  await writeFile(path, archive);
  return { base, dest, outside, secret, archive: path };
}

/** Every path under dir (lstat type, size, mode, link count), except under skip. */
export function snapshot(dir: string, skip?: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = fs.lstatSync(p);
      out.push(`${relative(dir, p)} ${st.mode.toString(8)} ${st.size} ${st.nlink}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Unpack, expect the given refusal, and check nothing outside dest changed. */
export async function refuses(
  archive: Buffer,
  code: ErrorCode,
  opts: { limits?: Partial<UnpackLimits>; filename?: string; message?: RegExp; destEmpty?: boolean } = {},
): Promise<{ err: Py2pkgError; ctx: Ctx }> {
  const ctx = await setup(archive, opts.filename);
  const before = snapshot(ctx.base, ctx.dest);
  let err: unknown;
  try {
    await unpackSdist(ctx.archive, ctx.dest, opts.limits);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Py2pkgError, `expected a Py2pkgError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  const line = err.oneLine();
  assert.ok(!/[\r\n]/.test(line), `oneLine() has a newline: ${JSON.stringify(line)}`);
  if (opts.message) assert.match(err.message, opts.message);
  assert.deepEqual(snapshot(ctx.base, ctx.dest), before, 'something outside destDir changed');
  assert.equal(fs.readFileSync(ctx.secret, 'utf8'), 'do not touch\n');
  assert.equal(fs.statSync(ctx.secret).nlink, 1);
  // tar refusals are found by the first (read-only) pass: nothing is written at all
  if (opts.destEmpty !== false) assert.deepEqual(fs.readdirSync(ctx.dest), [], 'the refused archive left files in destDir');
  return { err, ctx };
}

export const PKG_INFO = 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n';

/** a file's permission bits (lstat) */
export function mode(p: string): number {
  return fs.lstatSync(p).mode & 0o7777;
}
