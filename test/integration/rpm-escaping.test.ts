/**
 * The spec escaping against the real rpmbuild: a package whose every field and file name is
 * hostile is built by the RPM packager (rpmbuild -bb), and rpm -qp must show exactly the
 * text that went in — nothing expanded, no section, conditional, include or scriptlet
 * smuggled in, no canary file created, every file listed under its own name.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { isPy2pkgError } from '../../src/errors.js';
import type { PackageInput } from '../../src/formats/packager.js';
import { rpmPackager } from '../../src/formats/rpm.js';
import { listFiles } from '../../src/python/build.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { PythonMetadata } from '../../src/types.js';
import { rpmQuery } from '../support/fixture-rpms.js';

let work: string;
let canary: string;
const el9 = profiles.el9 as TargetProfile;
const site = el9.siteDir;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-rpm-esc-'));
  canary = join(work, 'PWNED');
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const DESCRIPTION_LINES = (c: string) => [
  '%prep',
  `touch ${c}`,
  '%post',
  `touch ${c}`,
  '  %if 1',
  '%endif',
  '%else',
  '\t%include /etc/passwd',
  '%{lua: os.execute("touch ' + c + '")}',
  `%(touch ${c})`,
  '%define x %(touch ' + c + ')',
  '%global y 1',
  '%files',
  '%changelog',
  '* Mon Jan 01 2024 Evil <e@example.org> - 1-1',
  '# a markdown heading rpm would take for a comment',
  '  #! indented',
  'ends in a backslash \\',
  'unbalanced %{ and %( and %[',
  '%%already doubled',
  'in the middle: %{_bindir} $(id) `id` ${HOME}',
];

function metadata(c: string): PythonMetadata {
  return {
    metadataVersion: '2.4',
    name: 'evil-pkg',
    version: '2!1.0rc1',
    summary: `Evil %{lua: os.execute("touch ${c}")} %(touch ${c}) %{__rm}\nSecond: line`,
    description: DESCRIPTION_LINES(c).join('\n'),
    homePage: `https://example.org/%(touch${c})?q=%{version}`,
    projectUrls: [],
    licenseExpression: 'MIT AND (Apache-2.0 OR BSD-3-Clause)',
    licenseFiles: [],
    classifiers: [],
    requiresDist: [],
    providesExtra: [],
    dynamic: [],
  };
}

async function stage(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

async function input(name: string, files: Record<string, string>): Promise<PackageInput> {
  const dir = join(work, name);
  const root = join(dir, 'staging');
  await stage(root, files);
  await mkdir(join(dir, 'out'), { recursive: true });
  const meta = metadata(canary);
  return {
    metadata: meta,
    provenance: {
      sdist: { filename: 'evil-pkg-2!1.0rc1.tar.gz', sha256: 'a'.repeat(64), size: 1 },
      unsigned: true,
      verification: { method: 'none', reason: `converted with --allow-unsigned %(touch ${canary}) %{lua:x}` },
      verifiedAt: '2026-01-01T00:00:00.000Z',
    },
    build: {
      stagingRoot: root,
      wheelFile: join(dir, 'evil_pkg.whl'),
      wheelMetadata: '',
      distInfoDir: `${site}/evil_pkg-2!1.0rc1.dist-info`,
      pure: true,
      extensionModules: [],
      consoleScripts: [],
      files: await listFiles(root),
      buildSystem: { backend: 'setuptools.build_meta', requires: [], legacy: false },
      log: '',
    },
    target: el9,
    maintainer: 'Ops %{lua:x} 100% <ops@example.org>',
    sourceDateEpoch: 1767225600,
    outDir: join(dir, 'out'),
    licenseTexts: [{ name: 'LICENSE', text: 'MIT' }],
    toolVersion: '0.0.0-test',
    workDir: dir,
    // the escaping layer is under test: the hostile lines reach the spec verbatim, as the
    // description stage (src/description/) could hand them over
    description: meta.description,
  };
}

const NASTY_FILES = (): Record<string, string> => ({
  [`${site}/evil_pkg/__init__.py`]: 'x = 1\n',
  [`${site}/evil_pkg/data/a b.txt`]: 'space\n',
  [`${site}/evil_pkg/data/p%{lua:x}%d.txt`]: 'percent\n',
  [`${site}/evil_pkg/data/q'uote;$(id)#.txt`]: 'quote\n',
  [`${site}/evil_pkg/data/ü日本.txt`]: 'utf8\n',
  [`${site}/evil_pkg/globs/g[1]*?.txt`]: 'glob\n',
  [`${site}/evil_pkg/globs/g1x.txt`]: 'matches the glob\n',
  [`${site}/evil_pkg/globs/back\\slash.txt`]: 'backslash\n',
  [`${site}/evil_pkg-2!1.0rc1.dist-info/METADATA`]: 'Metadata-Version: 2.4\n',
  [`${site}/evil_pkg-2!1.0rc1.dist-info/licenses/LICENSE`]: 'MIT\n',
  '/usr/bin/evil-pkg': '#!/usr/bin/python3\n',
});

test('every hostile field comes out of rpm -qp exactly as it went in, and nothing ran', async () => {
  const out = await rpmPackager.build(await input('fields', NASTY_FILES()));
  assert.equal(out.packageName, 'python3-evil-pkg');
  assert.equal(out.version, '2:1.0~rc1-1.el9');
  const rpm = out.path;
  assert.match(rpm, /\/python3-evil-pkg-1.0~rc1-1\.el9\.noarch\.rpm$/);
  assert.equal(await rpmQuery(rpm, '--qf', '%{EPOCH}:%{VERSION}-%{RELEASE}'), '2:1.0~rc1-1.el9');
  // the Summary: one line, cut at a word to rpmlint's 79 characters, otherwise verbatim
  const summary = await rpmQuery(rpm, '--qf', '%{SUMMARY}');
  const flat = `Evil %{lua: os.execute("touch ${canary}")} %(touch ${canary}) %{__rm} Second: line`;
  assert.ok(summary.endsWith('…') && [...summary].length <= 79 && flat.startsWith(summary.slice(0, -1)), summary);
  assert.ok(summary.startsWith('Evil %{lua: os.execute("touch '), summary);
  assert.equal(await rpmQuery(rpm, '--qf', '%{URL}'), `https://example.org/%(touch${canary})?q=%{version}`);
  assert.equal(await rpmQuery(rpm, '--qf', '%{LICENSE}'), 'MIT AND (Apache-2.0 OR BSD-3-Clause)');
  assert.equal(await rpmQuery(rpm, '--qf', '%{PACKAGER}'), 'Ops %{lua:x} 100% <ops@example.org>');
  assert.equal(await rpmQuery(rpm, '--scripts'), '', 'a scriptlet was smuggled in');
  assert.deepEqual((await rpmQuery(rpm, '--provides')).split('\n').sort(), [
    'python3-evil-pkg = 2:1.0~rc1-1.el9',
    'python3.9dist(evil-pkg) = 2:1~rc1',
    'python3dist(evil-pkg) = 2:1~rc1',
  ]);
  // every line keeps its text; lines rpmbuild would read as a section, conditional or comment
  // start with a no-break space; tabs are 4 spaces
  const expected = DESCRIPTION_LINES(canary)
    .map((l) => l.replace(/\t/g, '    '))
    .map((l) => (/^\s*[%#]/.test(l) ? `\u00a0${l}` : l));
  assert.deepEqual((await rpmQuery(rpm, '--qf', '%{DESCRIPTION}')).split('\n'), expected);
  const changelog = await rpmQuery(rpm, '--changelog');
  assert.match(changelog, /^\* Thu Jan 01 2026 Ops %\{lua:x\} 100% <ops@example\.org> - 2:1.0~rc1-1\.el9\n/);
  assert.ok(changelog.includes(`%(touch ${canary})`), changelog);
  assert.equal(existsSync(canary), false, 'rpmbuild ran something from the metadata');
  // the spec itself shows the escapes
  const spec = await readFile(join(work, 'fields', 'rpmbuild', 'SPECS', 'python3-evil-pkg.spec'), 'utf8');
  assert.match(spec, /^Summary: +Evil %%\{lua: /m);
  assert.match(spec, /^\u00a0%%prep$/m);
  assert.doesNotMatch(spec, /^\s*%(prep|post|if|endif|else|include|define|global|files|changelog)\b.*touch/m);
});

test('file names: quoted, %% escaped, and a name rpm would glob is covered by owning its directory whole', async () => {
  const out = await rpmPackager.build(await input('files', NASTY_FILES()));
  const listed = (await rpmQuery(out.path, '--qf', '[%{FILEFLAGS:fflags}|%{FILEMODES:perms}|%{FILENAMES}\n]')).split('\n');
  const paths = listed.map((l) => l.split('|')[2]);
  for (const p of Object.keys(NASTY_FILES())) assert.ok(paths.includes(p), `${p} not in the package:\n${paths.join('\n')}`);
  assert.ok(paths.includes(`${site}/evil_pkg/globs`), 'the directory of the unlistable names is owned');
  assert.equal(paths.filter((p) => p === `${site}/evil_pkg/globs/g1x.txt`).length, 1, 'a glob matched another file');
  assert.ok(listed.includes(`|-rwxr-xr-x|/usr/bin/evil-pkg`), 'script not 0755');
  assert.ok(listed.includes(`l|-rw-r--r--|${site}/evil_pkg-2!1.0rc1.dist-info/licenses/LICENSE`), 'dist-info license not %license');
  assert.ok(listed.includes(`g|-rw-r--r--|${site}/evil_pkg/__pycache__/__init__.cpython-39.pyc`), 'bytecode not %ghost');
  assert.ok(!paths.includes('/usr/share/licenses/python3-evil-pkg/LICENSE'), 'the license is not copied twice when the wheel carries it');
});

test('a name rpm cannot list in a directory the package does not own is refused: RPM_FILE_NAME, nothing written', async () => {
  const i = await input('refused', {
    [`${site}/evil_pkg/__init__.py`]: 'x = 1\n',
    '/usr/bin/evil*': '#!/usr/bin/python3\n',
    [`${site}/evil_pkg-2!1.0rc1.dist-info/METADATA`]: 'x\n',
  });
  await assert.rejects(
    () => rpmPackager.build(i),
    (e: unknown) => isPy2pkgError(e) && e.code === 'RPM_FILE_NAME' && e.exitStatus === 5 && /\/usr\/bin\/evil\*/.test(e.message),
  );
  const { readdir } = await import('node:fs/promises');
  assert.deepEqual(await readdir(i.outDir), []);
});
