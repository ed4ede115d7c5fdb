/**
 * The SRPM of `--source` (src/formats/source/srpm.ts), from real pipeline outputs (fixture
 * sdists verified, unpacked, inspected and built by py2pkg's own stages: support/srpm-inputs.ts),
 * judged by the real tools: rpmkeys --checksig with the TEST-ONLY org key in a scratch rpmdb,
 * rpmlint (test/rpmlint.toml), rpmspec -P with the el9 and fedora targets' macros, rpm2cpio +
 * cpio for its contents, gpgv for the %gpgverify inputs (Source0/1/2).
 *
 * rpmspec needs no pyproject macros to parse the spec: Debian's rpm has neither
 * pyproject-rpm-macros nor redhat-rpm-config, and rpm leaves an undefined macro
 * (`%pyproject_wheel`, `%{gpgverify}`) as written, which is what the checks below look for.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSourceRpm, srpmDefines } from '../../src/formats/source/srpm.js';
import { targetMacros } from '../../src/formats/source/srpm-data.js';
import type { SrpmRequest } from '../../src/formats/source/srpm-types.js';
import { openSigner } from '../../src/sign/signer.js';
import { profiles } from '../../src/targets/profiles.js';
import { fixtureSdist, keysDir, repoRoot, SYSTEM_PATH, withUmask } from '../support/project.js';
import { srpmInputs } from '../support/srpm-inputs.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
/** rpmlint warnings an SRPM may carry (all else fails the test), with the reason. */
const ALLOWED_WARNINGS = new Map([
  ['no-buildroot-tag', 'rpm >= 4.6 sets the build root itself; Fedora forbids the tag'],
  ['invalid-url', 'Source0/Source1 are the verified files by name when the sdist came from a local file, not an index URL'],
  ['invalid-license', "rpmlint's default ValidLicenses list is empty (see test/rpmlint-allowed.txt)"],
  ['no-url-tag python-cextension', 'the fixture names no home page; URL: is written only for an http(s) URL the metadata gives'],
]);

let work: string;
let pure: Omit<SrpmRequest, 'outDir' | 'workDir'>;
let pureSrpm: string;
let compiledSrpm: string;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function build(req: Omit<SrpmRequest, 'outDir' | 'workDir'>, sign = true): Promise<string> {
  const out = await mkdtemp(join(work, 'out-'));
  const signer = sign ? await openSigner({ kind: 'key-file', keyFile: ORG_SEC }) : undefined;
  try {
    const r = await buildSourceRpm({ ...req, ...(signer ? { signer } : {}), outDir: out, workDir: await mkdtemp(join(work, 'w-')) });
    assert.equal(r.files.length, 1);
    return r.files[0] as string;
  } finally {
    await signer?.close();
  }
}

