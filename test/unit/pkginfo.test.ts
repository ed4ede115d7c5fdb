// Vectors are read at run time from ../shared/vectors, the sibling of the repository root
// (/work/main -> /work/shared). This file runs as dist/test/unit/pkginfo.test.js, three levels
// below the repository root, hence '../../../../shared/vectors/'. Tests that need the vectors or
// /usr/lib/python3/dist-packages skip when they are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPy2pkgError } from '../../src/errors.js';
import { parseRequirement } from '../../src/python/pep508.js';
import { debianPackageName, normalizeName, parseCoreMetadata, parseCoreMetadataBytes, parseCoreMetadataDetailed } from '../../src/sdist/pkginfo.js';

const VECTORS = fileURLToPath(new URL('../../../../shared/vectors/', import.meta.url));
const noVectors = existsSync(VECTORS) ? false : `vectors not found at ${VECTORS}`;
const DIST_PACKAGES = '/usr/lib/python3/dist-packages';

function invalidMetadata(e: unknown): boolean {
  return isPy2pkgError(e) && e.code === 'METADATA_INVALID';
}

const lines = (...l: string[]) => l.join('\n');

test('Metadata-Version 2.4: headers, multiple-use fields, body description', () => {
  const text = lines(
    'Metadata-Version: 2.4',
    'Name: Example.Project_Name',
    'Version: 2.0.0-RC1',
    'Summary: An example project',
    'Keywords: one,two,',
    '  three',
    'Author-email: Jane <jane@example.org>',
    'License-Expression: MIT OR Apache-2.0',
    'License-File: LICENSE',
    'License-File: licenses/NOTICE.txt',
    'Project-URL: Homepage, https://example.org',
    'Project-URL: Source Code , https://example.org/src?a=1,2',
    'Project-URL: https://example.org/no-label',
    'Classifier: Programming Language :: Python :: 3',
    'Classifier: License :: OSI Approved :: MIT License',
    'Requires-Python: >=3.8',
    'Requires-Dist: requests>=2.8.1',
    'Requires-Dist: six (>=1.5)',
    'Requires-Dist: typing-extensions ; python_version < "3.8"',
    'Requires-Dist: PySocks!=1.5.7,>=1.5.6; extra == "socks"',
    'Provides-Extra: socks',
    'Provides-Extra: Use_Chardet_on_py3',
    'Dynamic: Classifier',
    'Description-Content-Type: text/markdown; charset=UTF-8',
    '',
    '# Example',
    '',
    'Body text with **markdown**.',
    '',
  );
  const d = parseCoreMetadataDetailed(text);
  const m = d.metadata;
  assert.equal(m.metadataVersion, '2.4');
  assert.equal(m.name, 'Example.Project_Name');
  assert.equal(m.version, '2.0.0rc1');
  assert.equal(d.rawVersion, '2.0.0-RC1');
  assert.equal(m.summary, 'An example project');
  assert.equal(m.keywords, 'one,two, three');
  assert.equal(m.authorEmail, 'Jane <jane@example.org>');
  assert.equal(m.author, undefined);
  assert.equal(m.licenseExpression, 'MIT OR Apache-2.0');
  assert.deepEqual(m.licenseFiles, ['LICENSE', 'licenses/NOTICE.txt']);
  assert.deepEqual(m.projectUrls, [
    { label: 'Homepage', url: 'https://example.org' },
    { label: 'Source Code', url: 'https://example.org/src?a=1,2' },
    { label: '', url: 'https://example.org/no-label' },
  ]);
  assert.deepEqual(m.classifiers, ['Programming Language :: Python :: 3', 'License :: OSI Approved :: MIT License']);
  assert.equal(m.requiresPython, '>=3.8');
  assert.deepEqual(m.requiresDist, [
    'requests>=2.8.1',
    'six (>=1.5)',
    'typing-extensions ; python_version < "3.8"',
    'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
  ]);
  assert.ok(parseRequirement(m.requiresDist[3] as string).marker);
  assert.deepEqual(m.providesExtra, ['socks', 'Use_Chardet_on_py3']);
  assert.deepEqual(m.dynamic, ['Classifier']);
  assert.equal(m.descriptionContentType, 'text/markdown; charset=UTF-8');
  assert.equal(m.description, '# Example\n\nBody text with **markdown**.\n');
  assert.equal(d.descriptionInBody, true);
  assert.equal(m.homePage, undefined);
  assert.equal(m.license, undefined);
});

