/**
 * Debian as the oracle (../shared/REAL-WORLD.md): for every Python library installed under
 * /usr/lib/python3/dist-packages, py2pkg's Depends for debian12 computed from the library's
 * own upstream metadata is compared with what Debian's packagers shipped
 * (`dpkg-query -W -f='${Depends}'` of the package `dpkg -S` names as its owner).
 *
 *  - names: the share of Python dependency names both sides have (the figure printed);
 *  - bounds: every bound py2pkg writes for a dependency both sides have must be satisfied by
 *    the version Debian installed next to it (checked by apt's own apt_pkg.check_dep);
 *  - every mismatch (`+name` only py2pkg, `-name` only Debian, `~name` a bound the installed
 *    version fails) must be listed with its reason in test/debian-oracle-mismatches.txt.
 *
 * Two facts about Debian's side: a Debian alternative such as `python3-tomli | python3 (>> 3.11)`
 * is dh_python3's way of writing a marker (`python_version < "3.11"`); when the installed
 * python3 satisfies it, it is no dependency on Debian 12 and is not counted. And dh_python3
 * rewrites `*.egg-info/requires.txt` when it builds a package, deleting the lines it turned
 * into Depends: an egg-info library therefore only shows what dh_python3 left (extras, names it
 * could not map). Such libraries are compared one way (py2pkg's extra names must be listed) and
 * kept out of the agreement figure; dist-info METADATA is left as upstream wrote it.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { debDependencies, NO_DEPENDENCY_OPTIONS } from '../../src/deps/index.js';
import { requiresTxtToRequiresDist } from '../../src/deps/egg-info.js';
import { depsDataDir } from '../../src/deps/archive.js';
import { parseCoreMetadata } from '../../src/sdist/pkginfo.js';
import { profiles } from '../../src/targets/profiles.js';
import type { PythonMetadata } from '../../src/types.js';
import { repoRoot, SYSTEM_PATH } from '../support/project.js';

const SITE = '/usr/lib/python3/dist-packages';
const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const profile = profiles.debian12!;

interface Library {
  pkg: string;
  /** true when at least one of its metadata directories is a dist-info (an oracle) */
  distInfo: boolean;
  entries: string[];
  ours: Map<string, string[]>; // package -> relations py2pkg writes
  unreadable: string[];
}

interface Mismatch {
  pkg: string;
  sign: '+' | '-' | '~';
  name: string;
  detail: string;
}

function readMetadata(path: string): PythonMetadata {
  if (!statSync(path).isDirectory()) return parseCoreMetadata(readFileSync(path, 'utf8'));
  const file = existsSync(join(path, 'METADATA')) ? join(path, 'METADATA') : join(path, 'PKG-INFO');
  const meta = parseCoreMetadata(readFileSync(file, 'utf8'));
  const requires = join(path, 'requires.txt');
  if (path.endsWith('.egg-info') && existsSync(requires) && meta.requiresDist.length === 0) {
    return { ...meta, requiresDist: requiresTxtToRequiresDist(readFileSync(requires, 'utf8')) };
  }
  return meta;
}

/** Debian packages that hold Python distributions: python3-* and every target of dh-python's map. */
function pythonPackageNames(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(join(depsDataDir(), 'cpython3_fallback'), 'utf8').split('\n')) {
    const dep = line.split(' ')[1];
    if (dep) names.add(dep);
  }
  return names;
}

/** One python3 process, apt's own comparison: [version, op, bound] -> satisfied? */
async function aptCheckDeps(triples: Array<[string, string, string]>): Promise<boolean[]> {
  if (triples.length === 0) return [];
  const script = 'import apt_pkg,json,sys\napt_pkg.init()\nprint(json.dumps([apt_pkg.check_dep(v,o,b) for v,o,b in json.load(sys.stdin)]))';
  const r = await execa('/usr/bin/python3', ['-c', script], { env, extendEnv: false, input: JSON.stringify(triples) });
  return JSON.parse(r.stdout) as boolean[];
}

