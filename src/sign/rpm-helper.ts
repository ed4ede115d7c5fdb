/**
 * The __gpg_sign_cmd rpmsign runs for a key-file signer (see rpm-helper-server.ts):
 *
 *   py2pkg-rpm-sign.js --socket PATH --output SIGFILE [-- INPUT|-]
 *
 * reads the data (stdin for "-"), streams it to py2pkg over the socket and writes the one
 * binary v4 signature packet it gets back to SIGFILE. It holds no key and takes no secret.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';

function usage(msg: string): never {
  process.stderr.write(`py2pkg-rpm-sign: ${msg}\nusage: py2pkg-rpm-sign.js --socket PATH --output SIGFILE [-- INPUT|-]\n`);
  process.exit(2);
}

export function parseHelperArgs(argv: string[]): { socket: string; output: string; input: string } {
  let socket: string | undefined;
  let output: string | undefined;
  let input = '-';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--socket') socket = argv[++i];
    else if (a === '--output' || a === '-sbo' || a === '-o') output = argv[++i];
    else if (a === '--') {
      input = argv[i + 1] ?? '-';
      if (argv.length > i + 2) throw new Error('more than one input');
      break;
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!socket) throw new Error('--socket is required');
  if (!output) throw new Error('--output is required');
  return { socket, output, input };
}

export async function helperMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseHelperArgs(argv);
  } catch (e) {
    usage((e as Error).message);
  }
  const source: Readable = args.input === '-' ? process.stdin : createReadStream(args.input);
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const sock = connect(args.socket);
    const parts: Buffer[] = [];
    sock.on('data', (c: Buffer) => parts.push(c));
    sock.on('end', () => resolve(Buffer.concat(parts)));
    sock.on('error', reject);
    source.on('error', reject);
    source.pipe(sock);
  });
  if (answer[0] !== 0 || answer.length < 10) {
    process.stderr.write(`py2pkg-rpm-sign: ${answer.length > 1 ? answer.subarray(1).toString('utf8') : 'no signature came back'}\n`);
    return 1;
  }
  await writeFile(args.output, answer.subarray(1));
  return 0;
}
