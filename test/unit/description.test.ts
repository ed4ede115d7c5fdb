import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe, layoutBlock, selectBlocks, skipHeading, type Block } from '../../src/description/blocks.js';
import { descriptionFormat } from '../../src/description/index.js';
import { markdownBlocks } from '../../src/description/markdown.js';
import { plainBlocks } from '../../src/description/plain.js';

const FALLBACK = 'This package provides the Python 3 distribution demo.';

test('descriptionFormat: markdown and rst by type, no type is rst (as PyPI), anything else plain', () => {
  assert.equal(descriptionFormat('text/markdown; charset=UTF-8; variant=GFM'), 'markdown');
  assert.equal(descriptionFormat('TEXT/X-RST'), 'rst');
  assert.equal(descriptionFormat(undefined), 'rst');
  assert.equal(descriptionFormat('text/plain'), 'plain');
  assert.equal(descriptionFormat('text/html'), 'plain');
});

test('markdown: badges, images and raw HTML go; links are their text; code, lists and GFM tables kept', () => {
  const md = [
    '# Demo',
    '',
    '[![Build](https://ci.example.org/badge.svg)](https://ci.example.org) <img src="logo.png">',
    '',
    '<p align="center"><b>raw</b></p>',
    '',
    'Demo is a **small** library for [parsing things](https://example.org) with `demo.parse()`.',
    '',
    '* first',
    '  * nested',
    '* second',
    '',
    '1. one',
    '2. two',
    '',
    '```python',
    'import demo',
    '```',
    '',
    '| name | meaning |',
    '|------|---------|',
    '| a    | the first |',
  ].join('\n');
  assert.deepEqual(markdownBlocks(md), [
    { t: 'h', l: 1, x: 'Demo' },
    { t: 'p', x: 'Demo is a small library for parsing things with demo.parse().' },
    { t: 'i', d: 0, m: '*', x: 'first', c: false },
    { t: 'i', d: 1, m: '*', x: 'nested', c: false },
    { t: 'i', d: 0, m: '*', x: 'second', c: false },
    { t: 'i', d: 0, m: '1.', x: 'one', c: false },
    { t: 'i', d: 0, m: '2.', x: 'two', c: false },
    { t: 'c', x: 'import demo' },
    { t: 'c', x: 'name  meaning\na     the first' },
  ]);
});

test('plain text: paragraphs, indented code, list items, underlined titles', () => {
  assert.deepEqual(plainBlocks('Title\n=====\n\nSome text\nwrapped here.\n\n    code line\n      more\n\n- item one\n  continued\n- item two\n'), [
    { t: 'h', l: 1, x: 'Title' },
    { t: 'p', x: 'Some text wrapped here.' },
    { t: 'c', x: 'code line\n  more' },
    { t: 'i', d: 0, m: '*', x: 'item one continued', c: false },
    { t: 'i', d: 0, m: '*', x: 'item two', c: false },
  ]);
});

test('skipHeading: install, usage, change logs, licenses, links ... are skipped; features kept', () => {
  for (const h of [
    'Installation',
    'Installing Requests and Supported Versions',
    'A Simple Example',
    'Changelog',
    'History',
    'License',
    'Contributing',
    'Links',
    'Donate',
    'Code of Conduct',
    '2.8.2',
    'v1.0 (2020-01-01)',
    'Usage',
    'Running tests',
  ]) {
    assert.ok(skipHeading(h), h);
  }
  for (const h of ['Features', 'Supported Features & Best–Practices', 'Overview', 'The problem', 'Function wrappers', 'Unicode support'])
    assert.ok(!skipHeading(h), h);
});

test('selectBlocks: titles before the text, skipped sections with their subsections, a synopsis repeat and empty headings go', () => {
  const blocks: Block[] = [
    { t: 'h', l: 1, x: 'demo' },
    { t: 'p', x: 'A tiny demo library.' },
    { t: 'p', x: 'Demo parses things.' },
    { t: 'h', l: 2, x: 'Installation' },
    { t: 'p', x: 'pip install demo' },
    { t: 'h', l: 3, x: 'From source' },
    { t: 'p', x: 'git clone' },
    { t: 'h', l: 2, x: 'Features' },
    { t: 'i', d: 0, m: '*', x: 'fast', c: false },
    { t: 'h', l: 2, x: 'Background' },
    { t: 'h', l: 2, x: 'Changelog' },
    { t: 'p', x: '1.0: first' },
  ];
  assert.deepEqual(selectBlocks(blocks, 'Tiny demo library'), [
    { t: 'p', x: 'Demo parses things.' },
    { t: 'h', l: 2, x: 'Features' },
    { t: 'i', d: 0, m: '*', x: 'fast', c: false },
  ]);
});

test('describe: wrapped at 79, items and code laid out the Debian way, starts with a paragraph', () => {
  const long = 'word '.repeat(40).trim();
  const text = describe(
    [
      { t: 'i', d: 0, m: '*', x: long, c: false },
      { t: 'i', d: 1, m: '1.', x: 'nested', c: false },
      { t: 'c', x: 'x = 1\n\ty = 2' },
    ],
    'summary',
    FALLBACK,
  );
  const lines = text.split('\n');
  assert.equal(lines[0], FALLBACK);
  assert.equal(lines[1], '');
  assert.match(lines[2] as string, /^ \* word word/);
  assert.match(lines[3] as string, /^ {3}word/);
  assert.ok(
    lines.every((l) => [...l].length <= 79),
    text,
  );
  assert.ok(lines.includes('   1. nested'));
  assert.ok(lines.includes('    x = 1') && lines.includes('        y = 2'));
  assert.deepEqual(layoutBlock({ t: 'i', d: 0, m: '*', x: 'more of it', c: true }), ['   more of it']);
});

test('describe: bounded to 30 lines / 2 KiB between blocks; a lead-in whose block was cut goes; code wider than 79 goes', () => {
  const paras: Block[] = Array.from({ length: 20 }, (_, i) => ({ t: 'p', x: `Paragraph ${i}.` }));
  const text = describe([...paras.slice(0, 14), { t: 'p', x: 'Here it is:' }, { t: 'c', x: 'a\nb\nc' }], 's', FALLBACK);
  assert.equal(text.split('\n').length, 27);
  assert.ok(text.endsWith('Paragraph 13.'), text);
  const huge = describe([{ t: 'p', x: 'Sentence one is here. '.repeat(200).trim() }], 's', FALLBACK);
  assert.ok(Buffer.byteLength(huge) <= 2048 && huge.split('\n').length <= 30 && huge.endsWith('here.'), huge);
  const wide = describe(
    [
      { t: 'p', x: 'Intro.' },
      { t: 'p', x: 'Like this:' },
      { t: 'c', x: 'x'.repeat(80) },
      { t: 'p', x: 'After.' },
    ],
    's',
    FALLBACK,
  );
  assert.equal(wide, 'Intro.\n\nAfter.');
  assert.equal(describe([{ t: 'h', l: 1, x: 'Only a title' }], 's', FALLBACK), '');
});
