/**
 * `make demo`: the main job on a bundled fixture, shown step by step, by name.
 * A local package index (a file:// PEP 503 tree generated from fixtures/dist) ->
 * `py2pkg rpc4django` resolves the newest sdist there, checks it against the index's sha256,
 * fetches its signature (signed with the TEST-ONLY upstream key) -> verified, built in the
 * sandbox, packaged -> lintian's verdict, dpkg-deb --info, provenance.json -> signed with the
 * TEST-ONLY org key and published in a signed Apt repository (py2pkg verify) -> the same as a
 * signed el9 RPM with rpmlint's verdict -> apt-get update + install from the signed repository
 * in a clean Debian 12 root, where the module imports.
 * lintian, rpmlint and mmdebstrap (the clean root) are the test tier's packages, not the
 * product's: `make demo` does not install them, and the demo shows those three steps only when
 * they are installed (`make test` installs them), saying so when it leaves one out.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { freshRoot } from '../test/support/debroot.js';
import { writeStaticIndex, type ServedProject } from '../test/support/index-server.js';
import { allFixtureSdists, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../test/support/project.js';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const say = (s: string) => process.stdout.write(`\n== ${s}\n`);
/**
 * Print a command's outputs, each on its own lines: execa strips the final newline, so
 * `${stderr}${stdout}` ran the last progress line (ending in a fingerprint) into the first
 * line of the result.
 */
/** Whether the tool a step shows is installed; when not, say which step is left out and how to get it. */
const have = (tool: string, pkg: string, step: string): boolean => {
  if (existsSync(tool)) return true;
  process.stdout.write(`(${step} left out: ${pkg} is not installed; \`make test\` installs it, or apt-get install --no-install-recommends ${pkg})\n`);
  return false;
};
const show = (...texts: string[]): void => {
  for (const t of texts) if (t.trim() !== '') process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
};