test('Metadata-Version 1.0/1.1: folded Description (8 spaces and 7 spaces + |), UNKNOWN values', () => {
  const text = lines(
    'Metadata-Version: 1.0',
    'Name: oldproject',
    'Version: 0.9',
    'Summary: UNKNOWN',
    'Home-page: UNKNOWN',
    'Author: UNKNOWN',
    'Author-email: UNKNOWN',
    'License: UNKNOWN',
    'Description: Old project',
    '        ===========',
    '        ',
    '        Usage::',
    '        ',
    '            >>> import old',
    '        ',
    'Platform: UNKNOWN',
    '',
  );
  const m = parseCoreMetadata(text);
  assert.equal(m.summary, '');
  assert.equal(m.homePage, undefined);
  assert.equal(m.author, undefined);
  assert.equal(m.authorEmail, undefined);
  assert.equal(m.license, undefined);
  assert.equal(m.description, 'Old project\n===========\n\nUsage::\n\n    >>> import old');

  const pipe = lines(
    'Metadata-Version: 1.1',
    'Name: piped',
    'Version: 1.0',
    'Description: This project provides powerful math functions',
    '       |For example, you can use `sum()` to sum numbers:',
    '       |',
    '       |Example::',
    '       |',
    '       |    >>> sum(1, 2)',
    '       |    3',
    '       |',
    'Description-Content-Type: text/x-rst',
  );
  const p = parseCoreMetadataDetailed(pipe);
  assert.equal(
    p.metadata.description,
    'This project provides powerful math functions\nFor example, you can use `sum()` to sum numbers:\n\nExample::\n\n    >>> sum(1, 2)\n    3',
  );
  assert.equal(p.descriptionInBody, false);
  assert.equal(p.metadata.descriptionContentType, 'text/x-rst');

  const unknown = parseCoreMetadata(lines('Metadata-Version: 2.1', 'Name: x', 'Version: 1', 'Description: UNKNOWN', ''));
  assert.equal(unknown.description, '');
});

test('continuation lines: folded License keeps its lines, other fields join with a space', () => {
  const m = parseCoreMetadata(
    lines(
      'Metadata-Version: 2.1',
      'Name: folded',
      'Version: 1.0',
      'Summary: a summary that',
      '\tcontinues here',
      'License: Copyright (c) 2024 Someone',
      '        ',
      '        Permission is hereby granted...',
      'Author: Ada',
      '  Lovelace',
      '',
    ),
  );
  assert.equal(m.summary, 'a summary that continues here');
  assert.equal(m.license, 'Copyright (c) 2024 Someone\n\nPermission is hereby granted...');
  assert.equal(m.author, 'Ada Lovelace');
});

test('hostile values are kept verbatim: %, $(), backticks, quotes, non-ASCII, a very long summary', () => {
  const longSummary = `${'Ünïcödé ✓ 漢字 '.repeat(2000)}end`;
  const nasty = '100% $(rm -rf /) `id` ${HOME} "quoted" \'single\' <b>html</b> \\backslash';
  const text = lines(
    'Metadata-Version: 2.1',
    'Name: nasty',
    'Version: 1.0',
    `Summary: ${longSummary}`,
    `Author: ${nasty}`,
    'Maintainer: Zoë Ønsker-Müller',
    'Home-page: https://example.org/%7Euser/$(whoami)',
    '',
    `Body ${nasty}`,
    '\ttabbed line',
    'ends without newline',
  );
  const m = parseCoreMetadata(text);
  assert.equal(m.summary, longSummary);
  assert.equal(m.author, nasty);
  assert.equal(m.maintainer, 'Zoë Ønsker-Müller');
  assert.equal(m.homePage, 'https://example.org/%7Euser/$(whoami)');
  assert.equal(m.description, `Body ${nasty}\n\ttabbed line\nends without newline`);
});

