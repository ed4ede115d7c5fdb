/**
 * User templates through the CLI on real conversions: `py2pkg templates export` writes the
 * built-ins and the README; a copy with one edited template (via --templates and via the
 * config file) changes the .deb dpkg-deb reads and is recorded in provenance.json; a user
 * template that prints the hostile fixture's summary raw stops the run with one TEMPLATE
 * line, writes no package and runs nothing.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TEST_EPOCH, TEST_MAINTAINER } from '../support/fixture-debs.js';
import { fixtureSdist, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const env = { PATH: SYSTEM_PATH };

async function provenanceOf(deb: string): Promise<{ templates?: { digest: string; source: string } }> {
  const tar = await execa('/usr/bin/dpkg-deb', ['--fsys-tarfile', deb], { env, extendEnv: false, encoding: 'buffer' });
  const member = (await execa('/usr/bin/tar', ['-xO', '--wildcards', './usr/share/doc/*/provenance.json'], { env, extendEnv: false, input: tar.stdout }))
    .stdout;
  return JSON.parse(member) as { templates?: { digest: string; source: string } };
}

test('templates export, then an edited copy via --templates and via the config file', async () => {
  const work = await mkdtemp(join(tmpdir(), 'py2pkg-tplcli-'));
  try {
    const dir = join(work, 'tpl');
    const exp = await py2pkg(['templates', 'export', dir]);
    assert.equal(exp.exitCode, 0, exp.stderr);
    assert.deepEqual((await readdir(dir)).sort(), ['README.md', 'deb', 'rpm']);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    for (const needle of ['## deb/control.hbs', '## rpm/package.spec.hbs', '`folded`', '`lines`', '`fileEntry`', '| `summary` | untrusted |'])
      assert.ok(readme.includes(needle), needle);
    assert.equal((await py2pkg(['templates', 'export', dir])).exitCode, 2, 'refuses to overwrite without --force');

    const control = join(dir, 'deb', 'control.hbs');
    await writeFile(control, (await readFile(control, 'utf8')).replace('Section: python', 'Section: misc'));
    const sdist = fixtureSdist('rpc4django');
    const base = ['--trusted-keys', upstreamPub, '--maintainer', TEST_MAINTAINER, '--quiet', '--json', sdist];
    const outs = [join(work, 'a'), join(work, 'b'), join(work, 'c')];
    const config = join(work, 'config.toml');
    await writeFile(config, 'templates = "tpl"\n');
    const runs = [
      ['--out', outs[0] as string, ...base],
      ['--out', outs[1] as string, '--templates', dir, ...base],
      ['--out', outs[2] as string, '--config', config, ...base],
    ];
    const debs: string[] = [];
    for (const [i, args] of runs.entries()) {
      await execa('/usr/bin/mkdir', [outs[i] as string], { env });
      const r = await py2pkg(args, { SOURCE_DATE_EPOCH: TEST_EPOCH });
      assert.equal(r.exitCode, 0, r.stderr);
      debs.push((JSON.parse(r.stdout) as { package: { path: string } }).package.path);
    }
    const section = async (deb: string) => (await execa('/usr/bin/dpkg-deb', ['--field', deb, 'Section'], { env, extendEnv: false })).stdout;
    assert.equal(await section(debs[0] as string), 'python');
    assert.equal(await section(debs[1] as string), 'misc');
    assert.equal(await section(debs[2] as string), 'misc');
    const [p0, p1, p2] = await Promise.all(debs.map(provenanceOf));
    assert.equal(p0?.templates?.source, 'builtin');
    assert.equal(p1?.templates?.source, 'dir');
    assert.match(p1?.templates?.digest ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(p1?.templates?.digest, p0?.templates?.digest);
    assert.deepEqual(p2?.templates, p1?.templates);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a user template printing the hostile summary raw: one TEMPLATE line, no package, nothing run', async () => {
  const work = await mkdtemp(join(tmpdir(), 'py2pkg-tplbad-'));
  try {
    const dir = join(work, 'tpl');
    await execa('/usr/bin/mkdir', ['-p', join(dir, 'deb'), join(work, 'out')], { env });
    await writeFile(join(dir, 'deb', 'control.hbs'), 'Package: {{pkgname package}}\nDescription: {{summary}}\n');
    const r = await py2pkg(
      ['--trusted-keys', upstreamPub, '--maintainer', TEST_MAINTAINER, '--out', join(work, 'out'), '--templates', dir, fixtureSdist('nastymeta')],
      { SOURCE_DATE_EPOCH: TEST_EPOCH },
    );
    assert.equal(r.exitCode, 2, r.stderr);
    const errors = r.stderr.split('\n').filter((l) => l.includes('error['));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0] as string, /^py2pkg: error\[TEMPLATE\]: .*\/deb\/control\.hbs prints a value from the sdist without an escaping helper/);
    assert.doesNotMatch(r.stderr, /%\{__rm\}|py2pkg-pwned/);
    assert.deepEqual(await readdir(join(work, 'out')), []);
    assert.equal(existsSync('/tmp/py2pkg-pwned'), false);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
