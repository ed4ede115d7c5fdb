/** A hand-made sdist (built in code) written with its detached signature by the TEST-ONLY upstream key. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signDetached } from '../../fixtures/sign.js';
import { keysDir } from './project.js';
import { buildTgz, type TarEntry } from './tarbuilder.js';

/** A minimal setuptools project `<name>-1.0` with a `probe` package; returns the sdist path. */
export async function writeSignedProbeSdist(dir: string, name: string, setupPy: string, extra: TarEntry[] = []): Promise<string> {
  const top = `${name}-1.0`;
  const tgz = buildTgz([
    { path: `${top}/`, type: 'dir' },
    { path: `${top}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\nSummary: ${name} sandbox probe\n` },
    { path: `${top}/setup.py`, data: setupPy },
    ...extra.map((e) => ({ ...e, path: `${top}/${e.path}` })),
    { path: `${top}/probe/`, type: 'dir' },
    { path: `${top}/probe/__init__.py`, data: '' },
  ]);
  const sdist = join(dir, `${top}.tar.gz`);
  await writeFile(sdist, tgz);
  await writeFile(`${sdist}.asc`, (await signDetached(tgz, readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8'))) as string);
  return sdist;
}
