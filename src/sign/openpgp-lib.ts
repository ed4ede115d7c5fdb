/**
 * openpgp.js, loaded once per process. Its package exports a minified CommonJS build under
 * `require` and an unminified ES module under `import`; the same library, but the CommonJS one
 * loads faster (bench/README.md, "Publish"), and every command that signs or verifies pays it.
 * Everything in src/ takes the library from here, so one copy is loaded.
 *
 * Compiling that file is a third of its load time. The build (`scripts/code-cache.ts`) keeps
 * V8's code cache of it in dist/code-cache/, made after a key was generated, armored, read,
 * used to sign and verify, so the functions those need are in it too. This module compiles the
 * file with that cache when there is one for this V8; V8 itself checks that the cache belongs
 * to these flags and compiles from scratch when it does not; digests in the file cover what V8
 * does not check (see sealCache). The cache is a build output like
 * dist/src, never written at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { projectRoot } from '../paths.js';

export type OpenPGP = typeof import('openpgp');

let lib: OpenPGP | undefined;
/** how this process's load went: the code cache used, rejected by V8, or not there */
export let openpgpCodeCache: CacheUse | undefined;

export type CacheUse = 'used' | 'rejected' | 'none';

/** The file `require('openpgp')` loads. */
export function openpgpFile(): string {
  return createRequire(import.meta.url).resolve('openpgp');
}

/** Where the build keeps the code cache for this V8 and architecture. */
export function codeCachePath(): string {
  return join(projectRoot(), 'dist', 'code-cache', `openpgp-${process.versions.v8}-${process.arch}.bin`);
}

/**
 * The file is the sha256 of the library's source, the sha256 of V8's data, then the data. V8
 * checks that a cache fits the flags, but of the source only its length, and in release builds
 * not that its own bytes are intact (a damaged cache aborts the process): the two digests turn
 * another version of the library, or damage, into a compile from scratch.
 */
export function sealCache(source: Buffer, data: Buffer): Buffer {
  return Buffer.concat([sha256(source), sha256(data), data]);
}

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

function readCache(path: string, source: Buffer): Buffer | 'unfit' | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const data = file.subarray(64);
  return file.length > 64 && sha256(source).equals(file.subarray(0, 32)) && sha256(data).equals(file.subarray(32, 64)) ? data : 'unfit';
}

/**
 * Compile and run the CommonJS file as `require` would, with the code cache at `cachePath`
 * when it can be read. A new copy of the library each call: loadOpenpgp keeps one.
 */
export function compileOpenpgp(cachePath: string | undefined): { openpgp: OpenPGP; cache: CacheUse; script: Script; source: Buffer } {
  const file = openpgpFile();
  const source = readFileSync(file);
  const read = cachePath === undefined ? undefined : readCache(cachePath, source);
  const cachedData = read === 'unfit' ? undefined : read;
  const compiled = new Script(Module.wrap(source.toString('utf8')), { filename: file, cachedData });
  const cache: CacheUse = read === undefined ? 'none' : read === 'unfit' || compiled.cachedDataRejected ? 'rejected' : 'used';
  const wrapper = compiled.runInThisContext() as (...a: unknown[]) => void;
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return { openpgp: module.exports as OpenPGP, cache, script: compiled, source };
}

export function loadOpenpgp(): Promise<OpenPGP> {
  try {
    if (!lib) {
      const r = compileOpenpgp(codeCachePath());
      openpgpCodeCache = r.cache;
      lib = r.openpgp;
    }
    return Promise.resolve(lib);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * For the build: load without a cache (once per process), let `exercise` run the library,
 * and return V8's code cache of the file, which then holds every function that ran (sealed:
 * the bytes to write).
 */
export async function makeCodeCache(exercise: (openpgp: OpenPGP) => Promise<void>): Promise<Buffer> {
  if (lib) throw new Error('openpgp.js is already loaded in this process');
  const { openpgp, script, source } = compileOpenpgp(undefined);
  lib = openpgp;
  await exercise(openpgp);
  return sealCache(source, script.createCachedData());
}
