/**
 * --recursive's tree resolution without processes: archive reuse (Debian version comparison,
 * dh-python names, Provides, RPM python3dist provides), markers on the target's Python, extras
 * only as asked, and the problems on their node: conflict, unsatisfiable, cycle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Py2pkgError } from '../../src/errors.js';
import { addPackagesText, addPrimaryXml, archiveOffer, debVersionMeets, emptyIndex, rpmVerCmp } from '../../src/recursive/archive-index.js';
import { planJson, planLines } from '../../src/recursive/plan-text.js';
import { resolveTree, type FetchedNode, type PlanNode } from '../../src/recursive/tree.js';
import { getProfile } from '../../src/targets/profiles.js';

const debian12 = getProfile('debian12')!;
const el9 = getProfile('el9')!;

const PACKAGES = `Package: python3-six
Version: 1.16.0-4
Architecture: all

Package: python3-django
Version: 3:3.2.25-0+deb12u7

Package: python3-yaml
Version: 6.0-3+b2

Package: python3-old
Version: 1.0-1

Package: python3-provider
Version: 2.0-1
Provides: python3-virtualthing (= 2.5), python3-unversioned
`;

function debArchive() {
  const a = emptyIndex('deb', 'test Packages');
  addPackagesText(a, PACKAGES);
  return a;
}

/** An index as a table: project -> versions (newest last) -> Requires-Dist. */
type FakeIndex = Record<string, Record<string, { requires?: string[]; extras?: string[]; requiresPython?: string }>>;

function fakeFetch(index: FakeIndex, calls: string[] = []) {
  return async (project: string, specifier: string): Promise<FetchedNode> => {
    calls.push(`${project}${specifier}`);
    const versions = index[project];
    if (!versions) throw new Py2pkgError('INDEX_NOT_FOUND', `no project named ${project} on the test index`);
    const { specifierContains } = await import('../../src/python/pep440.js');
    const match = Object.keys(versions)
      .filter((v) => !specifier || specifierContains(specifier, v))
      .pop();
    if (!match) throw new Py2pkgError('NO_MATCHING_SDIST', `${project} has no sdist matching ${specifier}`);
    const m = versions[match]!;
    return {
      name: project,
      version: match,
      requiresDist: m.requires ?? [],
      providesExtra: m.extras ?? [],
      requiresPython: m.requiresPython,
      filename: `${project}-${match}.tar.gz`,
      sha256: 'a'.repeat(64),
      evidence: 'test',
    };
  };
}

const find = (nodes: PlanNode[], project: string): PlanNode | undefined => {
  for (const n of nodes) {
    if (n.project === project) return n;
    const c = find(n.children, project);
    if (c) return c;
  }
  return undefined;
};

test('Packages lists: highest version kept, Provides read, Debian ordering and epochs in the bound check', () => {
  const a = debArchive();
  addPackagesText(a, 'Package: python3-six\nVersion: 1.15.0-1\n\nPackage: python3-six\nVersion: 1.16.0-4+deb12u1\n');
  assert.equal(a.packages.get('python3-six'), '1.16.0-4+deb12u1');
  assert.deepEqual(archiveOffer(a, 'six', '>=1.10', debian12), { package: 'python3-six', version: '1.16.0-4+deb12u1', meets: true });
  assert.equal(archiveOffer(a, 'six', '>=1.17', debian12)?.meets, false);
  // the epoch 3: of python3-django: <4 still excludes 4.x and admits 3.2
  assert.equal(archiveOffer(a, 'Django', '<4', debian12)?.meets, true);
  assert.equal(archiveOffer(a, 'django', '>=4.2', debian12)?.meets, false);
  // dh-python's name map: PyYAML -> python3-yaml
  assert.equal(archiveOffer(a, 'pyyaml', '>=5', debian12)?.package, 'python3-yaml');
  assert.equal(archiveOffer(a, 'virtualthing', '>=2', debian12)?.package, 'python3-provider');
  assert.equal(archiveOffer(a, 'virtualthing', '>=3', debian12)?.meets, false);
  assert.equal(archiveOffer(a, 'unversioned', '>=1', debian12)?.meets, false);
  assert.equal(archiveOffer(a, 'unversioned', '', debian12)?.meets, true);
  assert.equal(archiveOffer(a, 'absent', '', debian12), undefined);
  assert.equal(debVersionMeets('1.0.9-1', '>=1.1'), false);
  assert.equal(debVersionMeets('1.0-1', '==1.0'), true);
});

