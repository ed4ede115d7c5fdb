/**
 * RPM counterparts of fixture-debs.ts: every convertible fixture converted with the real
 * CLI for el9 (the rpm family's default) once, kept in .cache/test-rpms/; and the tools
 * the RPM tests share — rpm queries, signed copies for rpmlint, rpmlint itself.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isRefused, TEST_EPOCH, TEST_MAINTAINER, type ConvertedFixture } from './fixture-debs.js';
import { allFixtureSdists, cacheDir, fixtureSdist, keysDir, py2pkg, repoRoot, SYSTEM_PATH, upstreamPub } from './project.js';

export const rpmsDir = join(cacheDir, 'test-rpms');
export const toolEnv = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

function stamp(sdists: string[]): string {
  const h = createHash('sha256');
  for (const s of sdists) h.update(`${basename(s)} ${createHash('sha256').update(readFileSync(s)).digest('hex')}\n`);
  h.update(builtStamp());
  return h.digest('hex');
}

/** A hash of the built py2pkg (dist/src/**.js) and its templates: any change invalidates the caches. */
export function builtStamp(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!e.name.endsWith('.map')) h.update(`${full}\0`).update(readFileSync(full));
    }
  };
  walk(join(repoRoot, 'dist', 'src'));
  walk(join(repoRoot, 'templates'));
  return h.digest('hex');
}

let memo: Promise<ConvertedFixture[]> | undefined;

/** Every convertible fixture as an el9 .rpm, converted by the CLI (once per build of py2pkg). */
export function convertedRpms(): Promise<ConvertedFixture[]> {
  memo ??= convertAll();
  return memo;
}

async function convertAll(): Promise<ConvertedFixture[]> {
  const sdists = allFixtureSdists().filter((s) => !isRefused(s));
  const manifestPath = join(rpmsDir, 'manifest.json');
  const want = stamp(sdists);
  if (existsSync(manifestPath)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { stamp: string; rpms: ConvertedFixture[] };
    if (m.stamp === want && m.rpms.every((d) => existsSync(d.path))) return m.rpms;
  }
  await rm(rpmsDir, { recursive: true, force: true });
  await mkdir(rpmsDir, { recursive: true });
  const rpms: ConvertedFixture[] = [];
  for (const sdist of sdists) {
    const r = await py2pkg(['--format', 'rpm', '--trusted-keys', upstreamPub, '--out', rpmsDir, '--maintainer', TEST_MAINTAINER, '--json', '--quiet', sdist], {
      SOURCE_DATE_EPOCH: TEST_EPOCH,
    });
    if (r.exitCode !== 0) throw new Error(`py2pkg --format rpm failed on ${basename(sdist)} (exit ${r.exitCode}): ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { package: { path: string; packageName: string; version: string } };
    rpms.push({ sdist, path: out.package.path, packageName: out.package.packageName, version: out.package.version });
  }
  await writeFile(manifestPath, JSON.stringify({ stamp: want, rpms }, null, 2));
  return rpms;
}

/** `rpm -qp ARGS FILE`, stdout. */
export async function rpmQuery(file: string, ...args: string[]): Promise<string> {
  const r = await execa('/usr/bin/rpm', ['-qp', ...args, file], { env: toolEnv, extendEnv: false });
  return r.stdout;
}

/**
 * Signed copies, as the sign stage will publish them: rpmsign with a TEST-ONLY key, its
 * public key imported into a private rpm database that `rpm -K` (which rpmlint runs) reads
 * through a private HOME's ~/.rpmmacros. Returns the copies and that HOME.
 */
export async function signedCopies(files: string[]): Promise<{ files: string[]; home: string; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-rpmsign-'));
  const gnupg = join(dir, 'gnupg');
  const home = join(dir, 'home');
  await mkdir(gnupg, { mode: 0o700 });
  await mkdir(home);
  await mkdir(join(dir, 'rpms'));
  const env = { ...toolEnv, GNUPGHOME: gnupg, HOME: home };
  await writeFile(join(home, '.rpmmacros'), `%_dbpath ${join(dir, 'rpmdb')}\n`);
  await execa('/usr/bin/gpg', ['--batch', '--import', join(keysDir, 'other-TEST-ONLY.sec.asc')], { env, extendEnv: false });
  const colons = (await execa('/usr/bin/gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env, extendEnv: false })).stdout;
  const fpr = colons
    .split('\n')
    .find((l) => l.startsWith('fpr:'))
    ?.split(':')[9];
  if (!fpr) throw new Error('TEST-ONLY signing key not imported');
  await execa('/usr/bin/rpm', ['--initdb'], { env, extendEnv: false });
  await execa('/usr/bin/rpmkeys', ['--import', join(keysDir, 'other-TEST-ONLY.pub.asc')], { env, extendEnv: false });
  const copies: string[] = [];
  for (const f of files) {
    const sub = join(dir, 'rpms', String(copies.length));
    await mkdir(sub);
    const copy = join(sub, basename(f)); // same file name: rpmlint compares it with the header
    await copyFile(f, copy);
    copies.push(copy);
  }
  await execa(
    '/usr/bin/rpmsign',
    ['--addsign', '--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${fpr}`, '--define', `_gpg_path ${gnupg}`, ...copies],
    { env, extendEnv: false },
  );
  return { files: copies, home, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface LintLine {
  severity: 'E' | 'W';
  pkg: string;
  tag: string;
  line: string;
}

/** rpmlint with the checked-in config (test/rpmlint.toml); returns its E:/W: lines. */
export async function rpmlint(files: string[], home: string): Promise<LintLine[]> {
  const r = await execa('/usr/bin/rpmlint', ['--config', join(repoRoot, 'test', 'rpmlint.toml'), ...files], {
    env: { ...toolEnv, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    extendEnv: false,
    reject: false,
    timeout: 10 * 60_000,
  });
  if (!/packages and \d+ specfiles checked/.test(r.stdout)) throw new Error(`rpmlint did not run: ${r.stderr || r.stdout}`);
  const out: LintLine[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^([^\s:]+)\.noarch: ([EW]): (\S+)/.exec(line);
    if (m) out.push({ pkg: m[1] as string, severity: m[2] as 'E' | 'W', tag: m[3] as string, line });
  }
  return out;
}

/** test/rpmlint-allowed.txt: `tag [package]  # reason` -> entries. */
export function allowedRpmlint(): Array<{ tag: string; pkg?: string }> {
  return readFileSync(join(repoRoot, 'test', 'rpmlint-allowed.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [tag, pkg] = l.split(/\s+/);
      return pkg ? { tag: tag as string, pkg } : { tag: tag as string };
    });
}

/** rpc4django and tinyclick converted for el9 into `out` (two small, different rpms to publish one after the other). */
export async function twoRpms(out: string): Promise<[string, string]> {
  const made = await py2pkg(
    [
      '--format',
      'rpm',
      '--trusted-keys',
      upstreamPub,
      '--maintainer',
      TEST_MAINTAINER,
      '--out',
      out,
      '--quiet',
      fixtureSdist('rpc4django'),
      fixtureSdist('tinyclick'),
    ],
    { SOURCE_DATE_EPOCH: TEST_EPOCH },
  );
  if (made.exitCode !== 0) throw new Error(`converting the two rpms failed: ${made.stderr}`);
  const [first, second] = made.stdout.trim().split('\n');
  return [first!, second!];
}
