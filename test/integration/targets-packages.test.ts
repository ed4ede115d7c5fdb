/**
 * Every fixture for every target profile (test/support/target-packages.ts):
 *  - golden files: the rendered deb control + changelog and the RPM spec of each fixture for
 *    each profile are checked in under test/golden/<profile>/ and compared, so a template or
 *    profile change shows up in review. Regenerate with UPDATE_GOLDEN=1.
 *  - the harness gives what the CLI gives, byte for byte (debian12 .deb, el9 .rpm);
 *  - lintian: 0 errors for the debs of every deb profile (debian12's are judged in
 *    deb-fixtures.test.ts), the same allowed warnings;
 *  - each package carries its profile's values (release, distribution, site dir, compression).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { profiles } from '../../src/targets/profiles.js';
import { convertedFixtures } from '../support/fixture-debs.js';
import { convertedRpms, rpmQuery, toolEnv } from '../support/fixture-rpms.js';
import { repoRoot } from '../support/project.js';
import { PROFILE_IDS, targetPackages, type TargetPackage } from '../support/target-packages.js';

const goldenDir = join(repoRoot, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';
let packages: TargetPackage[];

/** What may differ between two `make fixtures` runs: the sdist bytes (setuptools sdists are not reproducible). */
function normalize(text: string, sha: string | undefined): string {
  return sha ? text.split(sha).join('<sdist-sha256>') : text;
}

function sdistSha(p: TargetPackage): string | undefined {
  return /sdist sha256:\s+([0-9a-f]{64})/.exec(Object.values(p.rendered).join('\n'))?.[1];
}

/** golden file name -> expected text */
function goldenFiles(): Map<string, string> {
  const want = new Map<string, string>();
  for (const p of packages) {
    if (p.refused !== undefined) want.set(join(p.profile, `${p.fixture}.refused`), `${p.refused}\n`);
    const sha = sdistSha(p);
    for (const [kind, text] of Object.entries(p.rendered)) want.set(join(p.profile, `${p.fixture}.${kind}`), normalize(text, sha));
  }
  return want;
}

function existingGoldens(): string[] {
  if (!existsSync(goldenDir)) return [];
  return readdirSync(goldenDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'README.md')
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(goldenDir.length + 1))
    .sort();
}

before(async () => {
  packages = await targetPackages();
});

test('every built-in profile packages every convertible fixture, or refuses it with one line', () => {
  assert.deepEqual([...new Set(packages.map((p) => p.profile))], PROFILE_IDS);
  for (const p of packages) assert.ok(p.refused !== undefined || p.path !== undefined, `${p.profile} ${p.fixture}`);
  // el8's Python 3.6 is below every fixture's Requires-Python except three (optspeedup: >=3.6,
  // pure because its C speed-up is built only on request, so it converts for every profile)
  assert.deepEqual(
    packages
      .filter((p) => p.profile === 'el8' && !p.refused)
      .map((p) => p.fixture)
      .sort(),
    ['nastymeta-1.0', 'optspeedup-2.1.2', 'rpc4django-0.6.3'],
  );
  assert.deepEqual(
    packages.filter((p) => p.fixture === 'optspeedup-2.1.2' && !p.refused).map((p) => p.profile),
    PROFILE_IDS,
  );
  for (const p of packages.filter((x) => x.refused))
    assert.match(p.refused as string, /^py2pkg: error\[REQUIRES_PYTHON\]: .+ requires Python .+, but el8 has Python 3\.6\.8 \(.+\)$/);
});

test('golden files: rendered control, changelog and spec for each fixture and profile (UPDATE_GOLDEN=1 rewrites them)', async () => {
  const want = goldenFiles();
  if (update) {
    await rm(goldenDir, { recursive: true, force: true });
    for (const [rel, text] of want) {
      await mkdir(join(goldenDir, rel, '..'), { recursive: true });
      await writeFile(join(goldenDir, rel), text);
    }
    await writeFile(join(goldenDir, 'README.md'), GOLDEN_README);
  }
  const have = existingGoldens();
  assert.deepEqual(
    have,
    [...want.keys()].sort(),
    'golden files missing or stale: run UPDATE_GOLDEN=1 node --test dist/test/integration/targets-packages.test.js and review the diff',
  );
  const differing = [...want].filter(([rel, text]) => readFileSync(join(goldenDir, rel), 'utf8') !== text).map(([rel]) => rel);
  assert.deepEqual(differing, [], 'rendered files differ from test/golden/ (UPDATE_GOLDEN=1 to accept, then review the diff)');
});

