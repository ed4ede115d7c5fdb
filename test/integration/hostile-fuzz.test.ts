/**
 * Property tests for the stages that read hostile input (issue 13): mutated archives go
 * through unpack -> inspect (PKG-INFO, license files, compiled-extension check) -> build-system
 * detection; mutated metadata goes through the core-metadata parser and on to the package
 * data and the rendered deb control file and RPM spec. The property: every input is either
 * accepted or refused with a Py2pkgError whose one line is one line — never another
 * exception (which the CLI reports as "internal error", exit 1).
 *
 * Bounded: a fixed number of runs per property and a time limit each (fast-check stops early
 * and passes what it ran); the whole file stays under ~30 s. A failure prints fast-check's
 * seed and path: rerun with them to reproduce.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { Py2pkgError } from '../../src/errors.js';
import { controlData } from '../../src/formats/deb-data.js';
import { specData } from '../../src/formats/rpm-data.js';
import { detectBuildSystem, parseBuildSystem } from '../../src/python/backends.js';
import { debHelpers } from '../../src/render/engine.js';
import { builtinTemplates, renderTemplate } from '../../src/render/templates.js';
import { rpmHelpers } from '../../src/render/rpmspec.js';
import { checkRequiresPython, inspectSource, mergeWheelMetadata, declaredCompiledExtensions } from '../../src/sdist/inspect.js';
import { parseCoreMetadata } from '../../src/sdist/pkginfo.js';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { profiles } from '../../src/targets/profiles.js';
import { unsignedProvenance } from '../../src/trust/verify.js';
import { buildTar, buildZip, gzip, type TarEntry } from '../support/tarbuilder.js';

let work: string;
let n = 0;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-fuzz-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const RUN = { numRuns: 250, interruptAfterTimeLimit: 8000 } as const;

/** Run `f`; a Py2pkgError is an acceptable answer (checked to be one line), anything else fails. */
async function acceptedOrRefused(what: string, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (!(e instanceof Py2pkgError)) {
      assert.fail(`${what}: not a Py2pkgError but ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
    }
    const line = e.oneLine();
    assert.ok(!/[\r\n]/.test(line), `${what}: the refusal is not one line: ${JSON.stringify(line)}`);
    assert.match(line, /^py2pkg: error\[[A-Z_]+\]: /);
  }
}

const PKG_INFO = [
  'Metadata-Version: 2.1',
  'Name: fuzz',
  'Version: 1.0',
  'Summary: a project for the fuzz test',
  'License-File: LICENSE',
  'Requires-Dist: requests>=2; python_version >= "3.8"',
  'Requires-Python: >=3.8',
  '',
  'A description.',
  '',
].join('\n');

const FILES: Array<[string, string]> = [
  ['PKG-INFO', PKG_INFO],
  ['pyproject.toml', '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'],
  ['setup.cfg', '[metadata]\nname = fuzz\n'],
  ['setup.py', 'from setuptools import setup\nsetup()\n'],
  ['LICENSE', 'MIT License\n\nPermission is hereby granted...\n'],
  ['fuzz/__init__.py', 'X = 1\n'],
];

const tarEntries: TarEntry[] = [
  { path: 'fuzz-1.0/', type: 'dir' },
  { path: 'fuzz-1.0/fuzz/', type: 'dir' },
  ...FILES.map(([p, data]) => ({ path: `fuzz-1.0/${p}`, data })),
];
const goodTar = buildTar(tarEntries);
const goodZip = buildZip([{ name: 'fuzz-1.0/' }, ...FILES.map(([p, data], i) => ({ name: `fuzz-1.0/${p}`, data, method: i % 2 === 0 ? 8 : 0 }))]);

/** A mutation of an archive's bytes: flips, overwrites, cuts, inserted runs. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('write' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  // a digit in an octal tar field, or a length in a zip header: sizes and offsets that lie
  fc.record({ kind: fc.constant('digit' as const), at: fc.nat(), digit: fc.constantFrom(0x30, 0x37, 0x39, 0x20, 0x00, 0xff) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] = b[at]! ^ (1 << m.bit);
    else if (m.kind === 'write') Buffer.from(m.bytes).copy(b, at);
    else if (m.kind === 'digit') b[at] = m.digit;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
  }
  return b;
}

/** unpack -> inspect -> compiled-extension hint -> build system, as the pipeline runs them. */
async function throughTheStages(bytes: Buffer, filename: string): Promise<void> {
  const dir = join(work, `case-${++n}`);
  const dest = join(dir, 'unpack');
  await mkdir(dest, { recursive: true, mode: 0o700 });
  const archive = join(dir, filename);
  await writeFile(archive, bytes);
  try {
    await acceptedOrRefused(`${filename} (${bytes.length} bytes)`, async () => {
      const r = await unpackSdist(archive, dest, { maxBytes: 4 * 1024 * 1024, maxEntries: 200 });
      const source = await inspectSource(r.root, 'fuzz-1.0.tar.gz');
      await declaredCompiledExtensions(r.root);
      checkRequiresPython(source.metadata, profiles.debian12!);
      await detectBuildSystem(r.root);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the unmutated archives pass every stage (so the property is not vacuous)', async () => {
  for (const [bytes, name] of [
    [gzip(goodTar), 'fuzz-1.0.tar.gz'],
    [goodTar, 'fuzz-1.0.tar'],
    [goodZip, 'fuzz-1.0.zip'],
  ] as const) {
    const dest = join(work, `good-${name}`);
    await mkdir(dest);
    await writeFile(join(work, name), bytes);
    const r = await unpackSdist(join(work, name), dest);
    const source = await inspectSource(r.root, 'fuzz-1.0.tar.gz');
    assert.equal(source.metadata.name, 'fuzz');
    assert.deepEqual(
      source.licenseTexts.map((l) => l.name),
      ['LICENSE'],
    );
    assert.equal((await detectBuildSystem(r.root)).backend, 'setuptools.build_meta');
  }
});

test('mutated tar archives (compressed after the mutation): accepted or one-line refusal', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), async (muts, compress) => {
      const bytes = mutate(goodTar, muts);
      await throughTheStages(compress ? gzip(bytes) : bytes, compress ? 'fuzz-1.0.tar.gz' : 'fuzz-1.0.tar');
    }),
    RUN,
  );
});

test('mutated zip archives: accepted or one-line refusal', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (muts) => {
      await throughTheStages(mutate(goodZip, muts), 'fuzz-1.0.zip');
    }),
    RUN,
  );
});

test('mutated gzip streams and wrong names: accepted or one-line refusal', async () => {
  const tgz = gzip(goodTar);
  await fc.assert(
    fc.asyncProperty(
      fc.array(mutation, { minLength: 0, maxLength: 3 }),
      fc.constantFrom('fuzz-1.0.tar.gz', 'fuzz-1.0.zip', 'fuzz-1.0.tar', 'fuzz-1.0.tgz'),
      async (muts, name) => {
        await throughTheStages(mutate(tgz, muts), name);
      },
    ),
    RUN,
  );
});

// ---------------------------------------------------------------------------------------
// metadata

const FIELD_NAMES = [
  'Metadata-Version',
  'Name',
  'Version',
  'Summary',
  'Description',
  'License',
  'License-Expression',
  'Classifier',
  'Requires-Dist',
  'Requires-Python',
  'Provides-Extra',
  'Project-URL',
  'Home-page',
  'Author',
  'Author-email',
  'Maintainer',
  'Keywords',
  'Dynamic',
  'License-File',
  'Description-Content-Type',
  'X-Unknown',
];

/** Text with the characters that break parsers: blanks in runs, line ends, controls, dots, %, non-ASCII. */
const nasty = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\r\n',
        '\r',
        '.',
        '%',
        '%{',
        '$(',
        '`',
        '\\',
        '"',
        ';',
        ',',
        '(',
        ')',
        '[',
        ']',
        '==',
        '>=',
        '~=',
        '@',
        'python_version',
        'extra',
        ' and ',
        ' or ',
        '\u0000',
        '\u0085',
        '\u2028',
        '\ufeff',
        'é',
        '😀',
        '        ',
        '       |',
        '- ',
        '* ',
        'UNKNOWN',
      ),
      fc.nat(3000).map((k) => ' '.repeat(k)),
      fc.nat(2000).map((k) => '\n'.repeat(k)),
      fc.nat(3000).map((k) => 'x'.repeat(k)),
      fc.nat(200).map((k) => '('.repeat(k)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const header = fc.oneof(
  fc.tuple(fc.constantFrom(...FIELD_NAMES), nasty).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.array(nasty, { maxLength: 3 })).map(([k, vs]) => `${k}: ${vs.join('\n        ')}`),
  nasty,
);

/** A core metadata text: the required fields (sometimes), random headers, sometimes a body. */
const coreMetadata = fc
  .tuple(fc.boolean(), fc.array(header, { maxLength: 12 }), fc.option(nasty, { nil: undefined }), fc.constantFrom('1.0', '1.1', '2.1', '2.4'))
  .map(([required, headers, body, mv]) => {
    const head = required ? [`Metadata-Version: ${mv}`, 'Name: fuzz', 'Version: 1.0'] : [];
    return `${[...head, ...headers].join('\n')}\n${body === undefined ? '' : `\n${body}`}`;
  });

const provenance = unsignedProvenance(
  { path: '/nonexistent/fuzz-1.0.tar.gz', filename: 'fuzz-1.0.tar.gz', sha256: '0'.repeat(64), size: 1 },
  'fuzz test',
  new Date(1_700_000_000_000),
  1_700_000_000,
);

test('mutated core metadata: parsed and rendered (deb control, RPM spec), or one-line refusal', async () => {
  let parsed = 0;
  await fc.assert(
    fc.asyncProperty(coreMetadata, async (text) => {
      await acceptedOrRefused('core metadata', async () => {
        const meta = parseCoreMetadata(text);
        parsed++;
        mergeWheelMetadata(meta, text);
        for (const id of ['debian12', 'el9']) {
          const target = profiles[id]!;
          checkRequiresPython(meta, target);
          if (target.family === 'debian') {
            await renderTemplate(
              await builtinTemplates('deb'),
              'deb/control.hbs',
              controlData(meta, target, 'Fuzz Test <fuzz@example.org>', 1, meta.description),
              debHelpers,
            );
          } else {
            const data = specData({
              meta,
              target,
              provenance,
              maintainer: 'Fuzz Test <fuzz@example.org>',
              sourceDateEpoch: 1_700_000_000,
              toolVersion: '0.0.0',
              staged: [],
              distInfoDir: undefined,
              description: meta.description,
            });
            await renderTemplate(await builtinTemplates('rpm'), 'rpm/package.spec.hbs', data, rpmHelpers);
          }
        }
      });
    }),
    RUN,
  );
  assert.ok(parsed > 0, 'no generated metadata parsed: the property tested refusals only');
});

test('mutated pyproject.toml: a build system or a one-line refusal', async () => {
  const toml = fc
    .array(
      fc.oneof(
        nasty,
        fc.constantFrom(
          '[build-system]',
          'requires = [',
          ']',
          '"setuptools"',
          'build-backend = ',
          '"x.y:z"',
          'backend-path = ["."]',
          '{',
          '}',
          '=',
          '[[a]]',
          "'''",
          '"""',
        ),
      ),
      { maxLength: 16 },
    )
    .map((p) => p.join('\n'));
  await fc.assert(
    fc.asyncProperty(toml, async (text) => {
      await acceptedOrRefused('pyproject.toml', () => parseBuildSystem(text));
    }),
    RUN,
  );
});
