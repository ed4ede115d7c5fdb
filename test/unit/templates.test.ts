import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isPy2pkgError } from '../../src/errors.js';
import { copyrightData } from '../../src/formats/deb-copyright.js';
import { changelogData, controlData } from '../../src/formats/deb-data.js';
import { specData } from '../../src/formats/rpm-data.js';
import { debHelpers } from '../../src/render/engine.js';
import { rpmHelpers } from '../../src/render/rpmspec.js';
import { HELPER_DOCS, TEMPLATE_VARIABLES } from '../../src/render/template-docs.js';
import { BUILTIN_TEMPLATES, builtinTemplates, loadTemplates, renderTemplate, warmTemplates } from '../../src/render/templates.js';
import { debPackager } from '../../src/formats/deb.js';
import { rpmPackager } from '../../src/formats/rpm.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { Provenance, PythonMetadata } from '../../src/types.js';

const meta: PythonMetadata = {
  metadataVersion: '2.1',
  name: 'nasty',
  version: '1.0',
  summary: 'Evil %{__rm} $(touch /tmp/py2pkg-pwned)\nPackage: evil',
  description: 'Text\nDepends: evil',
  projectUrls: [],
  licenseFiles: [],
  classifiers: ['License :: OSI Approved :: MIT License'],
  requiresDist: [],
  providesExtra: [],
  dynamic: [],
};
const provenance: Provenance = {
  sdist: { filename: 'nasty-1.0.tar.gz', sha256: 'a'.repeat(64), size: 1 },
  unsigned: true,
  verification: { method: 'none', reason: 'test' },
  verifiedAt: '2026-01-01T00:00:00.000Z',
};
const debian12 = profiles.debian12 as TargetProfile;
const el9 = profiles.el9 as TargetProfile;
const maintainer = 'T <t@example.org>';
const control = () => controlData(meta, debian12, maintainer, 10, 'Text\nDepends: evil');

test('the README documents exactly the variables each template gets and the helpers of its format', () => {
  const data: Record<string, Record<string, unknown>> = {
    'deb/control.hbs': control(),
    'deb/changelog.hbs': changelogData(meta, debian12, provenance, maintainer, 1767225600, '9.9'),
    'deb/copyright.hbs': copyrightData(meta, provenance, []),
    'deb/postinst.hbs': { package: 'python3-nasty', siteDir: debian12.siteDir },
    'deb/prerm.hbs': { package: 'python3-nasty', siteDir: debian12.siteDir },
    'rpm/package.spec.hbs': specData({
      meta,
      target: el9,
      provenance,
      maintainer,
      sourceDateEpoch: 1767225600,
      toolVersion: '9.9',
      staged: [],
      distInfoDir: undefined,
      description: 'x',
    }),
  };
  for (const rel of [...BUILTIN_TEMPLATES.deb, ...BUILTIN_TEMPLATES.rpm]) {
    assert.deepEqual((TEMPLATE_VARIABLES[rel] ?? []).map((v) => v.name).sort(), Object.keys(data[rel] ?? {}).sort(), rel);
  }
  assert.deepEqual(Object.keys(HELPER_DOCS.deb).sort(), Object.keys(debHelpers).sort());
  assert.deepEqual(Object.keys(HELPER_DOCS.rpm).sort(), Object.keys(rpmHelpers).sort());
});

