/**
 * Reading simple-API pages from bytes (src/source/simple-api.ts, html.ts) and the URL,
 * netrc and NO_PROXY rules (url.ts, netrc.ts, proxy.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Py2pkgError } from '../../src/errors.js';
import { decodeEntities, parseHtml } from '../../src/source/html.js';
import { checkRedirect } from '../../src/source/http.js';
import { netrcLookup, parseNetrc } from '../../src/source/netrc.js';
import { bypassesProxy, proxyFor } from '../../src/source/proxy.js';
import { parseProjectPage, type ParseContext } from '../../src/source/simple-api.js';
import { isSafeFilename, redactUrl } from '../../src/source/url.js';

const H = 'a'.repeat(64);
const ctx = (over: Partial<ParseContext> = {}): ParseContext => ({
  url: new URL('https://idx.example/simple/sel/'),
  fileRoot: undefined,
  project: 'sel',
  warn: () => {},
  ...over,
});
const html = (body: string) => Buffer.from(`<!DOCTYPE html><html><body>${body}</body></html>`);
const json = (doc: unknown) => Buffer.from(JSON.stringify(doc));
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const code = (c: string, re?: RegExp) => (e: unknown) => e instanceof Py2pkgError && e.code === c && (!re || re.test(e.message));

test('PEP 503 HTML: hash fragment, relative links, entities, yanked, requires-python, gpg-sig, core-metadata', () => {
  const page = parseProjectPage(
    html(
      `<a href="../../files/sel-1.0.tar.gz#sha256=${H}" data-requires-python="&gt;=3.8" data-gpg-sig="true">sel-1.0.tar.gz</a>
       <a href="https://cdn.example/sel-2.0.tar.gz" data-yanked="bad &amp; broken" data-core-metadata="sha256=${H}">sel-2.0.tar.gz</a>
       <a href='/x/sel-3.0.tar.gz' data-dist-info-metadata=true data-gpg-sig=false>sel-3.0.tar.gz</a>`,
    ),
    'text/html; charset=utf-8',
    ctx(),
  );
  assert.equal(page.format, 'html');
  const [a, b, c] = page.files;
  assert.equal(a?.url.href, 'https://idx.example/files/sel-1.0.tar.gz');
  assert.deepEqual(a?.hashes, { sha256: H });
  assert.equal(a?.requiresPython, '>=3.8');
  assert.equal(a?.gpgSig, true);
  assert.equal(a?.yanked, false);
  assert.equal(b?.yanked, 'bad & broken');
  assert.deepEqual(b?.coreMetadata, { hashes: { sha256: H } });
  assert.deepEqual(c?.coreMetadata, { hashes: {} });
  assert.equal(c?.gpgSig, false);
  assert.equal(c?.url.href, 'https://idx.example/x/sel-3.0.tar.gz');
});

test('PEP 691 JSON: files, hashes, yanked reason, size and versions (1.1)', () => {
  const page = parseProjectPage(
    json({
      meta: { 'api-version': '1.1' },
      name: 'Sel',
      versions: ['1.0', '2.0'],
      files: [
        { filename: 'sel-1.0.tar.gz', url: 'https://cdn.example/sel-1.0.tar.gz', hashes: { sha256: H.toUpperCase() }, size: 12, 'gpg-sig': true },
        { filename: 'sel-2.0.tar.gz', url: '../../f/sel-2.0.tar.gz', hashes: {}, yanked: 'why', 'core-metadata': { sha256: H }, 'requires-python': '>=3' },
        { filename: 'sel-2.1.tar.gz', url: '/f/sel-2.1.tar.gz', hashes: {}, yanked: true, 'dist-info-metadata': true },
      ],
    }),
    `${JSON_TYPE}; charset=utf-8`,
    ctx(),
  );
  assert.equal(page.format, 'json');
  assert.deepEqual(page.versions, ['1.0', '2.0']);
  assert.deepEqual(page.files[0]?.hashes, { sha256: H });
  assert.equal(page.files[0]?.size, 12);
  assert.equal(page.files[1]?.url.href, 'https://idx.example/f/sel-2.0.tar.gz');
  assert.equal(page.files[1]?.yanked, 'why');
  assert.equal(page.files[2]?.yanked, '');
  assert.deepEqual(page.files[2]?.coreMetadata, { hashes: {} });
});

test('api-version: a newer minor warns, another major is refused', () => {
  const warnings: string[] = [];
  parseProjectPage(json({ meta: { 'api-version': '1.4' }, name: 'sel', files: [] }), JSON_TYPE, ctx({ warn: (m) => warnings.push(m) }));
  assert.match(warnings[0] ?? '', /api-version 1\.4, newer than 1\.1/);
  assert.throws(
    () => parseProjectPage(json({ meta: { 'api-version': '2.0' }, name: 'sel', files: [] }), JSON_TYPE, ctx()),
    code('INDEX_MALFORMED', /not supported/),
  );
  assert.throws(() => parseProjectPage(html('<meta name="pypi:repository-version" content="2.0">'), 'text/html', ctx()), code('INDEX_MALFORMED'));
  assert.throws(() => parseProjectPage(json({}), 'application/vnd.pypi.simple.v2+json', ctx()), code('INDEX_MALFORMED', /api version 2/));
  assert.throws(() => parseProjectPage(json({}), 'application/json', ctx()), code('INDEX_MALFORMED', /content type/));
});

test('malformed pages are refused whole', () => {
  const bad: Array<[Buffer, string]> = [
    [Buffer.from('{"meta": {"api-version": "1.0"}, "name": "sel", "files": [ '), JSON_TYPE],
    [json({ meta: { 'api-version': '1.0' }, name: 'sel', files: {} }), JSON_TYPE],
    [json({ meta: { 'api-version': '1.0' }, name: 'sel', files: [{ filename: 'sel-1.0.tar.gz', url: 'x', hashes: { sha256: 'nothex' } }] }), JSON_TYPE],
    [json({ meta: { 'api-version': '1.0' }, name: 'sel', files: [{ filename: 'sel-1.0.tar.gz', url: 'x', hashes: {}, yanked: 3 }] }), JSON_TYPE],
    [json({ meta: { 'api-version': '1.0' }, name: 'other', files: [] }), JSON_TYPE],
    [html('<a href="sel-1.0.tar.gz">sel-1.0.tar.gz'), 'text/html'],
    [html('<a href="sel-1.0.tar.gz>sel</a>'), 'text/html'],
    [html('<a>sel</a>'), 'text/html'],
    [html(`<a href="sel-1.0.tar.gz#sha256=${'z'.repeat(64)}">x</a>`), 'text/html'],
    [Buffer.from([0x3c, 0x61, 0xff, 0xfe]), 'text/html'],
  ];
  for (const [body, type] of bad) assert.throws(() => parseProjectPage(body, type, ctx()), code('INDEX_MALFORMED'), body.toString('latin1').slice(0, 80));
});

test('unsafe links: javascript:, data:, traversal in the file name, https -> http, file: out of the index', () => {
  const bad = [
    '<a href="javascript:alert(1)">sel-1.0.tar.gz</a>',
    '<a href="data:text/plain,hi">sel-1.0.tar.gz</a>',
    '<a href="/files/..%2F..%2Fetc%2Fsel-1.0.tar.gz">sel-1.0.tar.gz</a>',
    '<a href="/files/.hidden">x</a>',
    '<a href="http://idx.example/files/sel-1.0.tar.gz">sel-1.0.tar.gz</a>',
    '<a href="file:///etc/passwd">x</a>',
  ];
  for (const b of bad) assert.throws(() => parseProjectPage(html(b), 'text/html', ctx()), code('INDEX_UNSAFE_LINK'), b);
  assert.throws(
    () =>
      parseProjectPage(
        json({
          meta: { 'api-version': '1.0' },
          name: 'sel',
          files: [{ filename: '../../sel-1.0.tar.gz', url: 'https://cdn.example/sel-1.0.tar.gz', hashes: {} }],
        }),
        JSON_TYPE,
        ctx(),
      ),
    code('INDEX_UNSAFE_LINK'),
  );
  const fileCtx = ctx({ url: new URL('file:///srv/idx/simple/sel/index.html'), fileRoot: '/srv/idx' });
  assert.equal(
    parseProjectPage(html('<a href="../../files/sel-1.0.tar.gz">x</a>'), 'text/html', fileCtx).files[0]?.url.href,
    'file:///srv/idx/files/sel-1.0.tar.gz',
  );
  assert.throws(
    () => parseProjectPage(html('<a href="../../../../etc/sel-1.0.tar.gz">x</a>'), 'text/html', fileCtx),
    code('INDEX_UNSAFE_LINK', /out of the index directory/),
  );
  // devpi/bandersnatch-style relative links on a network page are fine
  assert.equal(
    parseProjectPage(html('<a href="../../+f/ab/sel-1.0.tar.gz">x</a>'), 'text/html', ctx()).files[0]?.url.href,
    'https://idx.example/+f/ab/sel-1.0.tar.gz',
  );
});

test('html: entities, comments, <base>, scripts skipped', () => {
  assert.equal(decodeEntities('&lt;3 &amp;&#38;&#x26; &quot;&bogus;'), '<3 &&& "&bogus;');
  const p = parseHtml('<!-- <a href="no"> --><base href="https://b.example/d/"><script>var a = "<a href=x>";</script><A HREF=sel-1.0.tar.gz>t</A>');
  assert.equal(p.base, 'https://b.example/d/');
  assert.equal(p.anchors.length, 1);
  assert.equal(p.anchors[0]?.attrs.get('href'), 'sel-1.0.tar.gz');
  const page = parseProjectPage(Buffer.from('<base href="https://b.example/d/"><a href="sel-1.0.tar.gz">x</a>'), 'text/html', ctx());
  assert.equal(page.files[0]?.url.href, 'https://b.example/d/sel-1.0.tar.gz');
});

test('redactUrl masks passwords and token-only user names; safe file names', () => {
  assert.equal(redactUrl('https://u:s3cret@h.example/simple/'), 'https://u:****@h.example/simple/');
  assert.equal(redactUrl('https://tok3n@h.example/simple/'), 'https://****@h.example/simple/');
  assert.equal(redactUrl('https://h.example/simple/'), 'https://h.example/simple/');
  assert.ok(isSafeFilename('sel-1.0.tar.gz'));
  for (const n of ['', '.', '..', '../x', 'a/b', 'a\\b', '.x', 'a\nb']) assert.ok(!isSafeFilename(n), n);
});

test('redirects: same host only, http(s) only, never https -> http', () => {
  const from = new URL('https://idx.example/simple/Sel/');
  assert.equal(checkRedirect(from, '/simple/sel/', 'x').href, 'https://idx.example/simple/sel/');
  assert.equal(checkRedirect(new URL('http://idx.example/a'), 'https://idx.example/a', 'x').href, 'https://idx.example/a');
  assert.throws(() => checkRedirect(from, 'https://evil.example/simple/sel/', 'x'), code('FETCH_REDIRECT', /off-host/));
  assert.throws(() => checkRedirect(from, 'http://idx.example/simple/sel/', 'x'), code('FETCH_REDIRECT', /https to plain http/));
  assert.throws(() => checkRedirect(from, 'file:///etc/passwd', 'x'), code('FETCH_REDIRECT'));
  assert.equal(checkRedirect(from, 'https://u:p@idx.example/b', 'x').username, '');
});

test('netrc: machine, default, quoted tokens, macdef skipped', () => {
  const entries = parseNetrc(
    'machine idx.example login alice password "p w"\nmacdef init\nmachine evil login x password y\n\ndefault login anon password none\n',
  );
  assert.deepEqual(netrcLookup(entries, 'IDX.example'), { username: 'alice', password: 'p w' });
  assert.deepEqual(netrcLookup(entries, 'evil'), { username: 'anon', password: 'none' });
  assert.deepEqual(netrcLookup(parseNetrc('machine a login b password c'), 'z'), undefined);
});

test('NO_PROXY: *, suffixes, ports, CIDR; proxies per scheme', () => {
  const u = (s: string) => new URL(s);
  assert.ok(bypassesProxy(u('https://idx.corp.example/'), 'localhost,.corp.example'));
  assert.ok(bypassesProxy(u('https://corp.example/'), 'corp.example'));
  assert.ok(!bypassesProxy(u('https://notcorp.example/'), 'corp.example'));
  assert.ok(bypassesProxy(u('http://10.1.2.3:8080/'), '10.0.0.0/8'));
  assert.ok(!bypassesProxy(u('http://11.1.2.3/'), '10.0.0.0/8'));
  assert.ok(bypassesProxy(u('http://h.example:8080/'), 'h.example:8080'));
  assert.ok(!bypassesProxy(u('http://h.example:8081/'), 'h.example:8080'));
  assert.ok(bypassesProxy(u('http://anything/'), '*'));
  const env = { http: 'proxy:3128', https: 'http://u:p@sproxy:3129', noProxy: '127.0.0.1' };
  assert.equal(proxyFor(u('http://idx.example/'), env)?.href, 'http://proxy:3128/');
  assert.equal(proxyFor(u('https://idx.example/'), env)?.host, 'sproxy:3129');
  assert.equal(proxyFor(u('https://127.0.0.1:1/'), env), undefined);
  assert.throws(() => proxyFor(u('https://x/'), { http: undefined, https: 'socks5://p:1', noProxy: undefined }), code('CONFIG'));
});
