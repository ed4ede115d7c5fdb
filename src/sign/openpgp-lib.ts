/**
 * openpgp.js, loaded once per process. Its package exports a minified CommonJS build under
 * `require` and an unminified ES module under `import`; the same library, but the CommonJS one
 * loads in ≈70 ms against ≈98 ms here (bench/README.md, "Publish"), and every command that signs
 * or verifies pays it. Everything in src/ takes the library from here, so one copy is loaded.
 */
import { createRequire } from 'node:module';

export type OpenPGP = typeof import('openpgp');

let lib: OpenPGP | undefined;

export function loadOpenpgp(): Promise<OpenPGP> {
  try {
    lib ??= createRequire(import.meta.url)('openpgp') as OpenPGP;
    return Promise.resolve(lib);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