async function userSet(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'py2pkg-tpl-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

test('user templates: the same name replaces the built-in; the digest and source say which were used', async () => {
  const dir = await userSet({
    'deb/control.hbs': 'Package: {{pkgname package}}\nDescription: {{synopsis summary name}}\n{{folded description}}\n',
    'README.md': 'notes',
  });
  try {
    const builtin = await builtinTemplates('deb');
    const mine = await loadTemplates('deb', dir);
    assert.equal(builtin.source, 'builtin');
    assert.equal(mine.source, 'dir');
    assert.notEqual(mine.digest, builtin.digest);
    assert.match(mine.digest, /^[0-9a-f]{64}$/);
    assert.equal(mine.templates.get('deb/changelog.hbs')?.from, 'builtin');
    // the rpm set from the same directory has nothing of it
    assert.equal((await loadTemplates('rpm', dir)).source, 'builtin');
    const out = await renderTemplate(mine, 'deb/control.hbs', control(), debHelpers);
    assert.equal(out, 'Package: python3-nasty\nDescription: Evil %{__rm} $(touch /tmp/py2pkg-pwned) Package: evil\n Text Depends: evil\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('user templates cannot print sdist values unescaped: one-line TEMPLATE errors naming the file', async () => {
  const attempts: Record<string, RegExp> = {
    'Description: {{summary}}\n': /deb\/control\.hbs prints a value from the sdist without an escaping helper/,
    // Handlebars' strict-mode message prints the object: it throws the same way
    'Description: {{summary.value}}\n': /deb\/control\.hbs (prints a value from the sdist|failed: .*value)/,
    '{{log summary}}': /deb\/control\.hbs failed: .*log/,
    '{{#each depends}}{{this}}{{/each}}{{> evil}}': /deb\/control\.hbs failed: .*partial/i,
    '{{nosuchhelper summary}}': /deb\/control\.hbs failed: .*nosuchhelper/,
    'Description: {{missing}}': /deb\/control\.hbs failed: .*missing/,
    '{{#if': /deb\/control\.hbs failed/,
  };
  for (const [text, re] of Object.entries(attempts)) {
    const dir = await userSet({ 'deb/control.hbs': text });
    try {
      const set = await loadTemplates('deb', dir);
      await assert.rejects(
        renderTemplate(set, 'deb/control.hbs', control(), debHelpers),
        (e: unknown) => {
          assert.ok(isPy2pkgError(e), String(e));
          assert.equal(e.code, 'TEMPLATE');
          assert.match(e.oneLine(), re);
          assert.doesNotMatch(e.oneLine(), /\n|py2pkg-pwned/);
          return true;
        },
        text,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  // iterating or looking into an untrusted value finds nothing to print
  const dir = await userSet({ 'deb/control.hbs': '[{{#each summary}}{{this}}{{/each}}|{{lookup summary "value"}}|{{#with summary}}{{constructor}}{{/with}}]' });
  try {
    assert.equal(await renderTemplate(await loadTemplates('deb', dir), 'deb/control.hbs', control(), debHelpers), '[||]');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('template directories: unknown .hbs files, missing directories are TEMPLATE errors before any work', async () => {
  const dir = await userSet({ 'control.hbs': 'x' });
  try {
    await assert.rejects(
      loadTemplates('deb', dir),
      (e: unknown) => isPy2pkgError(e) && e.code === 'TEMPLATE' && /control\.hbs replaces no built-in template/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(loadTemplates('rpm', '/nonexistent/tpl'), (e: unknown) => isPy2pkgError(e) && e.code === 'TEMPLATE' && /does not exist/.test(e.message));
});

test('templates compiled ahead (a packager warms them while the build runs) render exactly as cold ones; a warmed broken one still fails its render', async () => {
  const debData: Record<string, Record<string, unknown>> = {
    'deb/control.hbs': control(),
    'deb/postinst.hbs': { package: 'python3-nasty', siteDir: debian12.siteDir },
    'deb/prerm.hbs': { package: 'python3-nasty', siteDir: debian12.siteDir },
  };
  // two sets of the same built-in texts: one warmed by the packager, one never
  const warm = await loadTemplates('deb');
  const cold = await loadTemplates('deb');
  await debPackager.warm(warm);
  for (const [rel, data] of Object.entries(debData)) {
    assert.equal(await renderTemplate(warm, rel, data, debHelpers), await renderTemplate(cold, rel, data, debHelpers), rel);
  }
  // the spec of the rpm packager too
  const rpmWarm = await loadTemplates('rpm');
  await rpmPackager.warm(rpmWarm);
  assert.ok(rpmWarm.templates.has('rpm/package.spec.hbs'));
  // a user template that does not compile, or prints the sdist unescaped: warming says nothing, the render does
  for (const [text, re] of [
    ['{{#if', /deb\/control\.hbs failed/],
    ['Description: {{summary}}\n', /deb\/control\.hbs prints a value from the sdist without an escaping helper/],
  ] as const) {
    const dir = await userSet({ 'deb/control.hbs': text });
    try {
      const set = await loadTemplates('deb', dir);
      await warmTemplates(set, ['deb/control.hbs', 'deb/not-there.hbs'], debHelpers);
      await assert.rejects(renderTemplate(set, 'deb/control.hbs', control(), debHelpers), (e: unknown) => isPy2pkgError(e) && re.test(e.oneLine()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