test('primary.xml: python3dist provides and the package version; PEP 440 decides the bound', () => {
  const a = emptyIndex('rpm', 'test primary.xml');
  addPrimaryXml(
    a,
    `<?xml version="1.0"?><metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm"><name>python3-six</name><arch>noarch</arch><version epoch="0" ver="1.15.0" rel="2.el9"/>
<format><rpm:provides><rpm:entry name="python3-six" flags="EQ" epoch="0" ver="1.15.0" rel="2.el9"/><rpm:entry name="python3dist(six)" flags="EQ" epoch="0" ver="1.15"/><rpm:entry name="python3.9dist(six)" flags="EQ" epoch="0" ver="1.15"/></rpm:provides></format></package>
<package type="rpm"><name>python3-idna</name><version epoch="0" ver="2.10" rel="7.el9"/><format><rpm:provides><rpm:entry name="python3dist(idna)" flags="EQ" epoch="0" ver="2.10"/></rpm:provides></format></package>
</metadata>`,
  );
  assert.equal(a.packages.get('python3-six'), '1.15.0-2.el9');
  assert.deepEqual(archiveOffer(a, 'six', '>=1.10', el9), { package: 'python3-six', version: '1.15', meets: true });
  assert.equal(archiveOffer(a, 'idna', '>=3', el9)?.meets, false);
  assert.equal(archiveOffer(a, 'requests', '', el9), undefined);
  assert.ok(rpmVerCmp('1.10', '1.9') > 0 && rpmVerCmp('1.0a', '1.0') > 0);
});

test('a tree: reuse what the archive meets, convert the rest, follow only converted nodes', async () => {
  const calls: string[] = [];
  const plan = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch(
      {
        top: { '1.0': { requires: ['six>=1.10', 'mid>=1', 'old>=2'] } },
        mid: { '1.0': { requires: ['leaf'] }, '1.5': { requires: ['leaf', 'six'] } },
        leaf: { '0.3': {} },
        old: { '2.1': {} },
      },
      calls,
    ),
  });
  assert.equal(plan.exitStatus, 0);
  assert.deepEqual(
    plan.convert.map((c) => `${c.name} ${c.version}`),
    ['top 1.0', 'mid 1.5', 'old 2.1', 'leaf 0.3'],
  );
  assert.deepEqual(plan.reuse, [{ project: 'six', package: 'python3-six', version: '1.16.0-4' }]);
  // python3-old 1.0 does not meet >=2: converted from the index
  assert.equal(find(plan.roots, 'old')?.action, 'convert');
  assert.equal(
    find(
      plan.roots.flatMap((r) => r.children),
      'six',
    )?.action,
    'reuse',
  );
  assert.ok(!calls.includes('six>=1.10'), 'a reused node is not fetched');
  const text = planLines(plan).join('\n');
  assert.match(text, /^plan for debian12 \(archive: test Packages\):$/m);
  assert.match(text, /^├─ six>=1\.10 {2}reuse python3-six 1\.16\.0-4 from the archive$/m);
  assert.match(text, /^│ {2}└─ six {2}\(reused above: python3-six 1\.16\.0-4\)$/m);
  assert.match(text, /^plan: convert 4, reuse 1 from the archive$/m);
});

