/**
 * The description converter (src/description/) on REAL upstream long descriptions: the
 * METADATA / PKG-INFO Debian 12 installs for the projects of ../shared/REAL-WORLD.md
 * (scripts/setup.sh installs those packages), through the real docutils and markdown-it.
 * No markup may survive, lines stay within 79 columns, the synopsis is not repeated, and
 * the output is bounded. Beside each result, the description Debian's maintainers wrote for
 * the same project (dpkg-query) is reported for comparison (first line, line count).
 * Then hostile reStructuredText: docutils' file insertion, raw and include stay off.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MAX_BYTES, MAX_LINES, repeatsSynopsis } from '../../src/description/blocks.js';
import { longDescription } from '../../src/description/index.js';
import { rstBlocks } from '../../src/description/rst.js';
import { parseCoreMetadata } from '../../src/sdist/pkginfo.js';
import type { PythonMetadata } from '../../src/types.js';
import { SYSTEM_PATH } from '../support/project.js';

const SITE = '/usr/lib/python3/dist-packages';

/** [metadata file, Debian package, a phrase our text must hold] */
const CORPUS: Array<[string, string, string]> = [
  ['click-8.1.3.egg-info/PKG-INFO', 'python3-click', 'Click is a Python package for creating beautiful command line interfaces'],
  ['python_dateutil-2.8.2.egg-info/PKG-INFO', 'python3-dateutil', ' * Computing of relative deltas'],
  ['requests-2.28.1.egg-info/PKG-INFO', 'python3-requests', ' * Keep-Alive & Connection Pooling'],
  ['six-1.16.0.egg-info/PKG-INFO', 'python3-six', 'Six is a Python 2 and 3 compatibility library.'],
  ['platformdirs-2.6.0.dist-info/METADATA', 'python3-platformdirs', 'finding the right location to store user data'],
  ['packaging-23.0.dist-info/METADATA', 'python3-packaging', 'Reusable core utilities for various Python Packaging'],
  ['tomlkit-0.11.7.dist-info/METADATA', 'python3-tomlkit', 'TOML Kit is a 1.0.0-compliant TOML library.'],
  ['jaraco.classes-3.2.1.egg-info/PKG-INFO', 'python3-jaraco.classes', 'This package provides the Python 3 distribution jaraco.classes.'],
  ['MarkupSafe-2.1.2.egg-info/PKG-INFO', 'python3-markupsafe', 'MarkupSafe implements a text object that escapes characters'],
  ['PyYAML-6.0.dist-info/METADATA', 'python3-yaml', 'PyYAML is a YAML parser and emitter for Python.'],
  ['wheel-0.38.4.egg-info/PKG-INFO', 'python3-wheel', 'reference implementation of the Python wheel packaging'],
  ['asgiref-3.6.0.egg-info/PKG-INFO', 'python3-asgiref', 'ASGI is a standard for Python asynchronous web apps'],
];

