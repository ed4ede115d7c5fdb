#!/usr/bin/env node
// rpmsign's __gpg_sign_cmd for py2pkg's key-file signer (see src/sign/rpm-helper.ts): it
// streams the data to the py2pkg process that holds the key and writes the signature packet.
import { helperMain } from '../dist/src/sign/rpm-helper.js';

process.exitCode = await helperMain(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`py2pkg-rpm-sign: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
});
