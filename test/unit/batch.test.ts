/** Batch pieces that need no process: requirements files, the worst exit status, cache keys, the lock's drift rules. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkRequirements, logicalLines, readRequirementFiles } from '../../src/batch/requirements.js';
import { canonicalJson } from '../../src/cache/key.js';
import { Py2pkgError, worstExitStatus } from '../../src/errors.js';
import { lockedJobs, type Lock, type LockEntry } from '../../src/lock/lockfile.js';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-req-'));
  try {
    await f(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Py2pkgError, String(e));
    return e.code;
  }
  return 'none';
};

test('logical lines: comments, blank lines and backslash continuations as pip reads them', () => {
  const lines = logicalLines('# header\n\nfoo==1.0 \\\n  --hash=sha256:abc  # why\nbar#not-a-comment\n  \nbaz==2 \\\n');
  assert.deepEqual(lines, [
    { line: 3, text: 'foo==1.0    --hash=sha256:abc' },
    { line: 5, text: 'bar#not-a-comment' },
    { line: 7, text: 'baz==2' },
  ]);
});

test('requirements: hashes, nested -r relative to the including file, paths beside the file', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'pkg-1.0.tar.gz'), 'x');
    await writeFile(join(dir, 'sub.txt'), `./pkg-1.0.tar.gz --hash=sha256:${H2}\n`);
    await writeFile(join(dir, 'req.txt'), `Foo_Bar==1.0 --hash=sha256:${H1.toUpperCase()} --hash sha256:${H2}\n--requirement=sub.txt\n`);
    const r = await readRequirementFiles([join(dir, 'req.txt')]);
    assert.equal(r.hashMode, true);
    assert.deepEqual(
      r.entries.map((e) => [e.input, e.project, e.sha256]),
      [
        ['Foo_Bar==1.0', 'foo-bar', [H1, H2]],
        [join(dir, 'pkg-1.0.tar.gz'), undefined, [H2]],
      ],
    );
    assert.match(r.entries[1]!.where, /sub\.txt:1$/);
  }));

test('hash-checking mode: one line with --hash makes it required everywhere, with == pins', () => {
  const e = (input: string, sha256: string[], project: string | undefined = input.split(/[=<>]/)[0]) => ({ input, where: 'r.txt:1', sha256, project });
  assert.equal(checkRequirements([e('a==1', [H1]), e('b==2', [H2])]).hashMode, true);
  assert.equal(checkRequirements([e('a==1', []), e('b>=2', [])]).hashMode, false);
  assert.throws(
    () => checkRequirements([e('a==1', [H1]), e('b==2', [])]),
    (x: Py2pkgError) => x.code === 'REQUIREMENTS_HASH' && x.exitStatus === 3,
  );
  assert.throws(
    () => checkRequirements([e('a>=1', [H1])]),
    (x: Py2pkgError) => x.code === 'REQUIREMENTS_HASH',
  );
  assert.throws(
    () => checkRequirements([e('a==1.*', [H1])]),
    (x: Py2pkgError) => x.code === 'REQUIREMENTS_HASH',
  );
  assert.throws(
    () => checkRequirements([e('a==1', []), e('A==2', [], 'a')]),
    (x: Py2pkgError) => x.code === 'REQUIREMENTS_INVALID' && /twice/.test(x.message),
  );
});

test('requirements: unsupported options, bad hashes, include cycles are one-line refusals', () =>
  withDir(async (dir) => {
    const one = async (text: string) => {
      await writeFile(join(dir, 'r.txt'), text);
      return codeOf(readRequirementFiles([join(dir, 'r.txt')]));
    };
    assert.equal(await one('-e git+https://example.org/x.git\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('--index-url https://example.org/simple/\nfoo\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('foo==1 --global-option=x\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one(`foo==1 --hash=md5:${'a'.repeat(32)}\n`), 'REQUIREMENTS_INVALID');
    assert.equal(await one('foo==1 --hash=sha256:abc\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('foo; python_version < "3"\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('-r r.txt\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('-r missing.txt\n'), 'REQUIREMENTS_INVALID');
    assert.equal(await one('foo==1\nbar\n'), 'none');
  }));

test('the worst exit status follows the documented severity, not the number', () => {
  assert.equal(worstExitStatus([]), 0);
  assert.equal(worstExitStatus([0, 0]), 0);
  assert.equal(worstExitStatus([6, 3, 9]), 3);
  assert.equal(worstExitStatus([2, 9, 5]), 5);
  assert.equal(worstExitStatus([8, 1]), 1);
  assert.equal(worstExitStatus([14, 6]), 14);
  assert.equal(worstExitStatus([2, 0]), 2);
});

test('cache keys come from canonical JSON: key order does not matter, values do', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }] }), '{"a":[{"c":null,"d":2}],"b":1}');
  assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }));
  assert.notEqual(canonicalJson({ a: '1' }), canonicalJson({ a: 1 }));
});

function entry(input: string, over: Partial<LockEntry> = {}): LockEntry {
  return {
    input,
    project: input.split(/[=<>]/)[0]!,
    version: '1.0',
    sdist: { filename: 'x-1.0.tar.gz', sha256: H1, url: null },
    evidence: [],
    rule: null,
    target: 'debian12',
    format: 'deb',
    options: { maintainer: 'T <t@example.org>', withExtras: [], signedBy: null, sourceDateEpoch: null },
    files: [{ name: 'python3-x_1.0-1_all.deb', sha256: H2 }],
    ...over,
  };
}

test('--locked: pins versions and digests; an input not in the lock, a missing input, another target are drift', () => {
  const lock: Lock = { lockfileVersion: 1, generator: 'py2pkg test', packages: [entry('foo>=0.5'), entry('./dist/bar-1.0.tar.gz', { project: 'bar' })] };
  const run = { target: 'debian12', format: 'deb' };
  const jobs = lockedJobs(lock, '/srv/app/py2pkg.lock', undefined, run);
  assert.deepEqual(
    jobs.map((j) => [j.input, j.sdistSha256?.allowed, j.sdistSha256?.code, j.expectFiles]),
    [
      ['foo==1.0', [H1], 'LOCK_DRIFT', [{ name: 'python3-x_1.0-1_all.deb', sha256: H2 }]],
      ['/srv/app/dist/bar-1.0.tar.gz', [H1], 'LOCK_DRIFT', [{ name: 'python3-x_1.0-1_all.deb', sha256: H2 }]],
    ],
  );
  assert.equal(lockedJobs(lock, '/srv/app/py2pkg.lock', ['foo>=0.5', '/srv/app/dist/bar-1.0.tar.gz'], run).length, 2);
  const drift = (f: () => unknown) => assert.throws(f, (x: Py2pkgError) => x.code === 'LOCK_DRIFT' && x.exitStatus === 14);
  drift(() => lockedJobs(lock, '/srv/app/py2pkg.lock', ['foo>=0.5', '/srv/app/dist/bar-1.0.tar.gz', 'baz'], run));
  drift(() => lockedJobs(lock, '/srv/app/py2pkg.lock', ['foo>=0.5'], run));
  drift(() => lockedJobs(lock, '/srv/app/py2pkg.lock', undefined, { target: 'el9', format: 'rpm' }));
});
