/**
 * `make demo`: the main job on a bundled fixture, shown step by step, by name.
 * A local package index (a file:// PEP 503 tree generated from fixtures/dist) ->
 * `py2pkg rpc4django` resolves the newest sdist there, checks it against the index's sha256,
 * fetches its signature (signed with the TEST-ONLY upstream key) -> verified, built in the
 * sandbox, packaged -> lintian's verdict, dpkg-deb --info, and the package installed with
 * apt-get into a clean Debian 12 root where its module imports.
 */
import { execa } from 'execa';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { copyFile, readFile } from 'node:fs/promises';
import { freshRoot } from '../test/support/debroot.js';
import { writeStaticIndex, type ServedProject } from '../test/support/index-server.js';
import { allFixtureSdists, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from '../test/support/project.js';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const say = (s: string) => process.stdout.write(`\n== ${s}\n`);

async function main(): Promise<number> {
  const out = join(repoRoot, 'out', 'demo');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  // the bundled local index: every fixture sdist with its detached signature
  const projects: ServedProject[] = [];
  for (const path of allFixtureSdists()) {
    const filename = basename(path);
    projects.push({ name: filename.replace(/-[^-]+\.(tar\.gz|zip)$/, ''), files: [{ filename, bytes: await readFile(path), signature: await readFile(`${path}.asc`) }] });
  }
  const indexUrl = await writeStaticIndex(join(out, 'index'), projects);
  say(`a local package index: ${indexUrl} (${projects.length} projects from fixtures/dist)`);

  say(`py2pkg rpc4django --format deb --index-url out/demo/index/simple/ --trusted-keys fixtures/keys/upstream-TEST-ONLY.pub.asc --out out/demo`);
  const r = await py2pkg(['rpc4django', '--format', 'deb', '--index-url', indexUrl, '--trusted-keys', upstreamPub, '--out', out, '--maintainer', 'py2pkg demo <demo@py2pkg.example.org>'], { XDG_CACHE_HOME: join(out, 'cache') });
  process.stdout.write(`${r.stderr}\n${r.stdout}\n`);
  if (r.exitCode !== 0) return r.exitCode;
  const deb = r.stdout.trim();

  say('lintian verdict');
  const lint = await execa('/usr/bin/lintian', ['--display-level', '>=warning', deb], { env, extendEnv: false, reject: false });
  process.stdout.write(lint.stdout ? `${lint.stdout}\n` : '');
  const errors = lint.stdout.split('\n').filter((l) => l.startsWith('E: ')).length;
  const warnings = lint.stdout.split('\n').filter((l) => l.startsWith('W: ')).length;
  process.stdout.write(`lintian: ${errors} errors, ${warnings} warnings (exit ${lint.exitCode})\n`);

  say(`dpkg-deb --info ${basename(deb)}`);
  process.stdout.write(`${(await execa('/usr/bin/dpkg-deb', ['--info', deb], { env, extendEnv: false })).stdout}\n`);

  say('provenance.json in the package');
  process.stdout.write(`${(await execa('/usr/bin/dpkg-deb', ['--fsys-tarfile', deb], { env, extendEnv: false, encoding: 'buffer' }).then((t) => execa('/usr/bin/tar', ['-xOf', '-', './usr/share/doc/python3-rpc4django/provenance.json'], { input: t.stdout, env, extendEnv: false }))).stdout}\n`);

  say('apt-get install into a clean Debian 12 root (mmdebstrap, cached), then import it');
  const root = await freshRoot();
  try {
    await copyFile(deb, join(root.dir, 'tmp', basename(deb)));
    const inst = await root.run(['apt-get', 'install', '-y', `/tmp/${basename(deb)}`]);
    process.stdout.write(inst.stdout.split('\n').filter((l) => /Setting up|Unpacking/.test(l)).join('\n') + '\n');
    if (inst.exitCode !== 0) {
      process.stdout.write(inst.stderr);
      return 1;
    }
    const imp = await root.run(['python3', '-c', 'import rpc4django, django; print("import rpc4django: OK, from", rpc4django.__file__, "with Django", django.get_version())']);
    process.stdout.write(imp.stdout + imp.stderr);
    return imp.exitCode;
  } finally {
    await root.dispose();
  }
}

process.exitCode = await main();
