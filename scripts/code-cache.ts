// Part of the build (Makefile `build`, scripts/setup.sh): V8's code cache for openpgp.js, which
// src/sign/openpgp-lib.ts compiles the library with (a third of its load time otherwise, in
// every command that signs or verifies). The library runs first through what py2pkg does with
// it — keys generated, armored, read back, decrypted, signing and verifying, RSA and EdDSA —
// so that the cache holds those functions compiled too. The keys are throwaway, made here.
//
//   node dist/scripts/code-cache.js
//
// A failure is reported and the build goes on: py2pkg works without the cache, only slower.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { codeCachePath, makeCodeCache, type OpenPGP } from '../src/sign/openpgp-lib.js';

async function exercise(openpgp: OpenPGP): Promise<void> {
  const kinds = [
    { type: 'ecc' as const, curve: 'curve25519Legacy' as const },
    { type: 'rsa' as const, rsaBits: 2048 },
  ];
  for (const kind of kinds) {
    const passphrase = 'code-cache';
    const { privateKey, publicKey } = await openpgp.generateKey({
      ...kind,
      userIDs: [{ name: 'py2pkg code cache (throwaway)', email: 'cache@invalid' }],
      format: 'armored',
      passphrase,
      config: { v6Keys: false },
    });
    const locked = await openpgp.readPrivateKey({ armoredKey: privateKey });
    const key = await openpgp.decryptKey({ privateKey: locked, passphrase });
    const pub = await openpgp.readKey({ armoredKey: publicKey });
    await key.getSigningKey();
    key.toPublic().armor();
    const data = new TextEncoder().encode('py2pkg\n');
    const message = await openpgp.createMessage({ binary: data });
    const detached = (await openpgp.sign({ message, signingKeys: key, detached: true, format: 'armored' })) as string;
    const signature = await openpgp.readSignature({ armoredSignature: detached });
    const checked = await openpgp.verify({ message: await openpgp.createMessage({ binary: data }), signature, verificationKeys: pub });
    await checked.signatures[0]!.verified;
    const clear = await openpgp.sign({ message: await openpgp.createCleartextMessage({ text: 'py2pkg' }), signingKeys: key });
    const read = await openpgp.readCleartextMessage({ cleartextMessage: clear });
    await (
      await openpgp.verify({ message: read, verificationKeys: pub })
    ).signatures[0]!.verified;
    await openpgp.readKeys({ binaryKeys: pub.write() });
  }
}

try {
  const data = await makeCodeCache(exercise);
  const path = codeCachePath();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  process.stdout.write(`code-cache: ${path} (${Math.round(data.length / 1024)} KiB)\n`);
} catch (e) {
  process.stderr.write(`code-cache: not made (${e instanceof Error ? e.message : String(e)}); py2pkg works without it, only slower to start\n`);
}
