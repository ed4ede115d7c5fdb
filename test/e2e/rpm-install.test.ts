/**
 * End to end with rpm itself: for every rpm profile, every fixture .rpm installs with
 * `rpm --root SCRATCH --nodeps -i` into an empty root with its own database; the files land
 * where the profile says (its site-packages, /usr/bin, the doc dir), rpm -V finds them
 * intact, the modules import (pure Python: this machine's /usr/bin/python3 with the
 * installed site directory on the path), the console scripts run, and `rpm -e` removes
 * every file — including the bytecode the target's Python writes on first import, which the
 * packages own as %ghost.
 * el9 uses the CLI's conversions; el8, el10 and fedora the per-profile packages of
 * test/support/target-packages.ts (byte-identical to the CLI's, see targets-packages.test.ts).
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { formatOf, profiles, type TargetProfile } from '../../src/targets/profiles.js';
import { convertedRpms, toolEnv } from '../support/fixture-rpms.js';
import { targetPackages } from '../support/target-packages.js';

/** What each fixture provides once installed: import names and console scripts (argv, expected output). */
const EXPECT: Record<string, { imports: string[]; scripts: Array<[string, string[], RegExp]> }> = {
  'python3-rpc4django': { imports: ['rpc4django'], scripts: [] },
  'python3-tinyclick': { imports: ['tinyclick'], scripts: [] },
  'python3-hatchdemo': { imports: ['hatchdemo'], scripts: [] },
  'python3-flitdemo': { imports: ['flitdemo'], scripts: [] },
  'python3-poetrydemo': { imports: ['poetrydemo'], scripts: [] },
  'python3-slugger': { imports: ['slugger'], scripts: [['slugger', ['Hello World'], /^hello-world$/m]] },
  'python3-acme-widgets': { imports: ['acme.widgets'], scripts: [] },
  'python3-nastymeta': { imports: ['nastymeta'], scripts: [] },
  'python3-extrasmarkers': { imports: ['extrasmarkers'], scripts: [] },
  'python3-certsdemo': { imports: ['certsdemo', 'certsdemo.certs'], scripts: [] },
  // the optional C speed-up was not built: the pure fallback is what imports
  'python3-optspeedup': { imports: ['optspeedup', 'optspeedup._native'], scripts: [] },
};

const RPM = '/usr/bin/rpm';
let byProfile: Map<string, Array<{ path: string; packageName: string; version: string }>>;

before(async () => {
  byProfile = new Map();
  byProfile.set('el9', await convertedRpms());
  for (const p of await targetPackages()) {
    if (!p.path || p.profile === 'el9' || formatOf(profiles[p.profile] as TargetProfile) !== 'rpm') continue;
    byProfile.set(p.profile, [...(byProfile.get(p.profile) ?? []), { path: p.path, packageName: p.packageName as string, version: p.version as string }]);
  }
});

