/**
 * openpgp.js compiled with the code cache the build makes (scripts/code-cache.ts,
 * src/sign/openpgp-lib.ts): a fresh py2pkg process uses it; a damaged or missing cache only
 * costs time, the library still parses keys and checks signatures; and the build refuses
 * nothing when it cannot write one. Keys: the TEST-ONLY fixtures (fixtures/keys/).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { codeCachePath, compileOpenpgp, openpgpFile, sealCache } from '../../src/sign/openpgp-lib.js';
import { keysDir, repoRoot, SYSTEM_PATH } from '../support/project.js';

const PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-code-cache-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The fingerprint the library reads from the fixture key, checked against gpg's. */
async function fingerprintWith(openpgp: Awaited<ReturnType<typeof compileOpenpgp>>['openpgp']): Promise<string> {
  const key = await openpgp.readKey({ armoredKey: await readFile(PUB, 'utf8') });
  return key.getFingerprint().toUpperCase();
}

async function gpgFingerprint(): Promise<string> {
  const r = await execa('/usr/bin/gpg', ['--with-colons', '--show-keys', PUB], { env: { PATH: SYSTEM_PATH, GNUPGHOME: work }, extendEnv: false });
  return /^fpr:+([0-9A-F]{40}):/m.exec(r.stdout)![1]!;
}

test('the build made a code cache for this node, and a new process compiles openpgp.js with it', async () => {
  assert.ok(existsSync(codeCachePath()), `${codeCachePath()} is missing: make build runs dist/scripts/code-cache.js`);
  const probe = `import { loadOpenpgp, openpgpCodeCache } from ${JSON.stringify(join(repoRoot, 'dist/src/sign/openpgp-lib.js'))};
const o = await loadOpenpgp();
const k = await o.readKey({ armoredKey: ${JSON.stringify(await readFile(PUB, 'utf8'))} });
process.stdout.write(openpgpCodeCache + ' ' + k.getFingerprint().toUpperCase());`;
  const r = await execa(process.execPath, ['--input-type=module', '-e', probe], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  assert.equal(r.stdout, `used ${await gpgFingerprint()}`);
});

test('a damaged or truncated cache is refused before V8 sees it (V8 would abort the process) and the library works all the same', async () => {
  const good = await readFile(codeCachePath());
  const flipped = Buffer.from(good);
  for (let i = 64; i < flipped.length; i += 997) flipped[i] = flipped[i]! ^ 0xff;
  for (const [name, bytes] of [
    ['flipped', flipped],
    ['truncated', good.subarray(0, good.length >> 1)],
    ['empty', Buffer.alloc(0)],
    ['digests only', good.subarray(0, 64)],
  ] as const) {
    const path = join(work, `${name}.bin`);
    await writeFile(path, bytes);
    const r = compileOpenpgp(path);
    assert.equal(r.cache, 'rejected', name);
    assert.equal(await fingerprintWith(r.openpgp), await gpgFingerprint(), name);
  }
});

test('a cache made for another version of the library is refused (V8 would check only its length)', async () => {
  // in a new process: V8's in-process compilation cache would otherwise answer before the code cache is read
  const good = await readFile(codeCachePath());
  const path = join(work, 'other-version.bin');
  // the same V8 data, sealed for a source that differs in one byte (same length)
  const source = await readFile(openpgpFile());
  const other = Buffer.from(source);
  other[other.length - 2] = other[other.length - 2]! ^ 1;
  await writeFile(path, sealCache(other, good.subarray(64)));
  const probe = `import { compileOpenpgp } from ${JSON.stringify(join(repoRoot, 'dist/src/sign/openpgp-lib.js'))};
const r = compileOpenpgp(${JSON.stringify(path)});
const k = await r.openpgp.readKey({ armoredKey: ${JSON.stringify(await readFile(PUB, 'utf8'))} });
process.stdout.write(r.cache + ' ' + k.getFingerprint().toUpperCase());`;
  const r = await execa(process.execPath, ['--input-type=module', '-e', probe], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  assert.equal(r.stdout, `rejected ${await gpgFingerprint()}`);
});

test('no cache: compiled from scratch', async () => {
  const r = compileOpenpgp(join(work, 'absent.bin'));
  assert.equal(r.cache, 'none');
  assert.equal(await fingerprintWith(r.openpgp), await gpgFingerprint());
});

test('the build script makes the cache again (atomically) and says so', async () => {
  const before = await readFile(codeCachePath());
  const r = await execa(process.execPath, [join(repoRoot, 'dist/scripts/code-cache.js')], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  assert.match(r.stdout, /^code-cache: .*openpgp-.*\.bin \(\d+ KiB\)\n?$/);
  const made = await readFile(codeCachePath());
  assert.ok(made.length > 100_000, `a cache of ${made.length} bytes is too small to hold the library`);
  // the source digest, and V8's header after the digests (magic, version, source and flags hashes): the same for two builds by one node
  assert.equal(made.subarray(0, 32).toString('hex'), before.subarray(0, 32).toString('hex'));
  assert.equal(made.subarray(64, 80).toString('hex'), before.subarray(64, 80).toString('hex'));
});
