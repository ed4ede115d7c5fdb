import assert from 'node:assert/strict';
import { test } from 'node:test';
import { untrusted } from '../../src/render/engine.js';
import {
  escapeMacros,
  isRpmDependency,
  isSpecSafePath,
  rpmHelpers,
  specChangelogItem,
  specDate,
  specDescription,
  specPath,
  specSummary,
  specTag,
  startsLikeDirective,
} from '../../src/render/rpmspec.js';

const NBSP = '\u00a0';

test('escapeMacros and specTag: every % doubled, one line, no control characters', () => {
  assert.equal(escapeMacros('%{__rm} -rf / %(id) %%'), '%%{__rm} -rf / %%(id) %%%%');
  assert.equal(specTag('a\nb\r\n%post\tc\u0000d'), 'a b %%post c d');
  assert.equal(specTag('  lead and trail  '), 'lead and trail');
  assert.equal(specTag('ends in a backslash \\'), 'ends in a backslash \\');
});

test('specSummary: at most 79 characters, cut at a word, no trailing dot, fallback when empty', () => {
  assert.equal(specSummary('A short summary.', 'x'), 'A short summary');
  assert.equal(specSummary('', 'Python 3 distribution foo'), 'Python 3 distribution foo');
  const long = `${'word '.repeat(30)}end`;
  const s = specSummary(long, 'x');
  assert.ok([...s].length <= 79 && s.endsWith('…'), s);
  assert.equal(specSummary(`${'x'.repeat(100)}`, 'y'), `${'x'.repeat(78)}…`);
  // escaped after measuring: the stored text is what is 79 long
  const pct = specSummary('%'.repeat(100), 'y');
  assert.equal(pct, `${'%%'.repeat(78)}…`);
});

test('startsLikeDirective: a first non-blank % or # is what rpmbuild reacts to', () => {
  for (const l of ['%prep', '  %if 1', '\t%include x', '# comment', '   #!/bin/sh', '%%x']) assert.ok(startsLikeDirective(l), l);
  for (const l of ['x %if', '', 'text # not a comment', `${NBSP}%prep`]) assert.ok(!startsLikeDirective(l), l);
});

test('specDescription: lines that would open a section, a conditional or a comment are guarded', () => {
  const text = ['%prep', 'touch /tmp/x', '  %if 1', '%endif', '# heading', '%{lua: x}', '%(id)', 'plain %{x} text'].join('\n');
  assert.deepEqual(specDescription(text, 'f').split('\n'), [
    `${NBSP}%%prep`,
    'touch /tmp/x',
    `${NBSP}  %%if 1`,
    `${NBSP}%%endif`,
    `${NBSP}# heading`,
    `${NBSP}%%{lua: x}`,
    `${NBSP}%%(id)`,
    'plain %%{x} text',
  ]);
});

test('specDescription: CRLF, tabs, control characters, blank runs, surrounding blanks, fallback', () => {
  assert.equal(specDescription('\n\n a\r\n\tb\u0007c\n\n\n\nd   \n\n', 'f'), ' a\n    b c\n\nd');
  assert.equal(specDescription('   \n\n', 'Fallback text'), 'Fallback text');
  assert.equal(specDescription('', ''), 'No description.');
});

test('specDescription: no line over 79 characters, wrapped at blanks, long words split, guards re-checked after wrapping', () => {
  const words = `${'lorem ipsum '.repeat(20)}`;
  for (const l of specDescription(words, 'f').split('\n')) assert.ok([...l].length <= 79, l);
  const url = `https://example.org/${'a'.repeat(200)}`;
  const lines = specDescription(url, 'f').split('\n');
  assert.equal(lines.join(''), url);
  for (const l of lines) assert.ok([...l].length <= 79);
  // a wrap that puts a % at the start of a continuation line still guards it
  const tricky = `${'x'.repeat(77)} %if 1 and more words after it`;
  const out = specDescription(tricky, 'f').split('\n');
  assert.equal(out[1], `${NBSP}%%if 1 and more words after it`);
  // a guarded line of 79 characters is re-wrapped so the guard fits
  const guarded = specDescription(`%${'y'.repeat(77)} z`, 'f').split('\n');
  for (const l of guarded) assert.ok([...l.replace(/%%/g, '%')].length <= 79, l);
  assert.ok(guarded[0]!.startsWith(`${NBSP}%%`));
});