async function rpmIn(root: string, args: string[], check = true) {
  const r = await execa(RPM, ['--root', root, '--dbpath', '/var/lib/rpm', ...args], { env: toolEnv, extendEnv: false, reject: false });
  if (check) assert.equal(r.exitCode, 0, `rpm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

for (const id of ['el8', 'el9', 'el10', 'fedora']) {
  test(`${id}: rpm -i into a scratch root, files where the profile says, modules import, rpm -e removes every file`, async () => {
    const target = profiles[id] as TargetProfile;
    const rpms = byProfile.get(id) ?? [];
    assert.ok(rpms.length >= (id === 'el8' ? 2 : 9), `${id}: only ${rpms.length} packages`);
    const root = await mkdtemp(join(tmpdir(), `py2pkg-rpmroot-${id}-`));
    try {
      await rpmIn(root, ['--initdb']);
      await rpmIn(root, ['--nodeps', '-i', ...rpms.map((r) => r.path)]);
      const installed = (await rpmIn(root, ['-qa', '--qf', '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'])).stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(installed, rpms.map((r) => `${r.packageName} ${r.version.includes(':') ? r.version : `0:${r.version}`}`).sort());

      const site = join(root, target.siteDir);
      for (const r of rpms) {
        const expect = EXPECT[r.packageName];
        assert.ok(expect, `no expectation for ${r.packageName}`);
        // every file the database lists is there, except the %ghost bytecode nothing wrote yet
        const listed = (await rpmIn(root, ['-q', '--qf', '[%{FILEFLAGS:fflags}|%{FILENAMES}\n]', r.packageName])).stdout.split('\n').filter(Boolean);
        for (const line of listed) {
          const [flags, path] = line.split('|') as [string, string];
          assert.match(
            path,
            new RegExp(
              `^(${target.siteDir.replace(/\./g, '\\.')}/|${target.scriptsDir}/|/usr/share/(doc|licenses)/${r.packageName}(/|$)|/usr/share/man/man1/[^/]+\\.1\\.gz$)`,
            ),
            `${id} ${r.packageName}: ${path} is not where ${id} puts it`,
          );
          assert.equal(existsSync(join(root, path)), flags !== 'g', `${id} ${r.packageName}: ${path}`);
        }
        assert.ok(existsSync(join(root, `/usr/share/doc/${r.packageName}/provenance.json`)));
        await rpmIn(root, ['-V', '--nodeps', r.packageName]);
        for (const mod of expect.imports) {
          const imp = await execa('/usr/bin/python3', ['-B', '-c', `import ${mod}; print(${mod}.__file__)`], {
            env: { ...toolEnv, PYTHONPATH: site },
            extendEnv: false,
            reject: false,
          });
          assert.equal(imp.exitCode, 0, `${id}: import ${mod} failed: ${imp.stderr}`);
          assert.ok(imp.stdout.startsWith(`${site}/`), `${id}: ${mod} imported from ${imp.stdout}`);
        }
        for (const [script, args, pattern] of expect.scripts) {
          const ran = await execa('/usr/bin/python3', ['-B', join(root, target.scriptsDir, script), ...args], {
            env: { ...toolEnv, PYTHONPATH: site },
            extendEnv: false,
            reject: false,
          });
          assert.equal(ran.exitCode, 0, `${script} failed: ${ran.stderr}`);
          assert.match(ran.stdout, pattern);
        }
        // the target's Python byte-compiles on first import: the files it writes are the package's %ghost files
        for (const line of listed) {
          const [flags, path] = line.split('|') as [string, string];
          if (flags !== 'g' || !path.endsWith('.pyc')) continue;
          await mkdir(dirname(join(root, path)), { recursive: true });
          await writeFile(join(root, path), 'bytecode');
        }
      }

      await rpmIn(root, ['-e', '--nodeps', ...rpms.map((r) => r.packageName)]);
      assert.equal((await rpmIn(root, ['-qa'])).stdout.trim(), '');
      assert.deepEqual(await filesUnder(site), [], `${id}: left in the site directory`);
      assert.deepEqual(await filesUnder(join(root, target.scriptsDir)), [], `${id}: left in ${target.scriptsDir}`);
      assert.deepEqual(await filesUnder(join(root, 'usr/share/doc')), [], `${id}: left in /usr/share/doc`);
      assert.deepEqual(await filesUnder(join(root, 'usr/share/licenses')), [], `${id}: left in /usr/share/licenses`);
      assert.deepEqual(await filesUnder(join(root, 'usr/share/man')), ['man1'], `${id}: left in /usr/share/man`);
      // directories the distribution's filesystem package owns (rpm created them in this empty root)
      const stray = (await filesUnder(root)).filter(
        (p) =>
          !p.startsWith('var/lib/rpm') &&
          !/^(usr|usr\/lib|usr\/share|usr\/share\/doc|usr\/share\/licenses|usr\/share\/man|usr\/share\/man\/man1|var|var\/lib)$/.test(p) &&
          !target.siteDir.slice(1).startsWith(p) &&
          p !== target.scriptsDir.slice(1),
      );
      assert.deepEqual(stray, [], `${id}: rpm -e left these behind`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}
