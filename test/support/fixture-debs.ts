/**
 * Converts every convertible fixture sdist with the real CLI, once: the result is kept in
 * .cache/test-debs/ with a manifest, and reused by later tiers while neither the sdists nor
 * the built py2pkg changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { allFixtureSdists, cacheDir, py2pkg, repoRoot, upstreamPub } from './project.js';

export interface ConvertedFixture {
  sdist: string;
  path: string;
  packageName: string;
  version: string;
}

/**
 * Fixtures the all-fixture harnesses leave out: cextension and yamlish build C extensions,
 * packaged only for the target that is this machine (test/integration/compiled-deb.test.ts,
 * compiled-libyaml.test.ts, test/e2e/compiled-install.test.ts) and refused for every other
 * (test/integration/cli-refusals.test.ts).
 */
export const REFUSED_FIXTURES = ['cextension', 'yamlish'];

export const debsDir = join(cacheDir, 'test-debs');
export const TEST_MAINTAINER = 'py2pkg test suite <tests@py2pkg.example.org>';
export const TEST_EPOCH = '1767225600';

function stamp(sdists: string[]): string {
  const h = createHash('sha256');
  for (const s of sdists) h.update(`${basename(s)} ${readFileSync(s).length} ${createHash('sha256').update(readFileSync(s)).digest('hex')}\n`);
  h.update(String(statSync(join(repoRoot, 'dist', 'src', 'pipeline.js')).mtimeMs));
  return h.digest('hex');
}

let memo: Promise<ConvertedFixture[]> | undefined;

export function convertedFixtures(): Promise<ConvertedFixture[]> {
  memo ??= convertAll();
  return memo;
}

export function isRefused(sdist: string): boolean {
  return REFUSED_FIXTURES.some((r) => basename(sdist).startsWith(`${r}-`));
}

async function convertAll(): Promise<ConvertedFixture[]> {
  const sdists = allFixtureSdists().filter((s) => !isRefused(s));
  const manifestPath = join(debsDir, 'manifest.json');
  const want = stamp(sdists);
  if (existsSync(manifestPath)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { stamp: string; debs: ConvertedFixture[] };
    if (m.stamp === want && m.debs.every((d) => existsSync(d.path))) return m.debs;
  }
  await rm(debsDir, { recursive: true, force: true });
  await mkdir(debsDir, { recursive: true });
  const debs: ConvertedFixture[] = [];
  for (const sdist of sdists) {
    const r = await py2pkg(['--format', 'deb', '--trusted-keys', upstreamPub, '--out', debsDir, '--maintainer', TEST_MAINTAINER, '--json', '--quiet', sdist], {
      SOURCE_DATE_EPOCH: TEST_EPOCH,
    });
    if (r.exitCode !== 0) throw new Error(`py2pkg failed on ${basename(sdist)} (exit ${r.exitCode}): ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { package: { path: string; packageName: string; version: string } };
    debs.push({ sdist, path: out.package.path, packageName: out.package.packageName, version: out.package.version });
  }
  await writeFile(manifestPath, JSON.stringify({ stamp: want, debs }, null, 2));
  return debs;
}