/** The SRPM's files, unpacked by rpm2cpio | cpio: name -> bytes. */
async function contents(srpm: string): Promise<Map<string, Buffer>> {
  const dir = await mkdtemp(join(work, 'x-'));
  const cpio = (await execa('/usr/bin/rpm2cpio', [srpm], { env, extendEnv: false, encoding: 'buffer' })).stdout;
  await execa('/usr/bin/cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { cwd: dir, input: Buffer.from(cpio), env, extendEnv: false });
  const out = new Map<string, Buffer>();
  for (const f of await readdir(dir)) out.set(f, await readFile(join(dir, f)));
  return out;
}

/** `rpmkeys --checksig` with `pub` imported into a scratch rpmdb. */
async function checksig(srpm: string, pub: string): Promise<{ exitCode: number; out: string }> {
  const db = await mkdtemp(join(work, 'rpmdb-'));
  await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--import', pub], { env, extendEnv: false });
  const r = await execa('/usr/bin/rpmkeys', ['--dbpath', db, '--define', '_pkgverify_level signature', '--checksig', '-v', srpm], {
    env,
    extendEnv: false,
    reject: false,
  });
  return { exitCode: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

/** rpmlint's E:/W: lines for one SRPM, its rpm -K run against a scratch rpmdb holding the org key. */
async function rpmlint(srpm: string): Promise<string[]> {
  const home = await mkdtemp(join(work, 'home-'));
  const db = join(home, 'rpmdb');
  await writeFile(join(home, '.rpmmacros'), `%_dbpath ${db}\n`);
  await execa('/usr/bin/rpm', ['--initdb'], { env: { ...env, HOME: home }, extendEnv: false });
  await execa('/usr/bin/rpmkeys', ['--import', ORG_PUB], { env: { ...env, HOME: home }, extendEnv: false });
  const r = await execa('/usr/bin/rpmlint', ['--config', join(repoRoot, 'test', 'rpmlint.toml'), srpm], {
    env: { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    extendEnv: false,
    reject: false,
    timeout: 10 * 60_000,
  });
  assert.match(r.stdout, /1 packages and 0 specfiles checked; 0 errors, \d+ warnings/, r.stdout);
  return r.stdout.split('\n').filter((l) => /: [EW]: /.test(l));
}

/** rpmspec -P of the spec inside the SRPM, with the target's macros (as rpmbuild -bs defined them). */
async function parsedSpec(srpm: string, target: 'el9' | 'fedora'): Promise<string> {
  const files = await contents(srpm);
  const specName = [...files.keys()].find((f) => f.endsWith('.spec')) as string;
  const dir = await mkdtemp(join(work, 'spec-'));
  await writeFile(join(dir, specName), files.get(specName) as Buffer);
  const defines = targetMacros(profiles[target]!).flatMap(([k, v]) => ['--define', `${k} ${v}`]);
  return (await execa('/usr/bin/rpmspec', ['-P', ...defines, join(dir, specName)], { env: { ...env, HOME: dir }, extendEnv: false })).stdout;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-srpm-'));
  pure = await srpmInputs(fixtureSdist('python-slugger'), await mkdtemp(join(work, 'in-')));
  pureSrpm = await build(pure);
  compiledSrpm = await build(await srpmInputs(fixtureSdist('cextension'), await mkdtemp(join(work, 'in-'))));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('the SRPM is signed with the organization key: rpmkeys --checksig accepts it with that key, refuses it with another', async () => {
  assert.equal(basename(pureSrpm), 'python-slugger-8.0.1-1.el9.src.rpm');
  const ok = await checksig(pureSrpm, ORG_PUB);
  assert.equal(ok.exitCode, 0, ok.out);
  assert.match(ok.out, /Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  const other = await checksig(pureSrpm, OTHER_PUB);
  assert.notEqual(other.exitCode, 0, other.out);
  assert.match(other.out, /NOKEY/);
});

test('rpmlint: 0 errors on the pure and the compiled SRPM, and only the warnings listed here', async () => {
  for (const srpm of [pureSrpm, compiledSrpm]) {
    const lines = await rpmlint(srpm);
    assert.deepEqual(
      lines.filter((l) => / E: /.test(l)),
      [],
      `${basename(srpm)}:\n${lines.join('\n')}`,
    );
    for (const l of lines) {
      const m = /^([^\s:]+)\.(?:src|spec)\S*: W: (\S+)/.exec(l);
      assert.ok(m && (ALLOWED_WARNINGS.has(m[2] as string) || ALLOWED_WARNINGS.has(`${m[2]} ${m[1]}`)), `unexpected rpmlint warning: ${l}`);
    }
  }
});

test('contents (rpm2cpio): Source0 is the verified sdist byte for byte; the signature and a minimal keyring that gpgv accepts for it; provenance and SBOM', async () => {
  const files = await contents(pureSrpm);
  assert.deepEqual([...files.keys()].sort(), [
    'provenance.json',
    'python-slugger-8.0.1.tar.gz',
    'python-slugger-8.0.1.tar.gz.asc',
    'python-slugger.gpg',
    'python-slugger.spec',
    'sbom.cdx.json',
  ]);
  assert.equal(sha256(files.get('python-slugger-8.0.1.tar.gz') as Buffer), pure.sdist.sha256);
  assert.ok((files.get('python-slugger-8.0.1.tar.gz.asc') as Buffer).equals(readFileSync(`${pure.sdist.path}.asc`)));
  assert.equal((files.get('provenance.json') as Buffer).toString(), pure.provenanceJson);
  assert.equal((files.get('sbom.cdx.json') as Buffer).toString(), pure.sbomJson);
  // what %gpgverify does in %prep, with gpgv: the shipped keyring verifies the shipped signature over Source0
  const dir = await mkdtemp(join(work, 'gpgv-'));
  for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);
  const gpgv = (keyring: string) =>
    execa(
      '/usr/bin/gpgv',
      ['--homedir', dir, '--keyring', join(dir, keyring), join(dir, 'python-slugger-8.0.1.tar.gz.asc'), join(dir, 'python-slugger-8.0.1.tar.gz')],
      { env, extendEnv: false, reject: false },
    );
  const good = await gpgv('python-slugger.gpg');
  assert.equal(good.exitCode, 0, good.stderr);
  assert.match(good.stderr, /Good signature/);
  // and a keyring of the wrong key does not (the check can fail)
  await execa('/usr/bin/gpg', ['--homedir', dir, '--batch', '--dearmor', '--output', join(dir, 'other.gpg'), OTHER_PUB], { env, extendEnv: false });
  assert.notEqual((await gpgv('other.gpg')).exitCode, 0);
  // minimal: one key, no third-party certifications (gpg lists what the keyring holds)
  const listed = (
    await execa('/usr/bin/gpg', ['--homedir', dir, '--batch', '--with-colons', '--show-keys', join(dir, 'python-slugger.gpg')], { env, extendEnv: false })
  ).stdout;
  assert.equal(listed.split('\n').filter((l) => l.startsWith('pub:')).length, 1);
});

test('rpmspec -P with the el9 and the fedora macros: Fedora pyproject macros, %gpgverify in %prep, noarch, the release per target', async () => {
  for (const [target, release] of [
    ['el9', '1.el9'],
    ['fedora', '1.fc44'],
  ] as const) {
    const spec = await parsedSpec(pureSrpm, target);
    assert.match(spec, new RegExp(`^Release: +${release.replace('.', '\\.')}$`, 'm'));
    assert.match(spec, /^BuildArch: +noarch$/m);
    for (const br of ['python3-devel', 'pyproject-rpm-macros', 'gnupg2']) assert.match(spec, new RegExp(`^BuildRequires: +${br}$`, 'm'));
    assert.doesNotMatch(spec, /^BuildRequires: +gcc$/m);
    assert.match(spec, /^Source0: +python-slugger-8\.0\.1\.tar\.gz$/m);
    // rpmspec expands %autosetup (rpm's own macro) into its shell lines; %{gpgverify} (redhat-rpm-config) stays as written
    assert.match(
      spec,
      /^%prep\n%\{gpgverify\} --keyring='[^']*\/python-slugger\.gpg' --signature='[^']*\/python-slugger-8\.0\.1\.tar\.gz\.asc' --data='[^']*\/python-slugger-8\.0\.1\.tar\.gz'\n/m,
    );
    assert.match(spec, /^cd 'python-slugger-8\.0\.1'$/m);
    // rpm 4.18's rpmspec -P leaves out the %generate_buildrequires line itself (checked in the raw spec below)
    for (const line of [
      '%pyproject_buildrequires\n\n%build\n%pyproject_wheel',
      '%install\n%pyproject_install\n%pyproject_save_files slugger',
      '%check\n%pyproject_check_import -t',
    ])
      assert.ok(spec.includes(line), `${line} missing:\n${spec}`);
    assert.match(
      spec,
      /^%files -n python3-slugger -f %\{pyproject_files\}\n%license LICENSE\n%doc README\.md provenance\.json sbom\.cdx\.json\n\/usr\/bin\/slugger$/m,
    );
  }
  const raw = ((await contents(pureSrpm)).get('python-slugger.spec') as Buffer).toString();
  assert.ok(raw.includes('\n%generate_buildrequires\n%pyproject_buildrequires\n'), raw);
  // the compiled project: arch-specific, a compiler
  const spec = await parsedSpec(compiledSrpm, 'el9');
  assert.doesNotMatch(spec, /^BuildArch:/m);
  assert.match(spec, /^BuildRequires: +gcc$/m);
});

test('PEP 740 evidence: no signature, no keyring, no gnupg2 and no %gpgverify; the provenance object ships as Source5', async () => {
  const provenanceObject = join(work, 'python-slugger-8.0.1.tar.gz.provenance');
  await writeFile(provenanceObject, '{"version": 1, "attestation_bundles": []}\n');
  const srpm = await build({ ...pure, evidence: { kind: 'pep740', provenancePath: provenanceObject } });
  const files = await contents(srpm);
  assert.deepEqual([...files.keys()].sort(), [
    'provenance.json',
    'python-slugger-8.0.1.tar.gz',
    'python-slugger-8.0.1.tar.gz.provenance',
    'python-slugger.spec',
    'sbom.cdx.json',
  ]);
  assert.equal(sha256(files.get('python-slugger-8.0.1.tar.gz') as Buffer), pure.sdist.sha256);
  assert.ok((files.get('python-slugger-8.0.1.tar.gz.provenance') as Buffer).equals(readFileSync(provenanceObject)));
  const spec = await parsedSpec(srpm, 'el9');
  assert.doesNotMatch(spec, /gpgverify|gnupg2|^Source[12]:/m);
  assert.match(spec, /^Source5: +python-slugger-8\.0\.1\.tar\.gz\.provenance$/m);
});

test('hostile metadata: a % and a newline in the summary stay text (no macro, no %post section)', async () => {
  const summary = 'Evil %{__rm} -rf / %(id)\n%post\necho pwned';
  const srpm = await build({ ...pure, metadata: { ...pure.metadata, summary } });
  const q = await execa('/usr/bin/rpm', ['-qp', '--qf', '%{SUMMARY}', srpm], { env, extendEnv: false });
  assert.equal(q.stdout, 'Evil %{__rm} -rf / %(id) %post echo pwned');
  const spec = await parsedSpec(srpm, 'fedora');
  assert.doesNotMatch(spec, /^\s*%post/m);
  assert.match(spec, /^Summary: +Evil %\{__rm\} -rf \/ %\(id\) %post echo pwned$/m);
  assert.deepEqual(
    (await rpmlint(srpm)).filter((l) => / E: /.test(l)),
    [],
  );
});

test('reproducible: two unsigned builds of the same inputs are the same bytes, the second under umask 077', async () => {
  const a = await build(pure, false);
  // umask 077 once gave the SRPM's files mode 0600
  const b = await withUmask(0o077, () => build(pure, false));
  assert.equal(sha256(await readFile(a)), sha256(await readFile(b)));
  // and the defines carry the target's dist
  assert.ok(srpmDefines(pure).some(([k, v]) => k === 'dist' && v === '.el9'));
});

test('the hostile fixture (nastymeta: macros, %prep/%post lines and shell in its metadata): rpmlint 0 errors, no section or macro of its own in the parsed spec', async () => {
  const nasty = await srpmInputs(fixtureSdist('nastymeta'), await mkdtemp(join(work, 'in-')));
  const srpm = await build(nasty);
  assert.deepEqual(
    (await rpmlint(srpm)).filter((l) => / E: /.test(l)),
    [],
  );
  const spec = await parsedSpec(srpm, 'el9');
  // every line the parsed spec starts with % is one the template wrote
  const ours =
    /^%(description( -n \S+)?|package -n \S+|prep|\{gpgverify\} .*|build|install|check|files -n \S+ -f %\{pyproject_files\}|license \S+|doc( \S+)+|changelog|pyproject_(buildrequires|wheel|install|check_import -t|save_files( \S+)+))$/;
  // (a description line that starts with % is guarded by a no-break space, which rpm does not skip: src/render/rpmspec.ts)
  for (const line of spec.split('\n').filter((l) => /^[ \t]*%/.test(l)))
    assert.match(line, ours, `a % line the template did not write: ${JSON.stringify(line)}`);
  const q = await execa('/usr/bin/rpm', ['-qp', '--qf', '%{SUMMARY}\n%{URL}', srpm], { env, extendEnv: false });
  assert.ok(q.stdout.includes('%{__rm}'), q.stdout);
});
