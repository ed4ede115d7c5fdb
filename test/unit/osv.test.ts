/** OSV records for `py2pkg outdated`: validation of hostile JSON, range evaluation under PEP 440, the querybatch answer, admissibility, the report's judgement. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitStatus, Py2pkgError, SEVERITY, worstExitStatus } from '../../src/errors.js';
import { admissible } from '../../src/outdated/admissible.js';
import { affects, MAX_RECORD_BYTES, parseOsvJson, parseOsvRecord, rangeAffects, type OsvRecord } from '../../src/outdated/osv.js';
import { parseBatchAnswer } from '../../src/outdated/osv-load.js';
import type { Release } from '../../src/outdated/releases.js';
import { assess, buildReport, renderTable } from '../../src/outdated/report.js';
import { parseVersion } from '../../src/python/pep440.js';
import type { IndexFile } from '../../src/source/simple-api.js';
import { BUILTIN_POLICY, parseTrustTable } from '../../src/trust/policy.js';

const rec = (affected: unknown[], extra: Record<string, unknown> = {}): OsvRecord =>
  parseOsvRecord({ id: 'PYSEC-2024-1', modified: '2024-01-01T00:00:00Z', summary: 'bad thing', affected, ...extra }, 'test');
const eco = (events: unknown[]) => ({ type: 'ECOSYSTEM', events });
const pkg = (name = 'Demo_Pkg') => ({ ecosystem: 'PyPI', name });

const invalid = (f: () => unknown, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof Py2pkgError && e.code === 'OSV_INVALID' && e.exitStatus === 4 && re.test(e.message));

test('introduced/fixed: affected from introduced up to (not including) fixed; names compared after PEP 503 normalization', () => {
  const r = rec([{ package: pkg(), ranges: [eco([{ introduced: '1.0' }, { fixed: '1.4.2' }])] }]);
  assert.equal(affects(r, 'demo-pkg', '0.9'), undefined);
  assert.equal(affects(r, 'demo-pkg', '1.0')?.fixedIn, '1.4.2');
  assert.equal(affects(r, 'DEMO.pkg', '1.4.1')?.id, 'PYSEC-2024-1');
  assert.equal(affects(r, 'demo-pkg', '1.4.2'), undefined);
  assert.equal(affects(r, 'demo-pkg', '1.4.2rc1')?.fixedIn, '1.4.2', 'a pre-release of the fix is before it');
  assert.equal(affects(r, 'other', '1.2'), undefined);
});

test('introduced "0", several ranges, last_affected (inclusive) and limit', () => {
  const r = rec([{ package: pkg(), ranges: [eco([{ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }, { last_affected: '2.3' }])] }]);
  for (const [v, hit] of [
    ['0.1', true],
    ['1.0', false],
    ['1.5', false],
    ['2.0', true],
    ['2.3', true],
    ['2.3.1', false],
    ['1!0.1', false],
  ] as const) {
    assert.equal(affects(r, 'demo-pkg', v) !== undefined, hit, v);
  }
  const limited = { type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { limit: '3.0' }] };
  assert.equal(rangeAffects(limited, parseVersion('2.9'), 't'), true);
  assert.equal(rangeAffects(limited, parseVersion('3.0'), 't'), false);
});

test('events out of order are sorted before evaluation; epochs count', () => {
  const r = rec([{ package: pkg(), ranges: [eco([{ fixed: '2.0' }, { introduced: '1.0' }])] }]);
  assert.ok(affects(r, 'demo-pkg', '1.5'));
  assert.equal(affects(r, 'demo-pkg', '1!1.5'), undefined);
});

test('versions lists match by PEP 440 equality; SEMVER and GIT ranges do not apply; other ecosystems are ignored', () => {
  const r = rec([
    { package: pkg(), versions: ['1.0.0', 'weird-legacy'], ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: 'abc' }] }] },
    { package: { ecosystem: 'npm', name: 'demo-pkg' }, ranges: [eco([{ introduced: '0' }])] },
  ]);
  assert.ok(affects(r, 'demo-pkg', '1.0'));
  assert.equal(affects(r, 'demo-pkg', '1.1'), undefined);
});

test('withdrawn records affect nothing', () => {
  const r = rec([{ package: pkg(), ranges: [eco([{ introduced: '0' }])] }], { withdrawn: '2024-02-01T00:00:00Z' });
  assert.equal(affects(r, 'demo-pkg', '1.0'), undefined);
});

test('hostile records are OSV_INVALID (exit 4), one line each', () => {
  invalid(() => parseOsvJson(Buffer.from('{'), 'f.json'), /not JSON/);
  invalid(() => parseOsvJson(Buffer.alloc(MAX_RECORD_BYTES + 1, 0x20), 'big.json'), /larger than/);
  invalid(() => parseOsvRecord([], 'x'), /JSON object/);
  invalid(() => parseOsvRecord({ modified: 'x' }, 'x'), /id is missing/);
  invalid(() => parseOsvRecord({ id: '../../etc/passwd', modified: 'x' }, 'x'), /not an OSV identifier/);
  invalid(() => parseOsvRecord({ id: 'A-1', modified: 'x', summary: 5 }, 'x'), /summary is not a string/);
  invalid(() => parseOsvRecord({ id: 'A-1', modified: 'x', affected: {} }, 'x'), /affected is not a list/);
  invalid(() => rec([{ package: pkg(), ranges: [eco([{ introduced: '0', fixed: '1' }])] }]), /exactly one/);
  invalid(() => rec([{ package: pkg(), ranges: [eco([{ broken: '1' }])] }]), /unknown event/);
  invalid(() => rec([{ package: pkg(), ranges: [{ type: 'FOO', events: [{ introduced: '0' }] }] }]), /not ECOSYSTEM/);
  invalid(() => rec([{ package: pkg(), ranges: [eco([])] }]), /no events/);
  invalid(() => rec([{ package: pkg('bad name\n'), ranges: [] }]), /not a Python project name/);
  invalid(() => rec([{ package: pkg(), versions: Array.from({ length: 20001 }, () => '1') }]), /more than/);
  invalid(() => rec([{ package: pkg(), ranges: [eco([{ introduced: 'x'.repeat(200) }])] }]), /longer than/);
  // a range that cannot be evaluated must not read as "not affected"
  const unparsable = rec([{ package: pkg(), ranges: [eco([{ introduced: '0' }, { fixed: 'not-a-version!' }])] }]);
  invalid(() => affects(unparsable, 'demo-pkg', '1.0'), /not a PEP 440 version/);
  // control characters in messages are flattened
  try {
    parseOsvRecord({ id: 'A-1', modified: 'x', affected: [{ package: { ecosystem: 'PyPI', name: 'a\u001b[31m' } }] }, 'x');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(!(e as Error).message.includes('\u001b'));
  }
});

test('querybatch answers: ids per query, validated; paging and miscounts refused', () => {
  assert.deepEqual(parseBatchAnswer(Buffer.from('{"results":[{"vulns":[{"id":"PYSEC-1","modified":"x"}]},{}]}'), 2, 'u'), [['PYSEC-1'], []]);
  invalid(() => parseBatchAnswer(Buffer.from('{"results":[]}'), 1, 'u'), /0 results for 1/);
  invalid(() => parseBatchAnswer(Buffer.from('{"results":[{"vulns":[{"id":"a b"}]}]}'), 1, 'u'), /no valid id/);
  invalid(() => parseBatchAnswer(Buffer.from('{"results":[{"next_page_token":"t"}]}'), 1, 'u'), /paged/);
  invalid(() => parseBatchAnswer(Buffer.from('nope'), 1, 'u'), /not JSON/);
});

const file = (over: Partial<IndexFile> = {}): IndexFile => ({
  filename: 'demo-pkg-2.0.tar.gz',
  url: new URL('https://x/demo-pkg-2.0.tar.gz'),
  hashes: { sha256: 'c'.repeat(64) },
  requiresPython: undefined,
  yanked: false,
  gpgSig: undefined,
  coreMetadata: false,
  size: 1,
  ...over,
});

test('admissibility follows the policy: pinned kinds offered (any/all), defaults', () => {
  assert.equal(admissible(BUILTIN_POLICY, 'demo-pkg', file()).admits, false);
  assert.equal(admissible(BUILTIN_POLICY, 'demo-pkg', file({ gpgSig: true })).admits, true);
  assert.equal(admissible(BUILTIN_POLICY, 'demo-pkg', file({ provenance: new URL('https://x/p') })).admits, true);
  const policy = parseTrustTable(
    { default: 'none', project: { 'demo-pkg': { sha256: ['c'.repeat(64)], pgp: ['A'.repeat(40)], require: 'all' }, other: { sha256: ['d'.repeat(64)] } } },
    '/tmp/policy.toml',
  );
  assert.equal(admissible(policy, 'demo-pkg', file()).admits, false, 'all: the signature is missing');
  assert.equal(admissible(policy, 'demo-pkg', file({ gpgSig: true })).admits, true);
  assert.equal(admissible(policy, 'other', file()).admits, false, 'not the reviewed digest');
  assert.equal(admissible(policy, 'unnamed', file({ gpgSig: true })).admits, false, 'default none');
  assert.equal(admissible({ ...BUILTIN_POLICY, default: 'unsigned' }, 'x', file()).admits, true);
});

const release = (version: string, over: Partial<IndexFile> = {}): Release => ({
  version,
  parsed: parseVersion(version),
  file: file({ filename: `demo-pkg-${version}.tar.gz`, gpgSig: true, ...over }),
  source: 'https://x/simple/',
});

test('assess: newest admitted release, yanked packaged release, security update only when an admitted release fixes it', () => {
  const item = { project: 'demo-pkg', version: '1.0', sdist: 'demo-pkg-1.0.tar.gz', evidence: [], rule: null, packages: ['p.deb'] };
  const r = rec([{ package: pkg(), ranges: [eco([{ introduced: '0' }, { fixed: '1.5' }])] }]);
  const releases = [release('3.0b1'), release('2.0', { gpgSig: false }), release('1.5'), release('1.0', { yanked: 'broken' })];
  const row = assess(item, releases, [r], BUILTIN_POLICY, false);
  assert.equal(row.newest?.version, '1.5', 'the pre-release and the unsigned 2.0 are not admitted');
  assert.equal(row.newestListed, '3.0b1');
  assert.equal(row.yanked, 'broken');
  assert.equal(row.outdated, true);
  assert.equal(row.securityUpdate, true);
  assert.deepEqual(
    row.advisories.map((a) => [a.id, a.fixedIn, a.fixAvailable]),
    [['PYSEC-2024-1', '1.5', true]],
  );
  const report = buildReport({ from: { kind: 'lock', path: 'l' }, items: [item], unknown: [] }, [row], null, new Date(0));
  assert.equal(report.exitStatus, 15);
  assert.match(renderTable(report), /demo-pkg\s+1\.0\s+1\.5\s+SECURITY UPDATE/);
  // no admitted fix: vulnerable, but not a security update
  const noFix = assess(item, [release('1.0')], [r], BUILTIN_POLICY, false);
  assert.equal(noFix.securityUpdate, false);
  assert.equal(noFix.advisories.length, 1);
  // not on the index
  assert.equal(assess(item, undefined, [], BUILTIN_POLICY, false).onIndex, false);
});

test('exit status 15 exists and ranks after usage in a batch', () => {
  assert.equal(ExitStatus.security, 15);
  assert.ok(SEVERITY.includes(15));
  assert.equal(worstExitStatus([15, 2]), 2);
  assert.equal(new Py2pkgError('SECURITY_UPDATE', 'x').exitStatus, 15);
});