test('CRLF line endings, a byte order mark and bytes input', () => {
  const text = '\uFEFFMetadata-Version: 2.1\r\nName: crlf\r\nVersion: 1.0\r\nSummary: s\r\n\r\nbody\r\nline 2\r\n';
  const m = parseCoreMetadata(text);
  assert.equal(m.name, 'crlf');
  assert.equal(m.summary, 's');
  assert.equal(m.description, 'body\nline 2\n');
  const bytes = new TextEncoder().encode('Metadata-Version: 2.1\nName: b\nVersion: 1\nSummary: ünï\n');
  assert.equal(parseCoreMetadataBytes(bytes).summary, 'ünï');
  assert.throws(() => parseCoreMetadataBytes(new Uint8Array([0x4d, 0x3a, 0xff, 0xfe])), invalidMetadata);
});

test('refusals: name, version, Metadata-Version, control characters, duplicates, bad fields', () => {
  const base = (extra: string[], name = 'ok', version = '1.0', mv = 'Metadata-Version: 2.1') =>
    lines(...(mv ? [mv] : []), `Name: ${name}`, `Version: ${version}`, ...extra, '');
  const refused: Array<[string, string]> = [
    ['bad name (space)', base([], 'foo bar')],
    ['bad name (leading -)', base([], '-foo')],
    ['bad name (trailing .)', base([], 'foo.')],
    ['bad name (non-ASCII)', base([], 'pâté')],
    ['name UNKNOWN', base([], 'UNKNOWN')],
    ['no name', lines('Metadata-Version: 2.1', 'Version: 1.0', '')],
    ['bad version', base([], 'ok', '1.0-beta-final')],
    ['version latest', base([], 'ok', 'latest')],
    ['no version', lines('Metadata-Version: 2.1', 'Name: ok', '')],
    ['missing Metadata-Version', base([], 'ok', '1.0', '')],
    ['Metadata-Version 3.0', base([], 'ok', '1.0', 'Metadata-Version: 3.0')],
    ['Metadata-Version junk', base([], 'ok', '1.0', 'Metadata-Version: two')],
    ['NUL in summary', base(['Summary: a\u0000b'])],
    ['NUL in body', `${base([])}\nbody\u0000`],
    ['ESC in summary', base(['Summary: \u001b[31mred'])],
    ['ESC in body', `${base([])}\nbody \u001b[2J`],
    ['tab in summary', base(['Summary: a\tb'])],
    ['C1 CSI in author', base(['Author: a\u009bb'])],
    ['DEL in author', base(['Author: a\u007fb'])],
    ['lone CR', base(['Summary: a\rInjected: yes'])],
    ['form feed in description', `${base([])}\npage\u000cbreak`],
    ['duplicate Version', base(['Version: 2.0'])],
    ['duplicate Name', base(['Name: other'])],
    ['duplicate Summary', base(['Summary: a', 'Summary: b'])],
    ['bad Requires-Dist', base(['Requires-Dist: foo (>= 1.0'])],
    ['bad Requires-Python', base(['Requires-Python: >= 3.5.*'])],
    ['bad Provides-Extra', base(['Provides-Extra: not valid'])],
    ['Dynamic: Version', base(['Dynamic: Version'])],
    ['starts with a continuation line', `  x\n${base([])}`],
  ];
  for (const [why, text] of refused) {
    assert.throws(
      () => parseCoreMetadata(text),
      (e: unknown) => invalidMetadata(e) && !(e as Error).message.includes('\n'),
      why,
    );
  }
  // the one-line fields may hold non-ASCII text and C1 controls stay allowed in the description
  assert.equal(parseCoreMetadata(`${base([])}\nmojibake \u0080\u0099 kept`).description, 'mojibake \u0080\u0099 kept');
});

test('a line that is not a header starts the body, as in Python', () => {
  const m = parseCoreMetadata(lines('Metadata-Version: 2.1', 'Name: x', 'Version: 1', 'this is not a header', 'Summary: not a header either'));
  assert.equal(m.summary, '');
  assert.equal(m.description, 'this is not a header\nSummary: not a header either');
});

