/**
 * The floor of a signed publish as a node process (bench/README.md, "Publish"): what any
 * `py2pkg publish` must spend that `apt-ftparchive packages` / `createrepo_c --update` do not.
 *
 *   node dist/bench/publish-floor.js KEYFILE SIGNATURES
 *
 * Starts node, loads openpgp.js the way py2pkg does (with the build's code cache), reads the
 * unprotected secret key file, turns it into node:crypto key objects (py2pkg's own keyMath) and
 * makes SIGNATURES raw signatures over 32-byte digests (Apt: the .deb, Release.gpg, InRelease;
 * Yum: the rpm header, repomd.xml.asc). Nothing else: no CLI, no self-test, no lock, no file of
 * the repository read. publish.ts times this process; a publish cannot take less.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadOpenpgp } from '../src/sign/openpgp-lib.js';
import { keyMath, SIGNING_HASH } from '../src/sign/key-file.js';

const [keyFile, count] = process.argv.slice(2);
if (!keyFile || !/^[1-9]$/.test(count ?? '')) {
  process.stderr.write('usage: node dist/bench/publish-floor.js KEYFILE SIGNATURES(1-9)\n');
  process.exit(2);
}
const openpgp = await loadOpenpgp();
const key = await openpgp.readPrivateKey({ armoredKey: await readFile(keyFile, 'utf8') });
if (!key.isDecrypted()) throw new Error(`${keyFile}: the floor takes an unprotected key`);
const math = keyMath(key, SIGNING_HASH);
for (let i = 0; i < Number(count); i++) math.sign(randomBytes(32));
