import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldValue, foldedText, maintainerField, rfc2822Date, shellPackageName, synopsis, urlField } from '../../src/render/deb822.js';
import { specDescription } from '../../src/render/rpmspec.js';
import { debHelpers, Untrusted, untrusted } from '../../src/render/engine.js';

test('fieldValue: one line, no control characters', () => {
  assert.equal(fieldValue('a\nb\r\nc\td'), 'a b c d');
  assert.equal(fieldValue('x\u0000y\u001b[31mz\u2028w'), 'x y [31mz w');
  assert.equal(fieldValue('  padded  '), 'padded');
  assert.equal(fieldValue('x'.repeat(50), 10), `${'x'.repeat(9)}…`);
});

test('synopsis: under 80 characters, no trailing dot, falls back when empty', () => {
  const long = 'A very long summary that goes on and on about the package and what it does for people who read it';
  const s = synopsis(long, 'fallback');
  assert.ok([...s].length <= 79, s);
  assert.ok(s.endsWith('…'));
  assert.equal(synopsis('Short one.', 'x'), 'Short one');
  assert.equal(synopsis('', 'Python 3 distribution x'), 'Python 3 distribution x');
  assert.equal(synopsis('A tool for slugs', 'x'), 'Tool for slugs');
  assert.equal(synopsis('The thing', 'x'), 'Thing');
  assert.equal(synopsis('line one\nline two', 'x'), 'line one line two');
});

test('foldedText: leading space, " ." for blank lines, "." escaped, runs of blanks collapsed', () => {
  assert.equal(foldedText('para one\n\n\n\npara two\n.\n  indented\n.hidden'), ' para one\n .\n para two\n .\n   indented\n  .hidden');
  assert.equal(foldedText('\n\n  \ntext\n\n'), ' text');
  assert.equal(foldedText(''), '');
  assert.equal(foldedText('a\r\nb\tc'), ' a b    c');
  assert.equal(foldedText('x\u0007y'), ' x y');
  const many = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
  const folded = foldedText(many, { maxLines: 10 }).split('\n');
  assert.equal(folded.length, 11);
  assert.equal(folded[10], ' [...]');
});

test('every folded line starts with a space, whatever the input', () => {
  const hostile = '%prep\n.\n   \n-- \n$HOME\n#!/bin/sh\nPackage: evil\n\u0085next';
  for (const line of foldedText(hostile).split('\n')) {
    assert.match(line, /^ /);
    // lintian's description-contains-invalid-control-statement
    assert.doesNotMatch(line, /^ \.\s*\S|^ \s+\.\s*$/, `reserved " .x" line: ${line}`);
  }
  assert.doesNotMatch(foldedText(hostile), /\nPackage:/);
});

test('maintainerField accepts Name <email> and refuses None and junk', () => {
  assert.equal(maintainerField('Ops Team <ops@example.org>'), 'Ops Team <ops@example.org>');
  assert.equal(maintainerField('  Jörg Ünal   <jorg@example.de> '), 'Jörg Ünal <jorg@example.de>');
  assert.throws(() => maintainerField('None <None>'));
  assert.throws(() => maintainerField('None <none@example.org>'));
  assert.throws(() => maintainerField('just a name'));
  assert.throws(() => maintainerField('A <a@b>'));
  assert.throws(() => maintainerField('A <a@b.c>, B <b@c.d>'));
});

test('urlField keeps http(s) only', () => {
  assert.equal(urlField('https://example.org/x'), 'https://example.org/x');
  assert.equal(urlField('javascript:alert(1)'), '');
  assert.equal(urlField('https://exa mple.org'), '');
  assert.equal(urlField(undefined), '');
});

test('shellPackageName only passes Debian package names', () => {
  assert.equal(shellPackageName('python3-acme.widgets'), 'python3-acme.widgets');
  assert.throws(() => shellPackageName('python3-x; rm -rf /'));
  assert.throws(() => shellPackageName('$(id)'));
});

test('rfc2822Date is UTC and fixed-format', () => {
  assert.equal(rfc2822Date(1767225600), 'Thu, 01 Jan 2026 00:00:00 +0000');
  assert.equal(rfc2822Date(0), 'Thu, 01 Jan 1970 00:00:00 +0000');
});

test('Untrusted values cannot be printed without a helper', () => {
  // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what this test checks: printing one throws
  assert.throws(() => `${untrusted('x')}`, /without an escaping helper/);
  assert.throws(() => JSON.stringify({ x: untrusted('x') }), /without an escaping helper/);
  assert.deepEqual(Object.keys(untrusted('secret')), []);
  assert.equal(debHelpers.field!(new Untrusted('a\nb')), 'a b');
  assert.throws(() => debHelpers.relations!([untrusted('python3-x, evil (>= 1)')]));
  assert.equal(debHelpers.relations!(['python3:any', 'python3-django']), 'python3:any, python3-django');
  assert.throws(() => debHelpers.debversion!('1.0; x'));
  assert.throws(() => debHelpers.path!('/usr/lib/$(id)'));
});

test('foldedText reflows plain paragraphs (no orphan words) but keeps lists and verbatim lines', () => {
  const text = `${'word '.repeat(15)}ends here\nand continues on the next line.\n\n* item one\n* item two\n    verbatim   code\n`;
  const out = foldedText(text).split('\n');
  for (const l of out) assert.ok(l.length <= 80, `too long: ${l}`);
  assert.equal(out[0], ` ${'word '.repeat(15)}ends`);
  assert.equal(out[1], ' here and continues on the next line.');
  assert.deepEqual(out.slice(2), [' .', '  * item one', '  * item two', '     verbatim   code']);
});

test('foldedText and specDescription: hostile sizes cost linear time and never overflow the stack (issue 13)', () => {
  const started = Date.now();
  // one paragraph that wraps into ~600 000 pieces: push(...pieces) overflowed the stack
  const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n'.repeat(800_000);
  const folded = foldedText(paragraph).split('\n');
  assert.equal(folded.length, 201);
  assert.equal(folded[200], ' [...]');
  // leading blank lines (shift() in a loop), a long run of blanks (/\s+$/), a long word
  assert.equal(foldedText(`${'\n'.repeat(400_000)}x`), ' x');
  assert.equal(foldedText(`x${' '.repeat(400_000)}y`).length > 0, true);
  assert.equal(specDescription(`${'\n'.repeat(400_000)}x`, 'f'), 'x');
  assert.equal(specDescription('a'.repeat(200_000), 'f').split('\n').length, 200 + 1);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});