test('markers are evaluated for the target Python; extras are followed only when asked', async () => {
  const index: FakeIndex = {
    app: {
      '2.0': {
        requires: ['tomli>=1; python_version < "3.11"', 'newonly; python_version >= "3.11"', 'webdep; extra == "web"', 'argparse', 'sub[fast]'],
        extras: ['web'],
      },
    },
    newonly: { '1.0': {} },
    webdep: { '1.0': {} },
    tomli: { '2.0': {} },
    sub: { '1.0': { requires: ['speedy; extra == "fast"', 'slowdep; extra == "slow"'], extras: ['fast', 'slow'] } },
    speedy: { '1.0': {} },
  };
  const plain = await resolveTree(['app'], { profile: debian12, archive: debArchive(), fetch: fakeFetch(index) });
  assert.deepEqual(plain.convert.map((c) => c.name).sort(), ['app', 'newonly', 'speedy', 'sub']);
  assert.equal(find(plain.roots, 'argparse')?.action, 'stdlib');
  assert.deepEqual(find(plain.roots, 'sub')?.extras, ['fast']);
  const web = await resolveTree(['app[web]'], { profile: debian12, archive: debArchive(), fetch: fakeFetch(index) });
  assert.ok(web.convert.some((c) => c.name === 'webdep'));
  assert.deepEqual(web.convert.find((c) => c.name === 'app')?.extras, ['web']);
  // on a Python 3.9 target tomli is needed and newonly is not
  const el9plan = await resolveTree(['app'], { profile: el9, archive: emptyIndex('rpm', 'none'), fetch: fakeFetch(index) });
  assert.deepEqual(el9plan.convert.map((c) => c.name).sort(), ['app', 'speedy', 'sub', 'tomli']);
});

test('a later requirement that excludes the chosen version is a RESOLVE_CONFLICT on that node', async () => {
  const plan = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({
      top: { '1.0': { requires: ['a', 'b'] } },
      a: { '1.0': { requires: ['c>=2'] } },
      b: { '1.0': { requires: ['c<2'] } },
      c: { '1.0': {}, '2.0': {} },
    }),
  });
  assert.equal(plan.exitStatus, 5);
  assert.equal(plan.problems, 1);
  const bad = find(find(plan.roots, 'b')!.children, 'c')!;
  assert.equal(bad.problem?.code, 'RESOLVE_CONFLICT');
  assert.match(bad.problem?.reason ?? '', /c<2 excludes c 2\.0, chosen for c>=2/);
  assert.match(planLines(plan).join('\n'), /^ {3}└─ c<2 {2}error\[RESOLVE_CONFLICT\]: c<2 excludes c 2\.0/m);
  // an archive package reused for one node and excluded by another
  const p2 = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({ top: { '1.0': { requires: ['six', 'x'] } }, x: { '1.0': { requires: ['six>=1.17'] } } }),
  });
  assert.equal(find(find(p2.roots, 'x')!.children, 'six')?.problem?.code, 'RESOLVE_CONFLICT');
});

test('nothing in the archive nor on the index: RESOLVE_UNSATISFIABLE with both reasons; Requires-Python too', async () => {
  const plan = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({ top: { '1.0': { requires: ['ghost', 'six>=9', 'futurepy'] } }, six: { '1.0': {} }, futurepy: { '1.0': { requiresPython: '>=3.13' } } }),
  });
  assert.equal(plan.exitStatus, 5);
  assert.equal(find(plan.roots, 'ghost')?.problem?.code, 'RESOLVE_UNSATISFIABLE');
  assert.match(find(plan.roots, 'ghost')!.problem!.reason, /test Packages has no package for ghost, and the index has no match: no project named ghost/);
  assert.match(find(plan.roots, 'six')!.problem!.reason, /the archive's python3-six 1\.16\.0-4 does not meet >=9, and the index has no match/);
  assert.match(find(plan.roots, 'futurepy')!.problem!.reason, /requires Python >=3\.13; debian12 has 3\.11/);
  const json = planJson(plan) as { exitStatus: number; tree: Array<{ children: Array<{ action: string; problem?: { code: string } }> }> };
  assert.equal(json.exitStatus, 5);
  assert.deepEqual(
    json.tree[0]!.children.map((c) => c.problem?.code),
    ['RESOLVE_UNSATISFIABLE', 'RESOLVE_UNSATISFIABLE', 'RESOLVE_UNSATISFIABLE'],
  );
});