test('the harness gives the same bytes as the CLI: debian12 .deb and el9 .rpm for every fixture', async () => {
  const cli = [...(await convertedFixtures()), ...(await convertedRpms())];
  for (const id of ['debian12', 'el9']) {
    for (const p of packages.filter((x) => x.profile === id)) {
      const c = cli.find((x) => x.packageName === p.packageName && x.path.endsWith(id === 'el9' ? '.rpm' : '.deb'));
      assert.ok(c, `no CLI conversion of ${p.packageName}`);
      assert.ok(readFileSync(c.path).equals(readFileSync(p.path as string)), `${id} ${p.packageName}: the CLI and the harness differ`);
    }
  }
});

test('lintian: 0 errors for the debs of every deb profile, only the allowed warnings', async () => {
  const debs = packages.filter((p) => p.path?.endsWith('.deb') && p.profile !== 'debian12').map((p) => p.path as string);
  assert.ok(debs.length >= 27, `only ${debs.length} debs`);
  const allowed = readFileSync(join(repoRoot, 'test', 'lintian-allowed.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const r = await execa('/usr/bin/lintian', ['--tag-display-limit', '0', '--display-level', '>=warning', ...debs], {
    env: toolEnv,
    extendEnv: false,
    reject: false,
    timeout: 20 * 60_000,
  });
  const lines = r.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
  assert.ok(r.exitCode === 0 || lines.length > 0, `lintian failed to run: ${r.stderr}`);
  assert.deepEqual(
    lines.filter((l) => l.startsWith('E: ')),
    [],
    'lintian errors',
  );
  assert.deepEqual(
    lines.filter((l) => !allowed.includes(l.split(' ')[2] ?? '')),
    [],
    'lintian warnings not in test/lintian-allowed.txt',
  );
});

test('each package carries its profile: version suffix, distribution, site directory, Python, compression', async () => {
  for (const p of packages.filter((x) => x.path)) {
    const profile = profiles[p.profile]!;
    const file = p.path as string;
    if (file.endsWith('.deb')) {
      assert.ok((p.version as string).endsWith(`-${profile.revision}`), `${p.profile} ${p.version}`);
      assert.match(
        p.rendered.changelog as string,
        new RegExp(`^${p.packageName} \\(${(p.version as string).replace(/[.+~]/g, '\\$&')}\\) ${profile.distribution}; urgency=medium\\n`),
      );
      const members = (await execa('/usr/bin/ar', ['t', file], { env: toolEnv, extendEnv: false })).stdout.split('\n');
      assert.deepEqual(members, ['debian-binary', `control.tar.${profile.compression}`, `data.tar.${profile.compression}`]);
      const contents = (await execa('/usr/bin/dpkg-deb', ['--contents', file], { env: toolEnv, extendEnv: false })).stdout;
      assert.ok(contents.includes(`.${profile.siteDir}/`), `${p.profile} ${p.packageName}: nothing in ${profile.siteDir}`);
    } else {
      assert.equal(await rpmQuery(file, '--qf', '%{RELEASE} %{PAYLOADCOMPRESSOR}'), `${profile.revision} ${profile.compression}`);
      assert.ok((await rpmQuery(file, '--requires')).split('\n').includes(`python(abi) = ${profile.pythonVersion}`));
      assert.match(await rpmQuery(file, '--provides'), new RegExp(`^python${profile.pythonVersion.replace('.', '\\.')}dist\\(`, 'm'));
      const files = (await rpmQuery(file, '--qf', '[%{FILENAMES}\n]')).split('\n');
      assert.ok(
        files.some((f) => f.startsWith(`${profile.siteDir}/`)),
        `${p.profile} ${p.packageName}: nothing in ${profile.siteDir}`,
      );
      assert.ok(
        files.every((f) => !f.includes('/dist-packages/')),
        `${p.profile} ${p.packageName}: Debian's dist-packages in an rpm`,
      );
    }
  }
});

const GOLDEN_README = `# Golden files

The rendered control files and specs of every fixture for every target profile:
\`<profile>/<fixture>.control\` and \`.changelog\` (deb), \`.spec\` (rpm), \`.refused\` when the
profile refuses the fixture (the one-line error). Compared by
test/integration/targets-packages.test.ts; the sdist's sha256 is written \`<sdist-sha256>\`
because \`make fixtures\` does not rebuild setuptools sdists byte for byte.

After a deliberate change to a template, a profile or the data functions:

    npx tsc -p tsconfig.json
    UPDATE_GOLDEN=1 node --test dist/test/integration/targets-packages.test.js
    git diff test/golden/     # review every change
`;
