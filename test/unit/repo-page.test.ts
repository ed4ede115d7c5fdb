/** The repository page as a pure rendering: escaping of hostile metadata, the CSP, the status from outdated.json; the provenance reader. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { originOf, type Origin, type RepoPackage } from '../../src/repo/origins.js';
import { escapeHtml, PAGE_STYLE, pageCsp, renderPage, type PageStatus } from '../../src/repo/page.js';

const pkg = (over: Partial<RepoPackage> = {}): RepoPackage => ({
  kind: 'apt',
  suite: 'stable',
  name: 'python3-demo',
  version: '1.0-1',
  arch: 'all',
  filename: 'pool/main/p/python3-demo/python3-demo_1.0-1_all.deb',
  sha256: 'a'.repeat(64),
  ...over,
});
const origin = (over: Partial<Origin> = {}): Origin => ({
  project: 'demo',
  version: '1.0',
  sdist: 'demo-1.0.tar.gz',
  sdistSha256: 'b'.repeat(64),
  unsigned: false,
  evidence: [{ method: 'pgp', identity: 'C'.repeat(40) }],
  rule: 'default any: pgp',
  ...over,
});

test('escapeHtml: the five characters and control characters', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>\u0000\u001b`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('the page lists package, version, upstream release, signer, rule; CSP allows only its own style', () => {
  const html = renderPage({
    title: 'org repo',
    kind: 'apt',
    signedBy: 'F'.repeat(40),
    generatedAt: new Date(0),
    packages: [{ pkg: pkg(), origin: origin() }],
    status: undefined,
    statusCheckedAt: undefined,
  });
  for (const s of ['python3-demo', '1.0-1', 'demo 1.0', `OpenPGP signer <code>${'C'.repeat(40)}</code>`, 'default any: pgp', 'not checked'])
    assert.ok(html.includes(s), s);
  const hash = createHash('sha256').update(PAGE_STYLE).digest('base64');
  assert.ok(pageCsp().includes(`style-src 'sha256-${hash}'`));
  assert.ok(pageCsp().startsWith("default-src 'none'"));
  assert.ok(html.includes(`<style>${PAGE_STYLE}</style>`));
  assert.doesNotMatch(html, /<script|https?:\/\//i, 'no scripts, nothing from elsewhere');
});

test('hostile values are escaped everywhere: names, evidence, publisher JSON, OSV text', () => {
  const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  const status = new Map<string, PageStatus>([
    [
      `${evil}\u00001.0`,
      { status: 'SECURITY UPDATE', newest: evil, yanked: evil, advisories: [{ id: 'PYSEC-1', summary: evil, fixedIn: '2.0', fixAvailable: true }] },
    ],
  ]);
  const html = renderPage({
    title: evil,
    kind: 'yum',
    signedBy: evil,
    generatedAt: new Date(0),
    packages: [
      {
        pkg: pkg({ name: evil, version: evil, arch: evil }),
        origin: origin({
          project: evil,
          rule: evil,
          evidence: [
            { method: 'publisher', identity: JSON.stringify({ kind: 'github', repository: evil }) },
            { method: 'none', identity: evil },
          ],
        }),
      },
      { pkg: pkg({ name: 'foreign' }), origin: undefined },
    ],
    status,
    statusCheckedAt: evil,
  });
  assert.doesNotMatch(html, /<script|<img/i);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('class="security"'));
  assert.ok(html.includes('Trusted Publisher <code>kind=github repository=&lt;script&gt;'));
  assert.ok(html.includes('unknown (no provenance)'));
});

test('originOf reads py2pkg provenance.json and refuses anything else', () => {
  const o = originOf(
    Buffer.from(
      JSON.stringify({
        sdist: { filename: 'Demo_Pkg-1.2.tar.gz', sha256: 'd'.repeat(64) },
        unsigned: false,
        verification: { method: 'openpgp-detached-signature', signers: [{ fingerprint: 'E'.repeat(40) }] },
        trust: { rule: 'project demo-pkg: pgp', project: 'demo-pkg' },
      }),
    ),
  );
  assert.deepEqual([o?.project, o?.version, o?.evidence, o?.rule], ['demo-pkg', '1.2', [{ method: 'pgp', identity: 'E'.repeat(40) }], 'project demo-pkg: pgp']);
  assert.equal(originOf(Buffer.from('not json')), undefined);
  assert.equal(originOf(Buffer.from('{"sdist":{}}')), undefined);
  assert.equal(originOf(Buffer.alloc(2 * 1024 * 1024, 0x20)), undefined);
});