test('normalizeName (PEP 503) and debianPackageName', () => {
  assert.equal(normalizeName('Friendly-Bard'), 'friendly-bard');
  assert.equal(normalizeName('FRIENDLY._-BARD'), 'friendly-bard');
  assert.equal(normalizeName('jaraco.classes'), 'jaraco-classes');
  assert.equal(debianPackageName('jaraco.classes'), 'python3-jaraco.classes');
  assert.equal(debianPackageName('Flask_SQLAlchemy'), 'python3-flask-sqlalchemy');
  assert.equal(debianPackageName('zope.interface'), 'python3-zope.interface');
  assert.equal(debianPackageName('python-dateutil'), 'python3-dateutil');
  assert.equal(debianPackageName('python_slugify'), 'python3-slugify');
  assert.equal(debianPackageName('a__b'), 'python3-a-b');
  assert.equal(debianPackageName('requests'), 'python3-requests');
  assert.equal(debianPackageName('X'), 'python3-x');
  for (const bad of ['', '-x', 'x-', 'a b', '_pycbf', 'a/b', 'ä']) assert.throws(() => debianPackageName(bad), invalidMetadata, bad);
});

test("debianPackageName equals dh-python's guess for every cpython3_fallback entry it covers", { skip: noVectors }, () => {
  // README: 3384 of the 5172 entries equal dh-python's sensible_pname() guess; the others are
  // Debian's own choices (python3-yaml for PyYAML ...), which a lookup table must supply.
  let same = 0;
  const refused: string[] = [];
  for (const line of readFileSync(join(VECTORS, 'debian-names/cpython3_fallback'), 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f.length !== 2) continue;
    try {
      if (debianPackageName(f[0] as string) === f[1]) same++;
    } catch {
      refused.push(f[0] as string);
    }
  }
  assert.equal(same, 3384);
  assert.deepEqual(refused, ['_pycbf']); // not a PEP 508 name
});

test(
  'every METADATA / PKG-INFO under /usr/lib/python3/dist-packages parses',
  { skip: existsSync(DIST_PACKAGES) ? false : `${DIST_PACKAGES} not found` },
  () => {
    let n = 0;
    for (const entry of readdirSync(DIST_PACKAGES)) {
      let file: string;
      if (entry.endsWith('.dist-info')) file = join(DIST_PACKAGES, entry, 'METADATA');
      else if (entry.endsWith('.egg-info')) {
        const p = join(DIST_PACKAGES, entry);
        file = statSync(p).isDirectory() ? join(p, 'PKG-INFO') : p; // an egg-info may be a single file
      } else continue;
      if (!existsSync(file)) continue;
      const m = parseCoreMetadataBytes(readFileSync(file));
      assert.ok(m.name, file);
      assert.ok(m.version, file);
      for (const r of m.requiresDist) parseRequirement(r);
      n++;
    }
    assert.ok(n > 0);
  },
);

test('long runs of blanks and lines cost linear time (issue 13: /\\s+$/ was quadratic)', () => {
  const head = 'Metadata-Version: 2.1\nName: big\nVersion: 1.0\n';
  const blanks = ' '.repeat(400_000);
  const started = Date.now();
  // a run of blanks inside a one-line field, a folded field and the body, each followed by text
  assert.equal(parseCoreMetadata(`${head}Summary: a${blanks}b\n`).summary, `a${blanks}b`);
  assert.equal(parseCoreMetadata(`${head}Description: a${blanks}b\n`).description, `a${blanks}b`);
  assert.equal(parseCoreMetadata(`${head}\na${blanks}b${blanks}\n`).description, `a${blanks}b${blanks}\n`);
  assert.equal(parseCoreMetadata(`${head}Summary: a\n${'  \t'.repeat(100_000)}b\n`).summary, 'a b');
  // trailing blanks are still dropped
  assert.equal(parseCoreMetadata(`${head}Keywords: a b${blanks}\n`).keywords, 'a b');
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms (400 000 blanks cost ~70 s with the old regexes)`);
});
