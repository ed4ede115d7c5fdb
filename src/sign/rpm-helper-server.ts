/**
 * rpmsign signs by running `__gpg_sign_cmd` with the data on stdin. For a key file that
 * command is py2pkg's own small helper (python/py2pkg-rpm-sign.py): it carries no key. It
 * streams the data to this server over a unix socket in a private 0700 directory, and the
 * server — py2pkg's own process, where the decrypted key lives — answers with one binary
 * v4 signature packet. The key and passphrase never appear in rpmsign's or the helper's
 * argv or environment.
 *
 * Protocol: the helper sends the data and half-closes; the server answers one status byte
 * (0 = ok, then the packet; 1 = failed, then a one-line message) and closes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { PYTHON, pythonHelpersDir } from '../paths.js';
import type { RpmSignSetup } from './signer-types.js';

export const RPM_SIGN_HELPER = 'py2pkg-rpm-sign.py';
/** the helper's interpreter: Python starts in ≈19 ms here, node in ≈42 ms, once per rpm signed */
export const HELPER_PYTHON = PYTHON;

/** rpm parses the command with popt after macro expansion: keep words free of both syntaxes. */
export function rpmSafeWord(word: string): string {
  if (!/^[A-Za-z0-9_./+=:@-]+$/.test(word)) {
    throw new Py2pkgError(
      'TOOL_FAILED',
      `path ${JSON.stringify(word)} cannot be passed to rpmsign (spaces, quotes or % are not allowed): install py2pkg and node under plain paths`,
    );
  }
  return word;
}

/**
 * The __gpg_sign_cmd for the helper. rpm 4.18 execs the first word with the rest as argv
 * (so the second word is the program's argv[0]), data on stdin, `__plaintext_filename` "-".
 * Python runs isolated (-I: no user site, no PYTHON* variables) and without site (-S).
 */
export function helperSignCommand(python: string, helper: string, socket: string): string {
  return [
    rpmSafeWord(python),
    'python3',
    '-I',
    '-S',
    rpmSafeWord(helper),
    '--socket',
    rpmSafeWord(socket),
    '--output',
    '%{shescape:%{?__signature_filename}}',
    '%{?__plaintext_filename:-- %{shescape:%{__plaintext_filename}}}',
  ].join(' ');
}

export async function startSignServer(workDir: string, fingerprint: string, sign: (data: AsyncIterable<Uint8Array>) => Promise<Buffer>): Promise<RpmSignSetup> {
  const dir = await mkdtemp(join(workDir, 'rpmsign-'));
  const socketPath = join(dir, 's');
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // iterate without destroying the socket at the end of the data: the answer goes back on it
    sign(socket.iterator({ destroyOnReturn: false })).then(
      (packet) => socket.end(Buffer.concat([Buffer.from([0]), packet])),
      (e: unknown) => socket.end(Buffer.concat([Buffer.from([1]), Buffer.from(e instanceof Py2pkgError ? e.message : 'signing failed', 'utf8')])),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  const helper = join(pythonHelpersDir(), RPM_SIGN_HELPER);
  return {
    defines: [`_gpg_name ${fingerprint}`, `__gpg_sign_cmd ${helperSignCommand(HELPER_PYTHON, helper, socketPath)}`],
    env: {},
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
