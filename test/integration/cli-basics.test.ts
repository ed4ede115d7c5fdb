/** The CLI's own contract: version, help, usage errors, --debug, --allow-unsigned. */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { writeStaticIndex } from '../support/index-server.js';
import { fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

test('--version prints the version and exits 0', async () => {
  const r = await py2pkg(['--version']);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout.trim(), version);
});

test('--help shows usage, examples and the exit statuses', async () => {
  const r = await py2pkg(['convert', '--help']);
  assert.equal(r.exitCode, 0);
  assert.match(r.stdout, /--trusted-keys/);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /3 signature\/trust/);
});

test('usage errors exit 2 with a pointer to --help', async () => {
  const r = await py2pkg(['--no-such-flag']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /unknown option/);
  const missing = await py2pkg(['convert', '/nonexistent/pkg-1.0.tar.gz', '--allow-unsigned']);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /^py2pkg: error\[INPUT_NOT_FOUND\]/m);
});

test('--debug adds the stack trace and tool detail; without it there is none', async () => {
  const plain = await py2pkg(['/nonexistent/pkg-1.0.tar.gz', '--allow-unsigned', '--quiet']);
  assert.doesNotMatch(plain.stderr, /\n\s+at /);
  const debug = await py2pkg(['/nonexistent/pkg-1.0.tar.gz', '--allow-unsigned', '--quiet', '--debug']);
  assert.equal(debug.exitCode, 2);
  assert.match(debug.stderr, /\n\s+at /);
});