async function main(): Promise<number> {
  const out = join(repoRoot, 'out', 'demo');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  // the bundled local index: every signed fixture sdist (`make demo` builds rpc4django's
  // alone, `make fixtures` all of them) with its detached signature
  const projects: ServedProject[] = [];
  for (const path of allFixtureSdists().filter((p) => existsSync(`${p}.asc`))) {
    const filename = basename(path);
    projects.push({
      name: filename.replace(/-[^-]+\.(tar\.gz|zip)$/, ''),
      files: [{ filename, bytes: await readFile(path), signature: await readFile(`${path}.asc`) }],
    });
  }
  const indexUrl = await writeStaticIndex(join(out, 'index'), projects);
  say(`a local package index: ${indexUrl} (${projects.length} projects from fixtures/dist)`);

  say(`py2pkg rpc4django --format deb --index-url out/demo/index/simple/ --trusted-keys fixtures/keys/upstream-TEST-ONLY.pub.asc --out out/demo`);
  const r = await py2pkg(
    [
      'rpc4django',
      '--format',
      'deb',
      '--index-url',
      indexUrl,
      '--trusted-keys',
      upstreamPub,
      '--out',
      out,
      '--maintainer',
      'py2pkg demo <demo@py2pkg.example.org>',
    ],
    { XDG_CACHE_HOME: join(out, 'cache') },
  );
  show(r.stderr, r.stdout);
  if (r.exitCode !== 0) return r.exitCode;
  const deb = r.stdout.trim();

  say('lintian verdict');
  if (have('/usr/bin/lintian', 'lintian', "lintian's verdict")) {
    const lint = await execa('/usr/bin/lintian', ['--display-level', '>=warning', deb], { env, extendEnv: false, reject: false });
    process.stdout.write(lint.stdout ? `${lint.stdout}\n` : '');
    const errors = lint.stdout.split('\n').filter((l) => l.startsWith('E: ')).length;
    const warnings = lint.stdout.split('\n').filter((l) => l.startsWith('W: ')).length;
    process.stdout.write(`lintian: ${errors} errors, ${warnings} warnings (exit ${lint.exitCode})\n`);
  }

  say(`dpkg-deb --info ${basename(deb)}`);
  process.stdout.write(`${(await execa('/usr/bin/dpkg-deb', ['--info', deb], { env, extendEnv: false })).stdout}\n`);

  say('provenance.json in the package');
  process.stdout.write(
    `${(await execa('/usr/bin/dpkg-deb', ['--fsys-tarfile', deb], { env, extendEnv: false, encoding: 'buffer' }).then((t) => execa('/usr/bin/tar', ['-xOf', '-', './usr/share/doc/python3-rpc4django/provenance.json'], { input: t.stdout, env, extendEnv: false }))).stdout}\n`,
  );

  // sign with the organization's (TEST-ONLY) key and publish a signed Apt repository
  const orgSec = join(repoRoot, 'fixtures', 'keys', 'org-repo-TEST-ONLY.sec.asc');
  const orgPub = join(repoRoot, 'fixtures', 'keys', 'org-repo-TEST-ONLY.pub.asc');
  const repo = join(out, 'apt');
  say('py2pkg publish out/demo/*.deb --repo out/demo/apt --sign-key fixtures/keys/org-repo-TEST-ONLY.sec.asc (TEST-ONLY key)');
  const pub = await py2pkg(['publish', deb, '--repo', repo, '--sign-key', orgSec, '--label', 'py2pkg-demo']);
  show(pub.stderr, pub.stdout);
  if (pub.exitCode !== 0) return pub.exitCode;
  say('py2pkg verify out/demo/apt --key fixtures/keys/org-repo-TEST-ONLY.pub.asc');
  const ver = await py2pkg(['verify', repo, '--key', orgPub]);
  show(ver.stdout, ver.stderr);
  if (ver.exitCode !== 0) return ver.exitCode;

  say("the same sdist as a signed RPM for el9, and rpmlint's verdict");
  const rpmOut = join(out, 'rpm');
  await mkdir(rpmOut, { recursive: true });
  const rpm = await py2pkg(
    [
      'rpc4django',
      '--format',
      'rpm',
      '--index-url',
      indexUrl,
      '--trusted-keys',
      upstreamPub,
      '--out',
      rpmOut,
      '--sign-key',
      orgSec,
      '--maintainer',
      'py2pkg demo <demo@py2pkg.example.org>',
      '--quiet',
    ],
    { XDG_CACHE_HOME: join(out, 'cache') },
  );
  show(rpm.stderr, rpm.stdout);
  if (rpm.exitCode !== 0) return rpm.exitCode;
  // rpm -K (which rpmlint runs) and rpmkeys read the org's public key from a private rpm database
  const rpmHome = join(out, 'rpmhome');
  await mkdir(rpmHome, { recursive: true });
  await writeFile(join(rpmHome, '.rpmmacros'), `%_dbpath ${join(out, 'rpmdb')}\n`);
  const rpmEnv = { ...env, HOME: rpmHome };
  await execa('/usr/bin/rpm', ['--initdb'], { env: rpmEnv, extendEnv: false });
  await execa('/usr/bin/rpmkeys', ['--import', orgPub], { env: rpmEnv, extendEnv: false });
  const check = await execa('/usr/bin/rpmkeys', ['--checksig', '-v', rpm.stdout.trim()], { env: rpmEnv, extendEnv: false, reject: false });
  process.stdout.write(`rpmkeys --checksig -v:\n${check.stdout}\n`);
  if (have('/usr/bin/rpmlint', 'rpmlint', "rpmlint's verdict")) {
    const rpmlint = await execa('/usr/bin/rpmlint', ['--config', join(repoRoot, 'test', 'rpmlint.toml'), rpm.stdout.trim()], {
      env: rpmEnv,
      extendEnv: false,
      reject: false,
    });
    const lintLines = rpmlint.stdout.split('\n');
    const rpmErrors = lintLines.filter((l) => /: E: /.test(l));
    process.stdout.write(
      `${rpmErrors.join('\n')}${rpmErrors.length ? '\n' : ''}rpmlint: ${rpmErrors.length} errors, ${lintLines.filter((l) => /: W: /.test(l)).length} warnings (listed with reasons in test/rpmlint-allowed.txt)\n`,
    );
  }

  say('apt-get update + install from the signed repository in a clean Debian 12 root (mmdebstrap, cached), then import it');
  if (!have('/usr/bin/mmdebstrap', 'mmdebstrap', 'the install in a clean Debian 12 root')) return 0;
  const root = await freshRoot();
  try {
    // the repository switches generations by symlink: copy what the links point at
    await cp(repo, join(root.dir, 'srv', 'py2pkg-demo'), { recursive: true, dereference: true });
    const sources = (await readFile(join(repo, 'py2pkg-demo.sources'), 'utf8')).replace(/^URIs: .*$/m, 'URIs: file:///srv/py2pkg-demo');
    await mkdir(join(root.dir, 'etc', 'apt', 'sources.list.d'), { recursive: true });
    await writeFile(join(root.dir, 'etc', 'apt', 'sources.list.d', 'py2pkg-demo.sources'), sources);
    process.stdout.write(
      `/etc/apt/sources.list.d/py2pkg-demo.sources:\n${sources
        .split('\n')
        .filter((l) => !/^ /.test(l))
        .join('\n')}\n`,
    );
    const apt = ['-o', 'Dir::Etc::SourceList=/dev/null', '-o', 'Acquire::Check-Valid-Until=true', '-o', 'APT::Update::Error-Mode=any'];
    const upd = await root.run(['apt-get', ...apt, 'update']);
    show(upd.stdout, upd.stderr);
    if (upd.exitCode !== 0) return 1;
    const inst = await root.run(['apt-get', ...apt, 'install', '-y', 'python3-rpc4django']);
    process.stdout.write(
      inst.stdout
        .split('\n')
        .filter((l) => /Get:|Setting up|Unpacking/.test(l))
        .join('\n') + '\n',
    );
    if (inst.exitCode !== 0) {
      process.stdout.write(inst.stderr);
      return 1;
    }
    const imp = await root.run([
      'python3',
      '-c',
      'import rpc4django, django; print("import rpc4django: OK, from", rpc4django.__file__, "with Django", django.get_version())',
    ]);
    show(imp.stdout, imp.stderr);
    return imp.exitCode;
  } finally {
    await root.dispose();
  }
}

process.exitCode = await main();
