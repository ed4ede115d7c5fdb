/**
 * --source --format deb, judged by Debian's own tools: dscverify (with only the organization's
 * keyring) accepts the signed .dsc and .changes and refuses them against another key;
 * dpkg-source -x unpacks the package (checking the upstream signature against
 * debian/upstream/signing-key.asc as it goes); the .orig is the verified sdist byte for byte;
 * debian/ holds what a build farm needs (control with complete Build-Depends, rules, changelog,
 * DEP-5 copyright, source/format, the minimal upstream key, watch, provenance + SBOM); a C
 * extension gets Architecture: any, python3-all-dev and the -dev packages of the config's
 * [project.NAME] build-depends; a .zip or plain .tar sdist is refused with SOURCE_ORIG_FORMAT (5);
 * [build-system] requires keep their bounds in Build-Depends, which dpkg-checkbuilddeps finds met
 * on this Debian 12 machine, and a bound Debian 12 cannot meet is refused before the build
 * (DEPENDS_UNSATISFIABLE, 5) unless depends-map forces it, when dpkg-checkbuilddeps names it unmet.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as openpgp from 'openpgp';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub, withUmask } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const ORG_PUB = join(keysDir, 'org-repo-TEST-ONLY.pub.asc');
const OTHER_PUB = join(keysDir, 'other-TEST-ONLY.pub.asc');
const UPSTREAM_FPR = '0FC029A5151A5314065A89B742AE91E6614A64EA';
const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', HOME: '/nonexistent' };

let work: string;
let out: string;
let files: string[];

const sourceArgs = (outDir: string, sdist: string, more: string[] = []) => [
  '--source',
  '--format',
  'deb',
  '--trusted-keys',
  upstreamPub,
  '--sign-key',
  ORG_SEC,
  '--maintainer',
  TEST_MAINTAINER,
  '--out',
  outDir,
  '--quiet',
  ...more,
  sdist,
];

/** A binary keyring gpgv reads, from an armored public key. */
async function keyring(armored: string, name: string): Promise<string> {
  const key = await openpgp.readKey({ armoredKey: readFileSync(armored, 'utf8') });
  const path = join(work, name);
  await writeFile(path, key.write());
  return path;
}

