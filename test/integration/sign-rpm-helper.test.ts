/**
 * The __gpg_sign_cmd helper (python/py2pkg-rpm-sign.py) against py2pkg's own sign server
 * (src/sign/rpm-helper-server.ts), as rpmsign runs it, without rpmsign: data from stdin or a
 * file, the packet written to --output, the server's refusal as one line and exit 1, bad
 * arguments exit 2, a dead socket exit 1, and the command rpmsign gets. rpmsign itself drives
 * the helper in sign-rpm.test.ts.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Py2pkgError } from '../../src/errors.js';
import { HELPER_PYTHON, helperSignCommand, RPM_SIGN_HELPER, startSignServer } from '../../src/sign/rpm-helper-server.js';
import type { RpmSignSetup } from '../../src/sign/signer-types.js';
import { repoRoot, SYSTEM_PATH } from '../support/project.js';

const HELPER = join(repoRoot, 'python', RPM_SIGN_HELPER);
let work: string;
let server: RpmSignSetup;
let socketPath: string;
const seen: Buffer[] = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-rpm-helper-'));
  // a stand-in signer: the "packet" is a sha256 of what came, so the test can check the data arrived whole
  server = await startSignServer(work, 'AB'.repeat(20), async (stream) => {
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(Buffer.from(c));
    const data = Buffer.concat(parts);
    seen.push(data);
    if (data.toString('latin1').startsWith('refuse')) throw new Py2pkgError('KEY_UNUSABLE', 'the key says no');
    return Buffer.concat([Buffer.from('PKT:'), createHash('sha256').update(data).digest()]);
  });
  const cmd = server.defines.find((d) => d.startsWith('__gpg_sign_cmd '))!;
  socketPath = / --socket (\S+) /.exec(cmd)![1]!;
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

const helper = (args: string[], input?: Buffer) =>
  execa(HELPER_PYTHON, ['-I', '-S', HELPER, ...args], { env: { PATH: SYSTEM_PATH }, extendEnv: false, reject: false, input });

test('the command rpmsign runs: python3 -I -S on the helper, the signature file and input from rpm macros', () => {
  const cmd = server.defines.find((d) => d.startsWith('__gpg_sign_cmd '))!;
  assert.equal(cmd, `__gpg_sign_cmd ${helperSignCommand(HELPER_PYTHON, HELPER, socketPath)}`);
  assert.match(
    cmd,
    /^__gpg_sign_cmd \/usr\/bin\/python3 python3 -I -S \S+\/python\/py2pkg-rpm-sign\.py --socket \S+ --output %\{shescape:%\{\?__signature_filename\}\} %\{\?__plaintext_filename:-- %\{shescape:%\{__plaintext_filename\}\}\}$/,
  );
  assert.throws(() => helperSignCommand(HELPER_PYTHON, '/opt/my dir/h.py', socketPath), /cannot be passed to rpmsign/);
});

test('data on stdin (1 MiB, every byte value) reaches the signer whole; the packet lands in --output', async () => {
  const data = Buffer.alloc(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const out = join(work, 'stdin.sig');
  const r = await helper(['--socket', socketPath, '--output', out, '--', '-'], data);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(seen.at(-1), data);
  assert.deepEqual(await readFile(out), Buffer.concat([Buffer.from('PKT:'), createHash('sha256').update(data).digest()]));
});

test('data from a file (rpm passes -- FILE when __plaintext_filename is set), -sbo as gpg spells --output', async () => {
  const file = join(work, 'header.bin');
  await writeFile(file, 'header bytes');
  const out = join(work, 'file.sig');
  const r = await helper(['--socket', socketPath, '-sbo', out, '--', file]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(seen.at(-1)!.toString(), 'header bytes');
  assert.ok((await readFile(out)).subarray(0, 4).equals(Buffer.from('PKT:')));
});

test('the signer refuses: one line from py2pkg on stderr, exit 1, no signature file', async () => {
  const out = join(work, 'refused.sig');
  const r = await helper(['--socket', socketPath, '--output', out], Buffer.from('refuse this'));
  assert.equal(r.exitCode, 1);
  assert.equal(r.stderr, 'py2pkg-rpm-sign: the key says no');
  assert.equal(existsSync(out), false);
});

test('no server on the socket: exit 1 with the reason, no signature file', async () => {
  const out = join(work, 'dead.sig');
  const r = await helper(['--socket', join(work, 'no-such-socket'), '--output', out], Buffer.from('x'));
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^py2pkg-rpm-sign: No such file or directory$/);
  assert.equal(existsSync(out), false);
});

test('usage errors exit 2 and name the problem', async () => {
  for (const [args, why] of [
    [['--output', 'x'], '--socket is required'],
    [['--socket', socketPath], '--output is required'],
    [['--socket', socketPath, '--output', 'x', '--bogus'], 'unknown argument --bogus'],
    [['--socket', socketPath, '--output', 'x', '--', 'a', 'b'], 'more than one input'],
    [['--socket'], 'unknown argument --socket'],
  ] as const) {
    const r = await helper([...args]);
    assert.equal(r.exitCode, 2, args.join(' '));
    assert.equal(r.stderr.split('\n')[0], `py2pkg-rpm-sign: ${why}`, args.join(' '));
  }
});
