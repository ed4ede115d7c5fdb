/**
 * The repository page in a real browser: Debian's chromium, driven by playwright-core, loads
 * the index.html `py2pkg publish` wrote (Apt and Yum) and the test checks what is rendered, that
 * no script runs (none is in the page, and the CSP forbids any), that the page's own hashed
 * stylesheet applies, that it reads the same with JavaScript off, and that hostile provenance
 * values show as text.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { fixtureSdist, keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const ORG_SEC = join(keysDir, 'org-repo-TEST-ONLY.sec.asc');
const sys = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const EVIL = `<script>window.pwned=1</script><img src=x onerror="window.pwned=2">"'&`;

let work: string;
let browser: Browser;

/** A package whose provenance.json carries hostile values (as a tampered or foreign build could). */
async function hostileDeb(): Promise<string> {
  const root = join(work, 'hostile-root');
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  await mkdir(join(root, 'usr/share/doc/python3-hostile'), { recursive: true });
  await writeFile(
    join(root, 'DEBIAN/control'),
    'Package: python3-hostile\nVersion: 1.0-1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: hostile\n provenance values\n',
  );
  const prov = {
    sdist: { filename: 'hostile-1.0.tar.gz', sha256: 'a'.repeat(64) },
    unsigned: true,
    verification: { method: 'none', reason: EVIL },
    trust: { rule: EVIL, project: 'hostile' },
  };
  await writeFile(join(root, 'usr/share/doc/python3-hostile/provenance.json'), JSON.stringify(prov));
  const out = join(work, 'python3-hostile_1.0-1_all.deb');
  await execa('/usr/bin/dpkg-deb', ['--root-owner-group', '--build', root, out], { env: sys, extendEnv: false });
  return out;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-repo-page-'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

async function load(file: string, javaScriptEnabled = true) {
  const ctx = await browser.newContext({ javaScriptEnabled });
  const page = await ctx.newPage();
  const console: string[] = [];
  page.on('console', (m) => console.push(m.text()));
  page.on('pageerror', (e) => console.push(e.message));
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  return { ctx, page, console, requests };
}

test('Apt: the page chromium renders lists each package, upstream release, signer and rule; no script runs; hostile values are text', async () => {
  const repo = join(work, 'apt');
  const conv = await py2pkg([
    fixtureSdist('tinyclick'),
    '--trusted-keys',
    upstreamPub,
    '--sign-key',
    ORG_SEC,
    '--repo',
    repo,
    '--out',
    join(work, 'out'),
    '--quiet',
  ]);
  assert.equal(conv.exitCode, 0, conv.stderr);
  const pub = await py2pkg(['publish', '--repo', repo, '--sign-key', ORG_SEC, '--quiet', await hostileDeb()]);
  assert.equal(pub.exitCode, 0, pub.stderr);
  const html = await readFile(join(repo, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<img/i);

  const { ctx, page, console, requests } = await load(join(repo, 'index.html'));
  try {
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
    assert.equal(rows.length, 2);
    const [hostile, tiny] = rows as [string[], string[]];
    assert.deepEqual(tiny.slice(0, 5), ['python3-tinyclick', '8.1.3-1', 'all', 'stable', 'tinyclick 8.1.3']);
    assert.match(tiny[5]!, /^OpenPGP signer [0-9A-F]{40}$/);
    assert.match(tiny[6]!, /default any/);
    assert.match(tiny[7]!, /not checked/);
    // the escaping case: the hostile strings are rendered as the text they are
    assert.equal(hostile[0], 'python3-hostile');
    assert.equal(hostile[5], `unsigned: ${EVIL}`);
    assert.equal(hostile[6], EVIL);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined, 'no injected script ran');
    assert.equal(await page.evaluate(() => document.scripts.length + document.images.length), 0);
    assert.deepEqual(console, []);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:')),
      [],
      'nothing is fetched from elsewhere',
    );
    // the CSP admits the page's own stylesheet (by hash) and forbids scripts
    assert.equal(await page.$eval('th', (th) => getComputedStyle(th).backgroundColor), 'rgb(238, 238, 238)');
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    assert.match(csp ?? '', /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'none'; script-src 'none'/);
    const blocked = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.pwned = 3';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { pwned?: number }).pwned;
    });
    assert.equal(blocked, undefined, 'the CSP stops an inline script even when one is inserted');
  } finally {
    await ctx.close();
  }

  // readable without JavaScript: the same text
  const off = await load(join(repo, 'index.html'), false);
  try {
    const text = await off.page.textContent('body');
    for (const s of ['python3-tinyclick', 'tinyclick 8.1.3', 'OpenPGP signer', EVIL]) assert.ok(text?.includes(s), s);
  } finally {
    await off.ctx.close();
  }
});

test('after py2pkg outdated, the page shows the status; Yum repositories get the page too', async () => {
  const repo = join(work, 'apt');
  const osv = join(work, 'osv.json');
  await writeFile(
    osv,
    JSON.stringify({
      id: 'PYSEC-2099-7',
      modified: '2099-01-01T00:00:00Z',
      summary: EVIL,
      affected: [{ package: { ecosystem: 'PyPI', name: 'tinyclick' }, versions: ['8.1.3'] }],
    }),
  );
  const links = join(work, 'links');
  await mkdir(links);
  const r = await py2pkg(['outdated', repo, '--find-links', links, '--index-url', pathToFileURL(`${links}/`).href, '--osv', osv]);
  assert.equal(r.exitCode, 0, r.stderr);
  const { ctx, page } = await load(join(repo, 'index.html'));
  try {
    const status = await page.$$eval('tbody tr td:last-child', (tds) => tds.map((td) => td.textContent ?? ''));
    assert.ok(
      status.some((s) => s.includes('vulnerable (no fix admitted)') && s.includes(`PYSEC-2099-7: ${EVIL}`)),
      status.join(' | '),
    );
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.ok((await page.textContent('p'))?.includes('Status from py2pkg outdated at'));
  } finally {
    await ctx.close();
  }

  const yumRepo = join(work, 'yum');
  const rpm = await py2pkg([
    fixtureSdist('tinyclick'),
    '--format',
    'rpm',
    '--trusted-keys',
    upstreamPub,
    '--sign-key',
    ORG_SEC,
    '--repo',
    yumRepo,
    '--out',
    join(work, 'out-rpm'),
    '--quiet',
  ]);
  assert.equal(rpm.exitCode, 0, rpm.stderr);
  const y = await load(join(yumRepo, 'index.html'));
  try {
    const cells = await y.page.$$eval('tbody tr td', (tds) => tds.map((td) => (td.textContent ?? '').trim()));
    assert.equal(cells[0], 'python3-tinyclick');
    assert.match(cells[1]!, /^8\.1\.3-1/);
    assert.equal(cells[3], 'tinyclick 8.1.3');
    assert.match(cells[4]!, /^OpenPGP signer [0-9A-F]{40}$/);
    assert.match((await y.page.textContent('p')) ?? '', /^Yum repository made by py2pkg/);
  } finally {
    await y.ctx.close();
  }
});
