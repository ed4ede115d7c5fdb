/** The trust policy parser, Trusted Publisher matching and continuity decisions: pure functions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPy2pkgError } from '../../src/errors.js';
import { compareIdentity } from '../../src/trust/continuity.js';
import { ultranormalizeSdistName } from '../../src/trust/pep740-object.js';
import { normalizeFingerprint, parseTrustTable } from '../../src/trust/policy.js';
import { publisherFromCert, publisherMismatch, samePublisher, type CertIdentity } from '../../src/trust/publisher.js';
import type { StoreEntry } from '../../src/trust/store.js';

const FPR = '0FC029A5151A5314065A89B742AE91E6614A64EA';

function configError(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => isPy2pkgError(e) && e.code === 'CONFIG' && re.test(e.message));
}

test("a policy: defaults, PEP 503 names, relative key paths, publishers in PyPI's field names", () => {
  const p = parseTrustTable(
    {
      default: 'tofu',
      project: {
        'Jaraco.Classes': { pgp: [FPR.toLowerCase().match(/.{4}/g)?.join(' ') ?? ''], keys: ['keys/j.asc'] },
        pypi_attestations: { publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' } },
        glp: {
          publisher: [{ kind: 'gitlab', repository: 'a/b/c', workflow_filepath: 'ci/release.yml', environment: 'prod' }],
          sha256: ['A'.repeat(64)],
          require: 'all',
        },
      },
    },
    '/etc/py2pkg/policy.toml',
  );
  assert.equal(p.default, 'tofu');
  assert.deepEqual([...p.projects.keys()], ['jaraco-classes', 'pypi-attestations', 'glp']);
  assert.deepEqual(p.projects.get('jaraco-classes')?.pgp, [FPR]);
  assert.deepEqual(p.projects.get('jaraco-classes')?.keys, ['/etc/py2pkg/keys/j.asc']);
  assert.deepEqual(p.projects.get('pypi-attestations')?.publishers, [{ kind: 'github', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' }]);
  assert.deepEqual(p.projects.get('glp')?.publishers, [{ kind: 'gitlab', repository: 'a/b/c', workflowFilepath: 'ci/release.yml', environment: 'prod' }]);
  assert.deepEqual(p.projects.get('glp')?.sha256, ['a'.repeat(64)]);
  assert.equal(p.projects.get('glp')?.require, 'all');
  assert.equal(parseTrustTable({}, '/x.toml').default, 'any');
});

test('policy errors name the problem', () => {
  configError(() => parseTrustTable({ default: 'maybe' }, 'p.toml'), /default must be one of/);
  configError(() => parseTrustTable({ project: { x: { pgp: ['42AE91E6614A64EA'] } } }, 'p.toml'), /short key id/);
  configError(() => parseTrustTable({ project: { x: { pgp: ['XYZ'] } } }, 'p.toml'), /not an OpenPGP fingerprint/);
  configError(() => parseTrustTable({ project: { x: { keys: ['k.asc'] } } }, 'p.toml'), /pins nothing/);
  configError(() => parseTrustTable({ project: { x: { sha256: ['a'.repeat(64)], keys: ['k.asc'] } } }, 'p.toml'), /keys without pgp/);
  configError(
    () => parseTrustTable({ project: { x: { publisher: { kind: 'github', repository: 'noslash', workflow: 'r.yml' } } } }, 'p.toml'),
    /repository "noslash" is not valid/,
  );
  configError(() => parseTrustTable({ project: { x: { publisher: { kind: 'github', repository: 'a/b', workflow: '../r.yml' } } } }, 'p.toml'), /workflow/);
  configError(
    () => parseTrustTable({ project: { x: { publisher: { kind: 'google', email: 'a@b.c', repository: 'x/y' } } } }, 'p.toml'),
    /unknown key "repository"/,
  );
  configError(() => parseTrustTable({ project: { 'bad name!': { sha256: ['a'.repeat(64)] } } }, 'p.toml'), /not a valid Python project name/);
  configError(() => parseTrustTable({ project: { x: { sha256: 'a'.repeat(64), require: 'most' } } }, 'p.toml'), /require must be/);
  configError(() => parseTrustTable([], 'p.toml'), /must be a table/);
  assert.equal(normalizeFingerprint(`0x${FPR.toLowerCase()}`, 'x'), FPR);
});

const gh = (over: Partial<CertIdentity> = {}): CertIdentity => ({
  subjectAlternativeName: 'URI:https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1',
  issuer: 'https://token.actions.githubusercontent.com',
  sourceRepositoryUri: 'https://github.com/o/r',
  sourceRepositoryDigest: 'abc123',
  sourceRepositoryRef: 'refs/tags/v1',
  buildConfigUri: 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1',
  ...over,
});

test('GitHub publisher matching: Build Config URI at the ref or the digest, repository, issuer', () => {
  const pin = { kind: 'github', repository: 'o/r', workflow: 'release.yml' } as const;
  assert.equal(publisherMismatch(pin, gh()), null);
  assert.equal(publisherMismatch({ ...pin, repository: 'O/R' }, gh()), null, 'repository names are case-insensitive on GitHub');
  assert.equal(
    publisherMismatch(pin, gh({ sourceRepositoryRef: undefined, buildConfigUri: 'https://github.com/o/r/.github/workflows/release.yml@abc123' })),
    null,
  );
  assert.match(
    publisherMismatch(pin, gh({ buildConfigUri: 'https://github.com/o/r/.github/workflows/other.yml@refs/tags/v1' })) ?? '',
    /built by .*other\.yml/,
  );
  // a workflow in another repository that publishes for this one (reusable workflows) is not the pinned publisher
  assert.notEqual(publisherMismatch(pin, gh({ buildConfigUri: 'https://github.com/evil/x/.github/workflows/release.yml@refs/tags/v1' })), null);
  assert.match(publisherMismatch(pin, gh({ sourceRepositoryUri: 'https://github.com/o/r2' })) ?? '', /source repository/);
  assert.match(publisherMismatch(pin, gh({ issuer: 'https://gitlab.com' })) ?? '', /issuer/);
  assert.match(publisherMismatch(pin, gh({ buildConfigUri: 'https://github.com/o/r/.github/workflows/release.yml@refs/heads/evil' })) ?? '', /built by/);
  assert.deepEqual(publisherFromCert(gh()), { kind: 'github', repository: 'o/r', workflow: 'release.yml' });
});

test('GitLab and Google publishers; sameness ignores an environment only one side names', () => {
  const gl: CertIdentity = {
    subjectAlternativeName: 'URI:https://gitlab.com/g/p//ci/rel.yml@refs/heads/main',
    issuer: 'https://gitlab.com',
    sourceRepositoryUri: 'https://gitlab.com/g/p',
    sourceRepositoryRef: 'refs/heads/main',
    sourceRepositoryDigest: 'd',
    buildConfigUri: 'https://gitlab.com/g/p//ci/rel.yml@refs/heads/main',
  };
  assert.deepEqual(publisherFromCert(gl), { kind: 'gitlab', repository: 'g/p', workflowFilepath: 'ci/rel.yml' });
  assert.equal(publisherMismatch({ kind: 'gitlab', repository: 'g/p', workflowFilepath: 'ci/rel.yml' }, gl), null);
  assert.notEqual(publisherMismatch({ kind: 'gitlab', repository: 'g/p', workflowFilepath: '.gitlab-ci.yml' }, gl), null);
  const google: CertIdentity = { subjectAlternativeName: 'email:svc@p.iam.gserviceaccount.com', issuer: 'https://accounts.google.com' };
  assert.equal(publisherMismatch({ kind: 'google', email: 'svc@p.iam.gserviceaccount.com' }, google), null);
  assert.notEqual(publisherMismatch({ kind: 'google', email: 'svc@p.iam.gserviceaccount.com' }, { ...google, issuer: 'https://github.com/login/oauth' }), null);
  assert.ok(
    samePublisher({ kind: 'github', repository: 'o/r', workflow: 'w.yml', environment: 'pypi' }, { kind: 'github', repository: 'O/r', workflow: 'w.yml' }),
  );
  assert.ok(
    !samePublisher(
      { kind: 'github', repository: 'o/r', workflow: 'w.yml', environment: 'pypi' },
      { kind: 'github', repository: 'o/r', workflow: 'w.yml', environment: 'test' },
    ),
  );
});

test("sdist names in pypi-attestations' ultranormalized form", () => {
  assert.equal(ultranormalizeSdistName('pypi-attestations-0.0.19.tar.gz'), 'pypi_attestations-0.0.19.tar.gz');
  assert.equal(ultranormalizeSdistName('Jaraco.Classes-3.2.1.tar.gz'), 'jaraco_classes-3.2.1.tar.gz');
  assert.equal(ultranormalizeSdistName('python-slugify-4.0.0.tar.gz'), 'python_slugify-4.0.0.tar.gz');
  assert.equal(ultranormalizeSdistName('pkg-1.0-rc1.zip'), undefined, 'a dash in the version is not a valid sdist name');
  assert.equal(ultranormalizeSdistName('Pkg-1.0RC1.zip'), 'pkg-1.0rc1.zip');
  assert.equal(ultranormalizeSdistName('pkg.whl'), undefined);
});

test('continuity: matched, extended, changed', () => {
  const entry: StoreEntry = { project: 'p', firstSeen: '', firstVersion: '1', firstSha256: '', pgp: [FPR], origin: 'tofu' };
  const pub = { kind: 'github', repository: 'o/r', workflow: 'w.yml' } as const;
  assert.equal(compareIdentity(entry, { pgp: [FPR], publisher: undefined }), 'matched');
  assert.equal(compareIdentity(entry, { pgp: [FPR], publisher: pub }), 'extended');
  assert.equal(compareIdentity(entry, { pgp: ['A'.repeat(40)], publisher: undefined }), 'changed');
  assert.equal(compareIdentity(entry, { pgp: [], publisher: pub }), 'changed', 'a new kind alone is not continuity');
  const both: StoreEntry = { ...entry, publisher: pub };
  assert.equal(
    compareIdentity(both, { pgp: [FPR], publisher: { ...pub, repository: 'evil/r' } }),
    'changed',
    'a contradicting publisher is refused even with a matching signer',
  );
  assert.equal(compareIdentity(both, { pgp: [], publisher: pub }), 'matched');
});

test('PyPI Integrity API URLs: on pypi.org only, project canonicalized', async () => {
  const { integrityApiUrl } = await import('../../src/source/fetch.js');
  assert.equal(
    integrityApiUrl('https://pypi.org/simple/', 'Jaraco.Classes-3.2.1.tar.gz')?.href,
    'https://pypi.org/integrity/jaraco-classes/3.2.1/Jaraco.Classes-3.2.1.tar.gz/provenance',
  );
  assert.equal(integrityApiUrl('https://test.pypi.org/simple/', 'x-1.0.tar.gz')?.href, 'https://test.pypi.org/integrity/x/1.0/x-1.0.tar.gz/provenance');
  assert.equal(integrityApiUrl('https://pypi.internal/simple/', 'x-1.0.tar.gz'), undefined);
  assert.equal(integrityApiUrl('http://pypi.org/simple/', 'x-1.0.tar.gz'), undefined, 'never over plain http');
});