/** Markup that must not survive: titles' underlines, badges, directives, HTML, links, roles. */
const MARKUP: Array<[string, RegExp]> = [
  ['a title underline', /^(={3,}|-{3,}|~{3,}|\^{3,})$/m],
  ['==', /==/],
  ['a substitution (|badge|)', /\|[A-Za-z][\w -]*\|/],
  ['a directive (.. x::)', /^\s*\.\. [\w:-]+::/m],
  ['a comment or target (.. )', /^\s*\.\. /m],
  ['HTML (<img, <a, <p)', /<(img|a|p|div|br|h\d)\b/i],
  ['a Markdown link or image', /\]\(|!\[/],
  ['inline literal backquotes', /``|`[^`\s][^`]*`_?/],
  ['an RST link target (<url>`_)', />`_/],
  ['a Markdown heading', /^#{1,6} /m],
  ['emphasis markers', /\*\*\S|\S\*\*/],
];

function metadataOf(rel: string): PythonMetadata {
  const path = `${SITE}/${rel}`;
  assert.ok(existsSync(path), `${path} is missing: scripts/setup.sh installs the Debian packages of the corpus`);
  return parseCoreMetadata(readFileSync(path, 'utf8'));
}

async function debianDescription(pkg: string): Promise<string[]> {
  const r = await execa('/usr/bin/dpkg-query', ['-W', '-f=${Description}', pkg], { env: { PATH: SYSTEM_PATH }, reject: false });
  return r.exitCode === 0
    ? r.stdout
        .split('\n')
        .slice(1)
        .map((l) => (l === ' .' ? '' : l.slice(1)))
    : [];
}

for (const [rel, debPkg, phrase] of CORPUS) {
  test(`real description of ${debPkg}: plain text, <= 79 columns, bounded, no synopsis repeat`, async (t) => {
    const meta = metadataOf(rel);
    const d = await longDescription(meta);
    assert.equal(d.warning, undefined, `the parser warned: ${d.warning}`);
    const lines = d.text.split('\n');
    for (const [what, re] of MARKUP) assert.doesNotMatch(d.text, re, `${what} survived in ${meta.name}:\n${d.text}`);
    for (const l of lines) assert.ok([...l].length <= 79, `line longer than 79 columns: ${l}`);
    assert.ok(lines.length <= MAX_LINES && Buffer.byteLength(d.text) <= MAX_BYTES, `unbounded: ${lines.length} lines`);
    assert.ok(!/^\s/.test(lines[0] as string), 'the description starts with a verbatim line');
    assert.ok(!repeatsSynopsis(lines[0] as string, meta.summary), `the first line repeats the synopsis: ${lines[0]}`);
    assert.ok(d.text.replace(/\s+/g, ' ').includes(phrase), `missing "${phrase}" in:\n${d.text}`);
    const debian = await debianDescription(debPkg);
    t.diagnostic(`${meta.name} [${d.format}]: ${lines.length} lines, first: ${lines[0]}`);
    t.diagnostic(`${debPkg} (Debian): ${debian.length} lines, first: ${debian[0] ?? '(not installed)'}`);
  });
}

test('hostile reStructuredText: no file insertion, no raw, no include; severe errors fall back to plain text', async () => {
  const hostile = [
    'Intro paragraph.',
    '',
    '.. include:: /etc/passwd',
    '',
    '.. raw:: html',
    '   :file: /etc/passwd',
    '',
    '.. raw:: html',
    '',
    '   <img src="x" onerror="alert(1)">',
    '',
    '.. csv-table:: t',
    '   :file: /etc/passwd',
    '',
    '.. |x| image:: https://example.org/badge.svg',
    '',
    '|x| after the badge',
  ].join('\n');
  const r = await rstBlocks(hostile);
  assert.ok(r.ok);
  const text = JSON.stringify(r.blocks);
  assert.doesNotMatch(text, /root:|onerror|<img|badge\.svg/);
  assert.match(text, /Intro paragraph\./);
  assert.match(text, /after the badge/);
  // inconsistent title levels are a SEVERE problem in docutils: exit 3, no warning, plain text
  const severe = 'Para.\n\nT1\n==\n\nT2\n--\n\nT3\n==\n\nT4\n~~\n\ntext\n';
  assert.deepEqual(await rstBlocks(severe), { ok: false });
  const fallback = await longDescription({ ...metadataOf('six-1.16.0.egg-info/PKG-INFO'), description: severe, descriptionContentType: undefined });
  assert.equal(fallback.format, 'plain');
  assert.equal(fallback.warning, undefined);
  assert.match(fallback.text, /^Para\.\n\nT4\n\ntext$/);
  const meta = { ...metadataOf('six-1.16.0.egg-info/PKG-INFO'), description: 'Text\n\n.. include:: /etc/passwd\n', descriptionContentType: 'text/x-rst' };
  assert.doesNotMatch((await longDescription(meta)).text, /root:|include/);
});