function parseRelation(alt: string): { name: string; op?: string; version?: string } {
  const m = /^([^\s(]+)\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?/.exec(alt.trim());
  if (!m) return { name: alt.trim() };
  const name = (m[1] as string).replace(/:any$/, '');
  return m[2] ? { name, op: m[2], version: m[3] } : { name };
}

test('Debian 12 as the oracle: py2pkg Depends vs the Depends Debian shipped for every installed library', { timeout: 5 * 60_000 }, async () => {
  const entries = readdirSync(SITE)
    .filter((n) => /\.(dist|egg)-info$/.test(n))
    .sort();
  assert.ok(entries.length >= 100, `only ${entries.length} metadata directories: run make setup-test (it installs the python3-* packages the oracle reads)`);

  // owners, one dpkg -S for all
  const owners = new Map<string, string[]>();
  const s = await execa('/usr/bin/dpkg', ['-S', ...entries.map((e) => join(SITE, e))], { env, extendEnv: false, reject: false });
  for (const line of String(s.stdout).split('\n')) {
    const m = /^([^:]+): (\/.*)$/.exec(line);
    if (m) owners.set(m[2] as string, (m[1] as string).split(', '));
  }

  const libs = new Map<string, Library>();
  const unowned: string[] = [];
  for (const e of entries) {
    const path = join(SITE, e);
    const pkgs = owners.get(path);
    if (!pkgs) {
      unowned.push(e);
      continue;
    }
    for (const pkg of pkgs) {
      const lib: Library = libs.get(pkg) ?? { pkg, distInfo: false, entries: [], ours: new Map(), unreadable: [] };
      lib.entries.push(e);
      if (e.endsWith('.dist-info')) lib.distInfo = true;
      try {
        const d = debDependencies(readMetadata(path), profile, NO_DEPENDENCY_OPTIONS);
        for (const rel of d.depends) {
          const name = parseRelation(rel).name;
          if (name === 'python3' || name === pkg) continue;
          lib.ours.set(name, [...(lib.ours.get(name) ?? []), rel]);
        }
      } catch (err) {
        lib.unreadable.push(`${e}: ${(err as Error).message}`);
      }
      libs.set(pkg, lib);
    }
  }

  // what Debian shipped, and what is installed (for bounds and python3 alternatives)
  const q = await execa('/usr/bin/dpkg-query', ['-W', '-f=${Package}\t${Depends}\n', ...libs.keys()], { env, extendEnv: false });
  const debDepends = new Map<string, string>();
  for (const line of String(q.stdout).split('\n').filter(Boolean)) {
    const [pkg, dep] = line.split('\t');
    debDepends.set(pkg as string, dep ?? '');
  }
  const inst = await execa('/usr/bin/dpkg-query', ['-W', '-f=${Package}\t${Version}\t${Status}\n'], { env, extendEnv: false });
  const installed = new Map<string, string>();
  for (const line of String(inst.stdout).split('\n')) {
    const [pkg, version, status] = line.split('\t');
    if (pkg && version && status?.endsWith(' installed')) installed.set(pkg, version);
  }
  const python3 = installed.get('python3');
  assert.ok(python3, 'python3 is not installed?');

  const pythonPkgs = pythonPackageNames();
  const isPythonDep = (name: string): boolean => name !== 'python3' && name !== 'python3-minimal' && (name.startsWith('python3-') || pythonPkgs.has(name));

  // Debian groups; python3 alternatives resolved with apt's comparison in one batch
  const groups = new Map<string, Array<Array<{ name: string; op?: string; version?: string }>>>();
  const pyTriples: Array<[string, string, string]> = [];
  for (const [pkg, dep] of debDepends) {
    const gs = dep
      .split(',')
      .map((g) => g.split('|').map(parseRelation))
      .filter((g) => g.length > 0 && g[0]!.name !== '');
    groups.set(pkg, gs);
    for (const g of gs) for (const a of g) if (a.name === 'python3' && a.op) pyTriples.push([python3, a.op, a.version as string]);
  }
  const pyResults = await aptCheckDeps(pyTriples);
  const pySatisfied = new Map(pyTriples.map((t, i) => [t.join(' '), pyResults[i] as boolean]));

  let matched = 0;
  let onlyOurs = 0;
  let onlyDebian = 0;
  let eggOnlyDebian = 0;
  const mismatches: Mismatch[] = [];
  const boundChecks: Array<{ pkg: string; name: string; rel: string; triple: [string, string, string] }> = [];
  for (const lib of [...libs.values()].sort((a, b) => (a.pkg < b.pkg ? -1 : 1))) {
    const debGroups = (groups.get(lib.pkg) ?? [])
      .filter((g) => !g.some((a) => (a.name === 'python3' && a.op && pySatisfied.get(`${python3} ${a.op} ${a.version}`)) === true))
      .map((g) => g.filter((a) => isPythonDep(a.name) && a.name !== lib.pkg))
      .filter((g) => g.length > 0);
    const ourNames = new Set(lib.ours.keys());
    const seen = new Set<string>();
    for (const g of debGroups) {
      const hit = g.find((a) => ourNames.has(a.name));
      if (hit) {
        seen.add(hit.name);
        if (lib.distInfo) matched++;
        for (const rel of lib.ours.get(hit.name) ?? []) {
          const r = parseRelation(rel);
          const have = installed.get(r.name);
          if (r.op && have) boundChecks.push({ pkg: lib.pkg, name: r.name, rel, triple: [have, r.op, r.version as string] });
        }
      } else if (lib.distInfo) {
        onlyDebian++;
        mismatches.push({ pkg: lib.pkg, sign: '-', name: g[0]!.name, detail: g.map((a) => a.name).join(' | ') });
      } else {
        eggOnlyDebian++;
      }
    }
    for (const name of ourNames) {
      if (seen.has(name)) continue;
      if (lib.distInfo) onlyOurs++;
      mismatches.push({ pkg: lib.pkg, sign: '+', name, detail: (lib.ours.get(name) ?? []).join(', ') });
    }
  }
  const boundResults = await aptCheckDeps(boundChecks.map((b) => b.triple));
  boundChecks.forEach((b, i) => {
    if (!boundResults[i]) mismatches.push({ pkg: b.pkg, sign: '~', name: b.name, detail: `${b.rel} but ${installed.get(b.name)} is installed` });
  });

  const listed = new Map<string, string>();
  for (const line of readFileSync(join(repoRoot, 'test', 'debian-oracle-mismatches.txt'), 'utf8').split('\n')) {
    const m = /^(\S+)\s+([+~-]\S+)\s+(.*\S)\s*$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    listed.set(`${m[1]} ${m[2]}`, m[3] as string);
  }
  const unlisted = mismatches.filter((m) => !listed.has(`${m.pkg} ${m.sign}${m.name}`));
  const observed = new Set(mismatches.map((m) => `${m.pkg} ${m.sign}${m.name}`));
  const stale = [...listed.keys()].filter((k) => !observed.has(k));
  const distInfoLibs = [...libs.values()].filter((l) => l.distInfo).length;
  const total = matched + onlyOurs + onlyDebian;
  const bad = [...libs.values()].flatMap((l) => l.unreadable);

  console.log(
    [
      `# Debian 12 oracle: ${libs.size} installed library packages (${entries.length} metadata directories, ${unowned.length} unowned: ${unowned.join(', ') || 'none'})`,
      `#   ${distInfoLibs} with dist-info METADATA (the oracle): ${matched} of ${total} dependency names agree = ${((100 * matched) / Math.max(total, 1)).toFixed(1)}% ` +
        `(${onlyOurs} only in py2pkg's Depends, ${onlyDebian} only in Debian's)`,
      `#   ${libs.size - distInfoLibs} egg-info only (requires.txt rewritten by dh_python3): ${eggOnlyDebian} Debian names not checkable, ` +
        `${mismatches.filter((m) => m.sign === '+' && !libs.get(m.pkg)?.distInfo).length} names only py2pkg writes`,
      `#   bounds: ${boundChecks.length} py2pkg bounds checked against the installed versions with apt_pkg.check_dep, ${boundResults.filter((x) => !x).length} not satisfied`,
      `#   mismatches: ${mismatches.length}, all listed with a reason: ${unlisted.length === 0}; listed but not seen on this machine: ${stale.length}`,
      ...stale.map((k) => `#   (stale) ${k}`),
    ].join('\n'),
  );
  assert.deepEqual(bad, [], 'metadata py2pkg could not read');
  assert.deepEqual(
    unlisted.map((m) => `${m.pkg} ${m.sign}${m.name}  # ${m.detail}`),
    [],
    'mismatches with Debian not listed with a reason in test/debian-oracle-mismatches.txt',
  );
  assert.ok(distInfoLibs >= 40, `only ${distInfoLibs} dist-info libraries: the oracle is too narrow`);
});
