/**
 * Shared by test/integration/verify-*.test.ts: the TEST-ONLY keys in fixtures/keys/, a fake
 * sdist in a fresh temp directory, signing at a fixed time, and `rejectsWith()`, which checks
 * the refusal's code, its one line and that no key material leaks into it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { Py2pkgError } from '../../src/errors.js';
import { signDetached } from '../../fixtures/sign.js';
import type { LocalSdist, Provenance } from '../../src/types.js';

export const execFileP = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KEYS = join(ROOT, 'fixtures/keys');
export const key = (name: string): string => join(KEYS, name);

/** All signatures are made at SIGNED_AT and checked at NOW, so no test depends on the clock. */
export const SIGNED_AT = new Date('2026-01-02T03:04:05Z');
export const NOW = new Date('2026-06-01T00:00:00Z');

export const UPSTREAM_UID = 'py2pkg upstream signer (TEST-ONLY, never trust) <upstream@test.invalid>';
export const OTHER_UID = 'py2pkg other signer (TEST-ONLY, never trust) <other@test.invalid>';

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

export async function fingerprintOf(file: string): Promise<string> {
  const k = await openpgp.readKey({ armoredKey: await readFile(key(file), 'utf8') });
  return k.getFingerprint().toUpperCase();
}

export interface Env {
  dir: string;
  sdist: LocalSdist;
  bytes: Uint8Array;
  cleanup(): Promise<void>;
}

/** A fake sdist (verify only sees bytes) in a fresh temp dir. */
export async function makeEnv(content = 'demo-1.0.tar.gz contents\n\0\x01\x02 binary tail'): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-verify-'));
  const bytes = new TextEncoder().encode(content);
  const path = join(dir, 'demo-1.0.tar.gz');
  await writeFile(path, bytes);
  return {
    dir,
    bytes,
    sdist: { path, filename: 'demo-1.0.tar.gz', sha256: sha256(bytes), size: bytes.length },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function sign(data: Uint8Array, secretFile: string, opts: { armor?: boolean; date?: Date } = {}): Promise<string | Uint8Array> {
  return signDetached(data, await readFile(key(secretFile), 'utf8'), { date: SIGNED_AT, ...opts });
}

export async function put(env: Env, name: string, data: string | Uint8Array): Promise<string> {
  const p = join(env.dir, name);
  await writeFile(p, data);
  return p;
}

let materialCache: string[] | undefined;
/** The base64 body lines of every fixture key file (armored key material). */
export async function keyMaterialLines(): Promise<string[]> {
  if (materialCache) return materialCache;
  const files = ['upstream-TEST-ONLY', 'other-TEST-ONLY', 'upstream-revoked-TEST-ONLY', 'upstream-expired-TEST-ONLY'].flatMap((b) => [
    `${b}.pub.asc`,
    `${b}.sec.asc`,
  ]);
  const lines: string[] = [];
  for (const f of files) {
    for (const l of (await readFile(key(f), 'utf8')).split('\n')) if (/^[A-Za-z0-9+/=]{24,}$/.test(l)) lines.push(l.slice(0, 24));
  }
  assert.ok(lines.length > 20);
  materialCache = lines;
  return lines;
}

/** Asserts the code, that the one line the user sees is one line, and that no key material leaks. */
export async function rejectsWith(p: Promise<unknown>, code: string, messagePattern?: RegExp): Promise<Py2pkgError> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof Py2pkgError, `expected a Py2pkgError, got ${String(caught)}`);
  const err = caught;
  assert.equal(err.code, code, `wrong code; message was: ${err.message}`);
  const line = err.oneLine();
  assert.equal(line.split('\n').length, 1);
  assert.doesNotMatch(line, /[\r\n]/);
  assert.ok(line.startsWith(`py2pkg: error[${code}]: `), line);
  assert.equal(err.exitStatus, 3);
  assert.doesNotMatch(line, /BEGIN PGP/, 'no armor in the message');
  for (const chunk of await keyMaterialLines()) assert.ok(!line.includes(chunk), 'no key material in the message');
  if (messagePattern) assert.match(err.message, messagePattern);
  return err;
}

export function okVerification(p: Provenance) {
  assert.equal(p.verification.method, 'openpgp-detached-signature');
  if (p.verification.method !== 'openpgp-detached-signature') throw new Error('unreachable');
  return p.verification;
}