test('specDescription: at most maxLines lines, then [...]', () => {
  const out = specDescription(Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n'), 'f', { maxLines: 10 }).split('\n');
  assert.equal(out.length, 11);
  assert.equal(out[10], '[...]');
});

test('specChangelogItem: "- " item, continuation indented, escaped and guarded', () => {
  assert.equal(specChangelogItem('Converted %{x}'), '- Converted %%{x}');
  const long = specChangelogItem(`${'word '.repeat(30)}%if`);
  const lines = long.split('\n');
  assert.ok(lines[0]!.startsWith('- '));
  for (const l of lines.slice(1)) assert.ok(l.startsWith('  ') || l.startsWith(`${NBSP}  `), l);
  assert.ok(!lines.some((l) => /^[ \t]*%/.test(l)));
  assert.ok(
    lines.some((l) => l.startsWith(`${NBSP}  %%if`)),
    long,
  );
  assert.equal(specChangelogItem('a\nb'), '- a b');
});

test('specDate: rpm changelog date in UTC with the right weekday', () => {
  assert.equal(specDate(1767225600), 'Thu Jan 01 2026');
  assert.equal(specDate(315532800), 'Tue Jan 01 1980');
  assert.equal(specDate(1709164800), 'Thu Feb 29 2024');
});

test('specPath / isSpecSafePath: quoted literals, %% escaped; glob, quote, backslash and control characters refused', () => {
  assert.equal(specPath('/usr/lib/python3.9/site-packages/a b/p%d.txt'), '"/usr/lib/python3.9/site-packages/a b/p%%d.txt"');
  assert.equal(specPath("/usr/share/x/q'uote;$(id)#ü.txt"), `"/usr/share/x/q'uote;$(id)#ü.txt"`);
  for (const bad of ['/a/g[1].txt', '/a/*', '/a/?', '/a/{x,y}', '/a/"q"', '/a/b\\c', '/a/tab\tx', '/a/nl\nx', 'relative', '/a/../b', '/a/ lead', '/a/trail ']) {
    assert.equal(isSpecSafePath(bad), false, bad);
    assert.throws(() => specPath(bad));
  }
});

test('isRpmDependency: simple and rich dependencies; anything else is a template bug', () => {
  for (const ok of [
    'python3dist(six)',
    'python3dist(six) >= 1.5',
    'python(abi) = 3.9',
    '/usr/bin/python3',
    'python3dist(a) = 1:2~rc1',
    '(python3dist(a) >= 1 with python3dist(a) < 2)',
    '((a or b) with c)',
  ])
    assert.ok(isRpmDependency(ok), ok);
  for (const bad of ['', 'a %{x}', 'a\nRequires: b', '(a with)', '(a with b', '(a)', 'a >= ', 'a(b) == 1', '(a wiht b)']) assert.ok(!isRpmDependency(bad), bad);
});

test('rpmHelpers refuse unchecked values and raw untrusted text cannot be printed', () => {
  assert.throws(() => rpmHelpers.rpmname!('bad name'));
  assert.throws(() => rpmHelpers.rpmversion!('1.0-1'));
  assert.throws(() => rpmHelpers.dep!('x %{y}'));
  assert.throws(() => rpmHelpers.fileEntry!({ directive: '%post', path: untrusted('/a') }));
  assert.throws(() => rpmHelpers.fileEntry!({ directive: '', path: '/a' }));
  assert.equal(rpmHelpers.fileEntry!({ directive: '%ghost %dir', path: untrusted('/a/__pycache__') }), '%ghost %dir "/a/__pycache__"');
  assert.equal(rpmHelpers.urlLine!(untrusted('javascript:alert(1)')), '');
  assert.equal(rpmHelpers.urlLine!(untrusted('https://e.org/\u0001x')), '');
  assert.equal(rpmHelpers.urlLine!(untrusted('https://e.org/?a=%{x}')), 'URL:            https://e.org/?a=%%{x}\n');
  assert.throws(() => String(untrusted('x')));
});