test('a cycle of converted projects is RESOLVE_CYCLE on the edge that closes it, once', async () => {
  const plan = await resolveTree(['a'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({ a: { '1.0': { requires: ['b'] } }, b: { '1.0': { requires: ['c'] } }, c: { '1.0': { requires: ['a>=1'] } } }),
  });
  assert.equal(plan.exitStatus, 5);
  assert.equal(plan.problems, 1);
  const closing = find(find(plan.roots, 'c')!.children, 'a')!;
  assert.equal(closing.problem?.code, 'RESOLVE_CYCLE');
  assert.equal(closing.problem?.reason, 'a -> b -> c -> a: the projects require each other');
  // siblings that require each other (not on one path) are a cycle too
  const p2 = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({ top: { '1.0': { requires: ['b', 'c'] } }, b: { '1.0': { requires: ['c'] } }, c: { '1.0': { requires: ['b'] } } }),
  });
  assert.equal(p2.problems, 1);
  assert.match(planLines(p2).join('\n'), /error\[RESOLVE_CYCLE\]: b -> c -> b/);
  // a diamond is not a cycle
  const p3 = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: fakeFetch({ top: { '1.0': { requires: ['b', 'c'] } }, b: { '1.0': { requires: ['d'] } }, c: { '1.0': { requires: ['d'] } }, d: { '1.0': {} } }),
  });
  assert.equal(p3.exitStatus, 0);
});

test('a trust failure on a node keeps its own code and status in the tree', async () => {
  const plan = await resolveTree(['top'], {
    profile: debian12,
    archive: debArchive(),
    fetch: (project) => {
      if (project === 'bad') return Promise.reject(new Py2pkgError('SIG_INVALID', 'bad-1.0.tar.gz does not match its signature'));
      return Promise.resolve({
        name: project,
        version: '1.0',
        requiresDist: ['bad'],
        providesExtra: [],
        requiresPython: undefined,
        filename: 'x',
        sha256: 'b'.repeat(64),
        evidence: 'test',
      });
    },
  });
  assert.equal(plan.exitStatus, 3);
  assert.equal(find(plan.roots, 'bad')?.problem?.code, 'SIG_INVALID');
});

test('a tree past the node limit is not followed further, each node left out marked', async () => {
  const index: FakeIndex = {};
  for (let i = 0; i < 20; i++) index[`n${i}`] = { '1.0': { requires: [`n${i + 1}`] } };
  const plan = await resolveTree(['n0'], { profile: debian12, archive: debArchive(), fetch: fakeFetch(index), maxNodes: 5 });
  assert.equal(plan.convert.length, 5);
  assert.equal(plan.problems, 1);
  assert.match(find(plan.roots, 'n5')?.problem?.reason ?? '', /more than 5 nodes/);
});

test('build records: what a rebuild refuses, and evidence that must match', async () => {
  const { buildRecordProblem } = await import('../../src/rebuild/record.js');
  const { sameEvidence } = await import('../../src/rebuild/rebuild.js');
  const good = {
    py2pkg: '0.1.0',
    format: 'deb',
    target: debian12,
    maintainer: 'T <t@example.org>',
    dependencies: { withExtras: [], dependsMap: {}, extraDepends: [], dropDepends: [] },
    templates: { digest: 'a'.repeat(64), source: 'builtin' },
    sourceDateEpoch: 1700000000,
    sourceDateEpochFrom: 'sdist',
  };
  assert.equal(buildRecordProblem(good, 'deb'), undefined);
  assert.match(buildRecordProblem(undefined, 'deb') ?? '', /no "build" record/);
  assert.match(buildRecordProblem(good, 'rpm') ?? '', /"build.format" is "deb", the file is a \.rpm/);
  assert.match(buildRecordProblem({ ...good, sourceDateEpoch: '1700000000' }, 'deb') ?? '', /sourceDateEpoch/);
  assert.match(buildRecordProblem({ ...good, target: { id: 'x' } }, 'deb') ?? '', /not a target profile/);
  assert.match(buildRecordProblem({ ...good, dependencies: { withExtras: [1] } }, 'deb') ?? '', /dependencies/);
  const signer = (fingerprint: string) => ({ fingerprint, userIds: [], signedAt: '2024-01-01T00:00:00Z', keyCreated: '', signingKey: fingerprint });
  const pgp = (...f: string[]) => ({ method: 'openpgp-detached-signature', tool: 'openpgp.js', signers: f.map(signer) }) as never;
  assert.equal(sameEvidence(pgp('A', 'B'), pgp('B', 'A')), undefined);
  assert.match(sameEvidence(pgp('A'), pgp('C')) ?? '', /records signers A, the sdist is now signed by C/);
  assert.match(sameEvidence(pgp('A'), { method: 'none', reason: 'unsigned' }) ?? '', /records openpgp-detached-signature evidence, the rebuild found none/);
});