const dscverify = (keyringPath: string, file: string) =>
  execa('/usr/bin/dscverify', ['--no-default-keyrings', '--keyring', keyringPath, file], { env, extendEnv: false, reject: false, cwd: out });

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-srcdeb-'));
  out = join(work, 'out');
  const r = await py2pkg(sourceArgs(out, fixtureSdist('rpc4django')), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  files = r.stdout.trim().split('\n');
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('the files of a source upload: .dsc first, orig + signature, debian tarball, buildinfo, changes', async () => {
  const names = files.map((f) => f.slice(out.length + 1));
  assert.deepEqual(names, [
    'python-rpc4django_0.6.3-1.dsc',
    'python-rpc4django_0.6.3.orig.tar.gz',
    'python-rpc4django_0.6.3.orig.tar.gz.asc',
    'python-rpc4django_0.6.3-1.debian.tar.xz',
    'python-rpc4django_0.6.3-1_source.buildinfo',
    'python-rpc4django_0.6.3-1_source.changes',
  ]);
  assert.deepEqual((await readdir(out)).sort(), [...names].sort(), 'nothing else in --out');
  assert.ok(readFileSync(join(out, names[1]!)).equals(readFileSync(fixtureSdist('rpc4django'))), 'the .orig is the verified sdist byte for byte');
  assert.ok(readFileSync(join(out, names[2]!)).equals(readFileSync(`${fixtureSdist('rpc4django')}.asc`)), 'the upstream signature beside it');
  const dsc = await readFile(join(out, names[0]!), 'utf8');
  assert.match(
    dsc,
    /^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nFormat: 3\.0 \(quilt\)\nSource: python-rpc4django\nBinary: python3-rpc4django\nArchitecture: all\nVersion: 0\.6\.3-1\n/,
  );
  assert.match(dsc, / python-rpc4django_0\.6\.3\.orig\.tar\.gz\.asc$/m, 'the .dsc lists the upstream signature');
});

test('reproducible under umask 077: the same debian tarball, its directories 0755, files 0644, rules 0755', async () => {
  const again = join(work, 'umask077');
  const r = await withUmask(0o077, () => py2pkg(sourceArgs(again, fixtureSdist('rpc4django')), { SOURCE_DATE_EPOCH: TEST_EPOCH }));
  assert.equal(r.exitCode, 0, r.stderr);
  const tarball = 'python-rpc4django_0.6.3-1.debian.tar.xz';
  assert.ok(readFileSync(join(again, tarball)).equals(readFileSync(join(out, tarball))), 'the debian tarball differs under umask 077');
  const listing = (await execa('/usr/bin/tar', ['-tvJf', join(again, tarball)], { env, extendEnv: false })).stdout.split('\n');
  for (const line of listing) {
    const [mode, , , , , name] = line.split(/\s+/);
    const want = name?.endsWith('/') ? 'drwxr-xr-x' : name === 'debian/rules' ? '-rwxr-xr-x' : '-rw-r--r--';
    assert.equal(mode, want, line);
  }
});

test('dscverify accepts the .dsc and the .changes with only the organization keyring, and refuses another key', async () => {
  const org = await keyring(ORG_PUB, 'org.gpg');
  for (const f of ['python-rpc4django_0.6.3-1.dsc', 'python-rpc4django_0.6.3-1_source.changes']) {
    const ok = await dscverify(org, f);
    assert.equal(ok.exitCode, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.match(ok.stdout, /Good signature found/);
    assert.match(ok.stdout, /All files validated successfully/);
  }
  const other = await dscverify(await keyring(OTHER_PUB, 'other.gpg'), 'python-rpc4django_0.6.3-1.dsc');
  assert.notEqual(other.exitCode, 0, 'a keyring without the organization key is refused');
});

test('dpkg-source -x unpacks it; debian/ holds what a build farm needs', async () => {
  const x = join(work, 'x');
  await mkdir(x);
  const r = await execa('/usr/bin/dpkg-source', ['-x', join(out, 'python-rpc4django_0.6.3-1.dsc'), 'tree'], { cwd: x, env, extendEnv: false, reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  const d = join(x, 'tree', 'debian');
  const read = (f: string) => readFileSync(join(d, f), 'utf8');
  assert.equal(read('source/format'), '3.0 (quilt)\n');
  const control = read('control');
  assert.match(control, /^Source: python-rpc4django$/m);
  assert.match(
    control,
    /^Build-Depends: debhelper-compat \(= 13\),\n dh-sequence-python3,\n dh-python,\n pybuild-plugin-pyproject,\n python3-all,\n python3-setuptools,\n python3-wheel\n/m,
  );
  assert.match(control, /^Architecture: all$/m);
  assert.match(control, /^Depends: \$\{python3:Depends\},\n \$\{misc:Depends\}\n/m);
  assert.match(read('rules'), /^\tdh \$@ --buildsystem=pybuild$/m);
  assert.match(read('changelog'), /^python-rpc4django \(0\.6\.3-1\) bookworm; urgency=medium$/m);
  assert.match(read('changelog'), /Upstream signature verified: key 0FC029A5151A5314065A89B742AE91E6614A64EA/);
  assert.match(read('copyright'), /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/$/m);
  assert.match(read('copyright'), /^License: Expat$/m);
  assert.match(read('watch'), /^version=4$/m);
  assert.match(read('watch'), /opts="pgpsigurlmangle=s%\$%\.asc%/);
  assert.match(read('watch'), /https:\/\/pypi\.debian\.net\/rpc4django\/rpc4django-\(/);
  assert.equal(read('python3-rpc4django.docs'), 'debian/py2pkg/provenance.json\ndebian/py2pkg/sbom.cdx.json\n');
  const prov = JSON.parse(read('py2pkg/provenance.json')) as { sdist: { sha256: string }; verification: { method: string } };
  assert.equal(prov.verification.method, 'openpgp-detached-signature');
  assert.match(readFileSync(`${fixtureSdist('rpc4django')}`).length > 0 ? prov.sdist.sha256 : '', /^[0-9a-f]{64}$/);
  const sbom = JSON.parse(read('py2pkg/sbom.cdx.json')) as { bomFormat: string; specVersion: string };
  assert.equal(sbom.bomFormat, 'CycloneDX');
  // the upstream key: the one that verified the sdist, minimal (what gpg --export-options export-minimal keeps)
  const keys = await openpgp.readKeys({ armoredKeys: read('upstream/signing-key.asc') });
  assert.deepEqual(
    keys.map((k) => k.getFingerprint().toUpperCase()),
    [UPSTREAM_FPR],
  );
  for (const u of keys[0]!.users) assert.equal(u.otherCertifications.length, 0);
  assert.ok(!keys[0]!.isPrivate());
});

test("gpgv with debian/upstream/signing-key.asc verifies the .orig against its .asc (what dpkg-source -b and uscan check), and not another file's signature", async () => {
  const x = join(work, 'x2');
  await mkdir(x);
  await execa('/usr/bin/tar', ['-xf', join(out, 'python-rpc4django_0.6.3-1.debian.tar.xz'), '-C', x, 'debian/upstream/signing-key.asc'], {
    env,
    extendEnv: false,
  });
  const ring = await keyring(join(x, 'debian/upstream/signing-key.asc'), 'upstream.gpg');
  const gpgv = (sig: string) =>
    execa('/usr/bin/gpgv', ['--keyring', ring, sig, join(out, 'python-rpc4django_0.6.3.orig.tar.gz')], { env, extendEnv: false, reject: false });
  const good = await gpgv(join(out, 'python-rpc4django_0.6.3.orig.tar.gz.asc'));
  assert.equal(good.exitCode, 0, good.stderr);
  assert.match(good.stderr, /Good signature from "py2pkg upstream signer/);
  const bad = await gpgv(`${fixtureSdist('tinyclick')}.asc`);
  assert.notEqual(bad.exitCode, 0, "another file's signature does not verify the orig");
  assert.match(bad.stderr, /BAD signature/);
});

test("a C extension: Architecture any, python3-all-dev, ${shlibs:Depends} and the config's -dev packages", async () => {
  const o = join(work, 'c');
  const cfg = join(work, 'config.toml');
  await writeFile(cfg, '[project.yamlish]\nbuild-depends = ["libyaml-dev"]\n');
  const r = await py2pkg(sourceArgs(o, fixtureSdist('yamlish'), ['--config', cfg]), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  const tar = await execa('/usr/bin/tar', ['-xOf', join(o, 'python-yamlish_6.0-1.debian.tar.xz'), 'debian/control'], { env, extendEnv: false });
  assert.match(
    tar.stdout,
    /^Build-Depends: debhelper-compat \(= 13\),\n dh-sequence-python3,\n dh-python,\n pybuild-plugin-pyproject,\n python3-all-dev,\n python3-setuptools,\n(?: .*\n)*? libyaml-dev\n/m,
  );
  assert.match(tar.stdout, /^Architecture: any$/m);
  assert.match(tar.stdout, /\$\{shlibs:Depends\}/);
});

test('a .zip or plain .tar sdist is refused: SOURCE_ORIG_FORMAT, exit 5, nothing written', async () => {
  const dir = join(work, 'zip');
  await mkdir(dir);
  const zip = join(dir, 'rpc4django-0.6.3.zip');
  await execa(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("rpc4django-0.6.3/PKG-INFO", "Metadata-Version: 2.1\\nName: rpc4django\\nVersion: 0.6.3\\n")',
      zip,
    ],
    { env, extendEnv: false },
  );
  const plain = join(dir, 'rpc4django-0.6.3.tar');
  await execa('/usr/bin/sh', ['-c', 'gzip -dc "$1" > "$2"', 'sh', fixtureSdist('rpc4django'), plain], { env, extendEnv: false });
  for (const sdist of [zip, plain]) {
    const o = join(dir, `out-${sdist.endsWith('.zip') ? 'zip' : 'tar'}`);
    const r = await py2pkg(sourceArgs(o, sdist), { SOURCE_DATE_EPOCH: TEST_EPOCH });
    assert.equal(r.exitCode, 5, r.stderr);
    assert.match(
      r.stderr,
      /^py2pkg: error\[SOURCE_ORIG_FORMAT\]: rpc4django-0\.6\.3\.(zip is a \.zip archive|tar is not a compressed tarball): .*\(a Debian source package keeps the upstream sdist byte for byte/m,
    );
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.ok(!existsSync(o), '--out made for the run is removed again');
  }
});

/**
 * The watch file as uscan reads it: the next release (0.6.4, on a loopback HTTP server standing
 * in for pypi.debian.net) is downloaded and its signature checked against
 * debian/upstream/signing-key.asc; a release whose signature does not match is refused.
 */
test('uscan follows debian/watch to the next release and verifies its signature with debian/upstream/signing-key.asc', async () => {
  const { createServer } = await import('node:http');
  const { signDetached } = await import('../../fixtures/sign.js');
  const site = new Map<string, Buffer>();
  const next = readFileSync(fixtureSdist('rpc4django'));
  const sig = await signDetached(next, readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8'));
  site.set('/rpc4django/', Buffer.from('<html><body><a href="rpc4django-0.6.4.tar.gz">rpc4django-0.6.4.tar.gz</a></body></html>'));
  site.set('/rpc4django/rpc4django-0.6.4.tar.gz', next);
  site.set('/rpc4django/rpc4django-0.6.4.tar.gz.asc', Buffer.from(sig as string));
  const server = createServer((req, res) => {
    const body = site.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const x = join(work, 'uscan');
    await mkdir(x);
    const r = await execa('/usr/bin/dpkg-source', ['-x', join(out, 'python-rpc4django_0.6.3-1.dsc'), 'tree'], { cwd: x, env, extendEnv: false, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const watch = join(x, 'tree', 'debian', 'watch');
    const text = readFileSync(watch, 'utf8');
    assert.ok(text.includes('https://pypi.debian.net/rpc4django/'));
    await writeFile(watch, text.replace('https://pypi.debian.net/rpc4django/', `http://127.0.0.1:${port}/rpc4django/`));
    const uscan = () =>
      execa('/usr/bin/uscan', ['--verbose', '--destdir', join(x, 'dl'), '--timeout', '20'], {
        cwd: join(x, 'tree'),
        env: { ...env, HOME: x },
        extendEnv: false,
        reject: false,
      });
    await mkdir(join(x, 'dl'));
    const ok = await uscan();
    assert.equal(ok.exitCode, 0, `${ok.stdout}\n${ok.stderr}`);
    assert.match(`${ok.stdout}\n${ok.stderr}`, /Newest version of python-rpc4django on remote site is 0\.6\.4/);
    assert.match(`${ok.stdout}\n${ok.stderr}`, /Good signature from "py2pkg upstream signer/);
    assert.ok(existsSync(join(x, 'dl', 'python-rpc4django_0.6.4.orig.tar.gz')));
    // the same release with a signature over other bytes
    site.set('/rpc4django/rpc4django-0.6.4.tar.gz.asc', readFileSync(`${fixtureSdist('tinyclick')}.asc`));
    await rm(join(x, 'dl'), { recursive: true, force: true });
    await mkdir(join(x, 'dl'));
    const bad = await uscan();
    assert.notEqual(bad.exitCode, 0, `uscan accepted a bad signature:\n${bad.stdout}\n${bad.stderr}`);
    assert.match(`${bad.stdout}\n${bad.stderr}`, /BAD signature|OpenPGP signature did not verify/);
  } finally {
    server.close();
  }
});

test('--source refuses what does not apply to it: a batch, --repo (exit 2, one line)', async () => {
  const batch = await py2pkg(['--source', '--out', join(work, 'b1'), fixtureSdist('rpc4django'), fixtureSdist('tinyclick')]);
  assert.equal(batch.exitCode, 2, batch.stderr);
  assert.match(batch.stderr, /^py2pkg: error\[USAGE\]: --source converts one sdist at a time/m);
  const repo = await py2pkg(sourceArgs(join(work, 'b2'), fixtureSdist('rpc4django'), ['--repo', join(work, 'repo')]));
  assert.equal(repo.exitCode, 2, repo.stderr);
  assert.match(repo.stderr, /^py2pkg: error\[USAGE\]: --repo publishes binary packages/m);
  assert.ok(!existsSync(join(work, 'b2')));
});

test('a binary .sig signature (--signature) becomes an armored .orig.tar.gz.asc that gpgv verifies; watch mangles to .sig', async () => {
  const { signDetached } = await import('../../fixtures/sign.js');
  const dir = join(work, 'binsig');
  await mkdir(dir);
  const sdist = join(dir, 'rpc4django-0.6.3.tar.gz');
  await writeFile(sdist, readFileSync(fixtureSdist('rpc4django')));
  await writeFile(
    `${sdist}.sig`,
    (await signDetached(readFileSync(sdist), readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8'), { armor: false })) as Uint8Array,
  );
  const o = join(dir, 'out');
  const r = await py2pkg(sourceArgs(o, sdist, ['--signature', `${sdist}.sig`]), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 0, r.stderr);
  const asc = join(o, 'python-rpc4django_0.6.3.orig.tar.gz.asc');
  assert.match(readFileSync(asc, 'utf8'), /^-----BEGIN PGP SIGNATURE-----\n[\s\S]*\n=[A-Za-z0-9+/]{4}\n-----END PGP SIGNATURE-----\n?$/);
  const ring = await keyring(upstreamPub, 'upstream-bin.gpg');
  const v = await execa('/usr/bin/gpgv', ['--keyring', ring, asc, join(o, 'python-rpc4django_0.6.3.orig.tar.gz')], { env, extendEnv: false, reject: false });
  assert.equal(v.exitCode, 0, v.stderr);
  assert.doesNotMatch(v.stderr, /invalid (radix64|packet)/);
  const watch = await execa('/usr/bin/tar', ['-xOf', join(o, 'python-rpc4django_0.6.3-1.debian.tar.xz'), 'debian/watch'], { env, extendEnv: false });
  assert.match(watch.stdout, /pgpsigurlmangle=s%\$%\.sig%/);
});

/**
 * An sdist made here from the python-slugger fixture with its [build-system] requires replaced
 * (Debian 12's own frontend, as fixtures/build-sdists.ts does), signed with the TEST-ONLY
 * upstream key.
 */
async function boundedSdist(name: string, requires: string[]): Promise<string> {
  const { cp } = await import('node:fs/promises');
  const { signDetached } = await import('../../fixtures/sign.js');
  const dir = join(work, `proj-${name}`);
  await cp(join(repoRoot, 'fixtures', 'projects', 'python-slugger'), dir, { recursive: true });
  const pyproject = readFileSync(join(dir, 'pyproject.toml'), 'utf8')
    .replace(/^requires = .*$/m, `requires = ${JSON.stringify(requires)}`)
    .replace(/^name = "python-slugger"$/m, `name = "${name}"`);
  await writeFile(join(dir, 'pyproject.toml'), pyproject);
  const built = await execa(
    '/usr/bin/python3',
    ['-m', 'build', '--sdist', '--no-isolation', '--skip-dependency-check', '--outdir', join(work, `sdist-${name}`), dir],
    { env: { ...env, SOURCE_DATE_EPOCH: TEST_EPOCH }, extendEnv: false, reject: false },
  );
  assert.equal(built.exitCode, 0, built.stderr);
  const sdist = join(work, `sdist-${name}`, `${name}-8.0.1.tar.gz`);
  await writeFile(`${sdist}.asc`, (await signDetached(readFileSync(sdist), readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8'))) as string);
  return sdist;
}

/** dpkg-source -x the .dsc, then dpkg-checkbuilddeps in the unpacked tree (this machine's dpkg database). */
async function checkBuildDeps(dsc: string, name: string): Promise<{ exitCode: number; stderr: string }> {
  const x = join(work, `x-${name}`);
  await mkdir(x);
  const unpacked = await execa('/usr/bin/dpkg-source', ['-x', dsc, 'tree'], { cwd: x, env, extendEnv: false, reject: false });
  assert.equal(unpacked.exitCode, 0, unpacked.stderr);
  const r = await execa('/usr/bin/dpkg-checkbuilddeps', [], { cwd: join(x, 'tree'), env, extendEnv: false, reject: false });
  return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr) };
}

const dscField = (text: string, field: string): string | undefined => new RegExp(`^${field}: (.*)$`, 'm').exec(text)?.[1];

test('[build-system] requires keep their bounds in Build-Depends (markers for Python 3.11); dpkg-checkbuilddeps finds them met on this Debian 12 machine', async () => {
  const sdist = await boundedSdist('boundeddemo', [
    'setuptools>=61.0,!=63.0',
    'wheel>=0.37,<1',
    'setuptools_scm[toml]>=6.2,<8',
    'Cython>=0.29,<3',
    'tomli>=1.1; python_version < "3.11"',
  ]);
  const o = join(work, 'bounded');
  const r = await py2pkg(
    sourceArgs(o, sdist).filter((a) => a !== '--quiet'),
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  const dsc = join(o, 'python-boundeddemo_8.0.1-1.dsc');
  assert.equal(
    dscField(readFileSync(dsc, 'utf8'), 'Build-Depends'),
    'debhelper-compat (= 13), dh-sequence-python3, dh-python, pybuild-plugin-pyproject, python3-all, python3-setuptools (>= 61), python3-wheel (>= 0.37), python3-wheel (<< 1~), python3-setuptools-scm (>= 6.2), python3-setuptools-scm (<< 8~), cython3 (>= 0.29), cython3 (<< 3~)',
  );
  // what cannot be expressed is said, once each
  assert.match(r.stderr, /^py2pkg: warning: build dependencies: setuptools: !=63\.0 left out: Debian relations cannot exclude a version$/m);
  // setuptools_scm[toml]: the extra's setuptools>=42 gives way to >= 61, nothing to warn about
  assert.doesNotMatch(r.stderr, /extras' own requirements/);
  const check = await checkBuildDeps(dsc, 'bounded');
  assert.equal(check.exitCode, 0, `dpkg-checkbuilddeps: ${check.stderr}`);
  assert.equal(check.stderr, '');
});

test('a bound Debian 12 cannot meet (setuptools>=99) is refused before the build: DEPENDS_UNSATISFIABLE, exit 5; forced with depends-map, dpkg-checkbuilddeps names it unmet', async () => {
  const sdist = await boundedSdist('toonew', ['setuptools>=99', 'wheel']);
  const o = join(work, 'toonew');
  const r = await py2pkg(sourceArgs(o, sdist), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(r.exitCode, 5, r.stderr);
  assert.match(
    r.stderr,
    /^py2pkg: error\[DEPENDS_UNSATISFIABLE\]: toonew 8\.0\.1: debian12 cannot satisfy a build requirement \(\[build-system\] requires\): setuptools>=99 -> python3-setuptools \(>= 99\), but debian12 has python3-setuptools 66\.1\.1-1\+deb12u2 \(if the archive's version works, override per requirement in the config file: \[depends-map\] setuptools = "python3-setuptools"/m,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  assert.ok(!existsSync(o), 'nothing written');
  // the organization's build farm has a newer setuptools: the user says so, py2pkg writes it as given
  const cfg = join(work, 'toonew.toml');
  await writeFile(cfg, '[depends-map]\nsetuptools = "python3-setuptools (>= 99)"\n');
  const forced = await py2pkg(sourceArgs(o, sdist, ['--config', cfg]), { SOURCE_DATE_EPOCH: TEST_EPOCH });
  assert.equal(forced.exitCode, 0, forced.stderr);
  const dsc = join(o, 'python-toonew_8.0.1-1.dsc');
  assert.equal(
    dscField(readFileSync(dsc, 'utf8'), 'Build-Depends'),
    'debhelper-compat (= 13), dh-sequence-python3, dh-python, pybuild-plugin-pyproject, python3-all, python3-setuptools (>= 99), python3-wheel',
  );
  const check = await checkBuildDeps(dsc, 'toonew');
  assert.notEqual(check.exitCode, 0, 'dpkg-checkbuilddeps must not find python3-setuptools (>= 99) met by 66.1.1');
  assert.match(check.stderr, /^dpkg-checkbuilddeps: error: Unmet build dependencies: python3-setuptools \(>= 99\)$/m);
});
