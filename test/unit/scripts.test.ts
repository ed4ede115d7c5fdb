/**
 * src/python/shebangs.ts (module shebangs, interpreter lines, RECORD) and the pure part of
 * src/python/manpages.ts (the generated page, roff escaping). The real tools judge the
 * packages in test/integration/deb-fixtures.test.ts (lintian) and rpm-fixtures.test.ts (rpmlint),
 * and man(1) reads the pages there.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listFiles } from '../../src/python/build.js';
import { generatedManPage, manDate, roffInline } from '../../src/python/manpages.js';
import { fixShebang, fixStagedShebangs, recordHash } from '../../src/python/shebangs.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

test('fixShebang: a non-executable module loses its #! line; executables get /usr/bin/python3', () => {
  const certs = '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""certs"""\n';
  assert.equal(fixShebang(b(certs), false, true)?.content.toString(), '# -*- coding: utf-8 -*-\n"""certs"""\n');
  assert.equal(fixShebang(b(certs), false, true)?.change, 'removed');
  // not a .py module (package data): left alone
  assert.equal(fixShebang(b('#!/bin/sh\necho hi\n'), false, false), undefined);
  // executable: Python interpreter lines rewritten, options kept, others untouched
  for (const [line, want] of [
    ['#!/usr/bin/env python', '#!/usr/bin/python3'],
    ['#!/usr/bin/env python3', '#!/usr/bin/python3'],
    ['#!/usr/local/bin/python3.11 -u', '#!/usr/bin/python3 -u'],
    ['#!python', '#!/usr/bin/python3'],
    ['#!/usr/bin/python2.7', '#!/usr/bin/python3'],
    ['#!/usr/bin/env -S python3 -W ignore', '#!/usr/bin/python3 -W ignore'],
  ] as const) {
    assert.equal(fixShebang(b(`${line}\nprint(1)\n`), true, true)?.content.toString(), `${want}\nprint(1)\n`, line);
  }
  assert.equal(fixShebang(b('#!/usr/bin/python3\nx\n'), true, true), undefined, 'already right');
  assert.equal(fixShebang(b('#!/bin/bash\nx\n'), true, false), undefined, 'not Python');
  assert.equal(fixShebang(b('#!/usr/bin/pythonista\n'), true, false), undefined, 'not an interpreter we know');
  assert.equal(fixShebang(b('import os\n'), false, true), undefined, 'no #!');
  assert.equal(fixShebang(b('#!/usr/bin/env python'), false, true)?.content.length, 0, 'a module that is only a #! line');
});

test('fixStagedShebangs: the staged tree, its modes and a RECORD that stays true', async () => {
  const root = await mkdtemp(join(tmpdir(), 'py2pkg-shebang-'));
  try {
    const site = '/usr/lib/python3/dist-packages';
    const pkg = join(root, site, 'demo');
    const info = join(root, site, 'demo-1.0.dist-info');
    await mkdir(pkg, { recursive: true });
    await mkdir(info, { recursive: true });
    await mkdir(join(root, 'usr/bin'), { recursive: true });
    const files: Record<string, [string, number]> = {
      [`${site}/demo/certs.py`]: ['#!/usr/bin/env python\nX = 1\n', 0o644],
      [`${site}/demo/tool.py`]: ['#!/usr/bin/env python3\nprint(1)\n', 0o755],
      [`${site}/demo/data.bin`]: ['no shebang', 0o755],
      [`${site}/demo/plain.py`]: ['X = 2\n', 0o644],
      ['/usr/bin/demo-legacy']: ['#!/usr/bin/env python\nimport demo\n', 0o755],
    };
    for (const [p, [text, mode]] of Object.entries(files)) {
      await writeFile(join(root, p), text);
      await chmod(join(root, p), mode);
    }
    const rec = (p: string, t: string): string => `${p},${recordHash(b(t))},${b(t).length}`;
    await writeFile(
      join(info, 'RECORD'),
      [
        rec('demo/certs.py', files[`${site}/demo/certs.py`]![0]),
        rec('demo/tool.py', files[`${site}/demo/tool.py`]![0]),
        rec('demo/plain.py', 'X = 2\n'),
        rec('../../../bin/demo-legacy', files['/usr/bin/demo-legacy']![0]),
        'demo-1.0.dist-info/RECORD,,',
        '',
      ].join('\n'),
    );
    const changes = await fixStagedShebangs(root, await listFiles(root), site, '/usr/bin', `${site}/demo-1.0.dist-info`);
    assert.deepEqual(Object.fromEntries(changes), {
      [`${site}/demo/certs.py`]: 'removed',
      [`${site}/demo/tool.py`]: 'rewritten',
      [`${site}/demo/data.bin`]: 'made-non-executable',
      '/usr/bin/demo-legacy': 'rewritten',
    });
    assert.equal(await readFile(join(pkg, 'certs.py'), 'utf8'), 'X = 1\n');
    assert.equal(await readFile(join(pkg, 'tool.py'), 'utf8'), '#!/usr/bin/python3\nprint(1)\n');
    assert.equal((await stat(join(pkg, 'tool.py'))).mode & 0o777, 0o755);
    assert.equal((await stat(join(pkg, 'data.bin'))).mode & 0o777, 0o644);
    assert.equal(await readFile(join(root, 'usr/bin/demo-legacy'), 'utf8'), '#!/usr/bin/python3\nimport demo\n');
    // every RECORD row matches the file as staged now
    const record = await readFile(join(info, 'RECORD'), 'utf8');
    for (const line of record.split('\n').filter((l) => l && !l.endsWith(',,'))) {
      const [rel, hash, size] = line.split(',') as [string, string, string];
      const abs = rel.startsWith('../') ? join(root, 'usr/bin', rel.split('/').pop() as string) : join(root, site, rel);
      const content = await readFile(abs);
      assert.equal(hash, recordHash(content), rel);
      assert.equal(Number(size), content.length, rel);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('generatedManPage: NAME/SYNOPSIS/DESCRIPTION, hostile summaries kept as roff text', () => {
  assert.equal(manDate(1767225600), 'January 2026');
  const page = generatedManPage({ program: 'slug-it', version: '8.0.1', summary: 'Make slugs', distName: 'python-slugger', epoch: 1767225600 });
  assert.match(page, /^\.TH SLUG\\-IT "1" "January 2026" "slug\\-it 8\.0\.1" "User Commands"$/m);
  assert.match(page, /^\.SH NAME\nslug\\-it \\- Make slugs\n\.SH SYNOPSIS\n/m);
  assert.match(page, /^\.SH DESCRIPTION\n\\&Make slugs$/m);
  // a summary that would be roff requests, escapes or several lines stays one line of text
  const nasty = generatedManPage({ program: 'x', version: '1.0', summary: '.so /etc/passwd\n.sy id \\fB\\*(x $& `id`', distName: 'n', epoch: 0 });
  const lines = nasty.split('\n');
  assert.ok(!lines.some((l) => /^\.(so|sy)\b/.test(l)), 'no request from the summary');
  const fromSummary = [lines[lines.indexOf('.SH NAME') + 1], lines[lines.indexOf('.SH DESCRIPTION') + 1]] as string[];
  assert.equal(fromSummary.length, 2);
  for (const l of fromSummary) assert.ok(!/\\(?![e&-])/.test(l.replace(/^x \\- /, '')), `no roff escape from the summary: ${l}`);
  assert.ok(nasty.includes('\\efB'), 'backslashes written as \\e');
  assert.ok(nasty.includes('$&'), 'kept as text');
  const empty = generatedManPage({ program: 'x', version: '1.0', summary: '  ', distName: 'Acme.Tool', epoch: 0 });
  assert.match(empty, /^x \\- a command of the Python 3 distribution Acme\.Tool$/m);
  assert.equal(roffInline('a-b\\c'), 'a\\-b\\ec');
});
