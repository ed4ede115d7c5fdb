/** The keygen command's work, loaded only when the command runs. */
import { open, readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { prepareOutDir } from '../out-dir.js';
import { generateSigningKey, type KeyType } from '../sign/keygen.js';
import { PASSPHRASE_ENV } from '../sign/options.js';
import type { Io } from './context.js';

async function createExclusive(path: string, data: string, mode: number): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'wx', mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Py2pkgError(
      code === 'EEXIST' ? 'USAGE' : 'OUTPUT_DIR',
      code === 'EEXIST' ? `${path} exists; keygen never overwrites a key` : `cannot create ${path}`,
    );
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function runKeygen(
  flags: { name: string; email?: string; out: string; type: KeyType; protect?: boolean; passphraseFile?: string },
  io: Io,
): Promise<void> {
  // eslint-disable-next-line no-control-regex
  if (!/^[^\u0000-\u001f\u007f<>]{1,100}$/.test(flags.name))
    throw new Py2pkgError('USAGE', '--name must be one printable line without < or >, up to 100 characters');
  if (flags.email !== undefined && !/^[^\s<>@]+@[^\s<>@]+$/.test(flags.email))
    throw new Py2pkgError('USAGE', `--email "${singleLine(flags.email, 60)}" is not an e-mail address`);
  let passphrase: string | undefined;
  if (flags.passphraseFile) {
    try {
      passphrase = (await readFile(flags.passphraseFile, 'utf8')).split(/\r?\n/, 1)[0] ?? '';
    } catch {
      throw new Py2pkgError('KEY_PASSPHRASE', 'cannot read the passphrase file');
    }
  } else if (flags.protect) {
    passphrase = process.env[PASSPHRASE_ENV];
  }
  if ((flags.protect || flags.passphraseFile) && !passphrase)
    throw new Py2pkgError('KEY_PASSPHRASE', '--protect needs a non-empty passphrase from --passphrase-file or PY2PKG_PASSPHRASE');
  const out = resolve(flags.out);
  const key = await generateSigningKey({
    name: flags.name,
    ...(flags.email ? { email: flags.email } : {}),
    type: flags.type,
    ...(passphrase ? { passphrase } : {}),
  });
  const sec = `${out}.sec.asc`;
  const pub = `${out}.pub.asc`;
  // the prefix's directory is made when missing (0700: it is about to hold a secret key)
  const undoDir = await prepareOutDir(dirname(out), 0o700);
  try {
    await createExclusive(sec, key.secretArmored, 0o600);
    try {
      await createExclusive(pub, key.publicArmored, 0o644);
    } catch (e) {
      await rm(sec, { force: true });
      throw e;
    }
  } catch (e) {
    await undoDir();
    throw e;
  }
  io.out(`${key.fingerprint}\n`);
  io.err(`py2pkg: wrote ${sec} (secret, mode 0600${passphrase ? ', passphrase-protected' : ', NOT protected'}) and ${pub}\n`);
}