test('--allow-unsigned converts without a signature and says so in the package', async () => {
  const out = await mkdtemp(join(tmpdir(), 'py2pkg-unsigned-'));
  try {
    const r = await py2pkg(['--allow-unsigned', '--out', out, '--maintainer', 'T <t@example.org>', '--quiet', '--json', fixtureSdist('flitdemo')]);
    assert.equal(r.exitCode, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { provenance: { unsigned: boolean; verification: { method: string } }; package: { path: string } };
    assert.equal(res.provenance.unsigned, true);
    assert.equal(res.provenance.verification.method, 'none');
    const env = { PATH: SYSTEM_PATH };
    const tar = await execa('/usr/bin/dpkg-deb', ['--fsys-tarfile', res.package.path], { env, extendEnv: false, encoding: 'buffer' });
    const prov = await execa('/usr/bin/tar', ['-xOf', '-', './usr/share/doc/python3-flitdemo/provenance.json'], { input: tar.stdout, env, extendEnv: false });
    assert.equal((JSON.parse(prov.stdout) as { unsigned: boolean }).unsigned, true);
    const changelog = await execa('/usr/bin/tar', ['-xOf', '-', './usr/share/doc/python3-flitdemo/changelog.Debian.gz'], {
      input: tar.stdout,
      env,
      extendEnv: false,
      encoding: 'buffer',
    });
    const text = (await execa('/usr/bin/gzip', ['-dc'], { input: changelog.stdout, env, extendEnv: false })).stdout;
    assert.match(text, /UNSIGNED/);
    assert.deepEqual(await readdir(out), ['python3-flitdemo_23.0-1_all.deb']);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('without SOURCE_DATE_EPOCH the output still depends only on the input (flit zeroes dates)', async () => {
  const outs = [await mkdtemp(join(tmpdir(), 'py2pkg-nosde-')), await mkdtemp(join(tmpdir(), 'py2pkg-nosde-'))];
  try {
    for (const out of outs) {
      const r = await py2pkg([
        '--trusted-keys',
        join(repoRoot, 'fixtures/keys/upstream-TEST-ONLY.pub.asc'),
        '--out',
        out,
        '--maintainer',
        'T <t@example.org>',
        '--quiet',
        fixtureSdist('flitdemo'),
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
    }
    const [a, b] = outs.map((o) => readFileSync(join(o, 'python3-flitdemo_23.0-1_all.deb')));
    assert.ok(a!.equals(b!), 'two runs without SOURCE_DATE_EPOCH differ');
    const listing = await execa('/usr/bin/dpkg-deb', ['--contents', join(outs[0]!, 'python3-flitdemo_23.0-1_all.deb')], {
      env: { PATH: SYSTEM_PATH },
      extendEnv: false,
    });
    assert.doesNotMatch(listing.stdout, / 1970-01-01 /, 'ancient (epoch 0) dates in the package');
  } finally {
    for (const o of outs) await rm(o, { recursive: true, force: true });
  }
});

test('--out that does not exist yet is created (parents too, 0755); removed again when the run fails (issue 13)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'py2pkg-outdir-'));
  try {
    const out = join(base, 'a', 'b', 'out');
    const r = await py2pkg(['--allow-unsigned', '--out', out, '--maintainer', 'T <t@example.org>', '--quiet', fixtureSdist('flitdemo')]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await readdir(out), ['python3-flitdemo_23.0-1_all.deb']);
    for (const d of [join(base, 'a'), join(base, 'a', 'b'), out]) assert.equal(statSync(d).mode & 0o777, 0o755 & ~process.umask(), d);

    // a failing run leaves no trace of the directories it made
    const gone = join(base, 'c', 'd');
    const failed = await py2pkg(['--out', gone, '--trusted-keys', '/nonexistent.asc', '--quiet', fixtureSdist('flitdemo')]);
    assert.notEqual(failed.exitCode, 0);
    assert.equal(existsSync(join(base, 'c')), false, 'the directories made for --out were left behind');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('--out that exists and is not a directory, or lies under a file, is refused: OUTPUT_DIR, exit 2 (issue 13)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'py2pkg-outdir-'));
  try {
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const r = await py2pkg(['--allow-unsigned', '--out', out, '--maintainer', 'T <t@example.org>', '--quiet', fixtureSdist('flitdemo')]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr.trim(), /^py2pkg: error\[OUTPUT_DIR\]: [^\n]+$/);
    }
    assert.equal(readFileSync(file, 'utf8'), 'x');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('keygen --out PREFIX makes the prefix directory when missing (0700: it holds the secret key) (issue 13)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'py2pkg-outdir-'));
  try {
    const prefix = join(base, 'keys', 'org');
    const r = await py2pkg(['keygen', '--name', 'Example Org', '--out', prefix, '--type', 'curve25519Legacy']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual((await readdir(join(base, 'keys'))).sort(), ['org.pub.asc', 'org.sec.asc']);
    assert.equal(statSync(join(base, 'keys')).mode & 0o777, 0o700 & ~process.umask());
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('py2pkg --help shows three examples, and each runs as written (issue 13)', async () => {
  const help = await py2pkg(['--help']);
  assert.equal(help.exitCode, 0);
  const examples = help.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('py2pkg ') && !l.startsWith('py2pkg convert --help'));
  assert.equal(examples.length, 3, help.stdout);
  // a directory holding what the examples name: the signed fixture, the pinned key, the org key
  const cwd = await mkdtemp(join(tmpdir(), 'py2pkg-examples-'));
  try {
    const sdist = fixtureSdist('rpc4django');
    await copyFile(sdist, join(cwd, basename(sdist)));
    await copyFile(`${sdist}.asc`, join(cwd, `${basename(sdist)}.asc`));
    await copyFile(upstreamPub, join(cwd, 'upstream-signers.asc'));
    await copyFile(join(keysDir, 'org-repo-TEST-ONLY.sec.asc'), join(cwd, 'org.sec.asc'));
    const indexUrl = await writeStaticIndex(join(cwd, 'index'), [
      { name: 'rpc4django', files: [{ filename: basename(sdist), bytes: readFileSync(sdist), signature: readFileSync(`${sdist}.asc`) }] },
    ]);
    const env = { XDG_CACHE_HOME: join(cwd, 'cache'), DEBFULLNAME: 'Example Test', DEBEMAIL: 'test@example.org' };
    for (const line of examples) {
      // the words as a shell would split them (the examples hold no quotes); globs expanded here
      let args = line.split(/\s+/).slice(1);
      args = args.flatMap((a) =>
        a === 'out/*.deb'
          ? readdirSync(join(cwd, 'out'))
              .filter((f) => f.endsWith('.deb'))
              .map((f) => `out/${f}`)
          : [a],
      );
      if (args[0] === 'publish') args = args.map((a) => (a === '/srv/apt' ? 'srv-apt' : a));
      // by name: the bundled index instead of PyPI (no network in tests)
      else if (!args[0]!.startsWith('./')) args.push('--index-url', indexUrl, '--out', 'rpm');
      const r = await py2pkg(args, env, cwd);
      assert.equal(r.exitCode, 0, `${line}\n${r.stderr}`);
    }
    assert.equal(readdirSync(join(cwd, 'out')).filter((f) => f.endsWith('.deb')).length, 1);
    assert.ok(readdirSync(join(cwd, 'rpm')).some((f) => f.endsWith('.el9.noarch.rpm')));
    assert.ok(existsSync(join(cwd, 'srv-apt', 'dists')));
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
