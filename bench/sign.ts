/**
 * Signing benchmark (see bench/README.md, "Signing"): a detached signature over one large
 * file (default 1 GiB) by py2pkg's key-file signer — streamed, hashed by node:crypto — next
 * to `gpg --detach-sign` with the same RSA-4096 key and the same digest (SHA-256), runs
 * interleaved. Wall time and peak RSS come from GNU time around each process. Every
 * signature is checked with gpgv outside the timed region.
 *
 *   node dist/bench/sign.js [--size-mib 1024] [--runs 3] [--results bench/results/sign-latest.md]
 *
 * Goals: py2pkg ≤ 150 MiB peak RSS, and ≤ 1.5× gpg's median wall time. Exit 1 only when a
 * contender fails or a signature does not verify; slow numbers are reported, not fatal.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const KEY = join(ROOT, 'fixtures/keys/org-repo-TEST-ONLY.sec.asc');
const GNU_TIME = '/usr/bin/time';
const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };

/** Child mode: sign FILE with the key file, write the packet to OUT. This is what is timed. */
async function child(key: string, file: string, out: string): Promise<void> {
  const { openSigner } = await import('../src/sign/signer.js');
  const signer = await openSigner({ kind: 'key-file', keyFile: key });
  const size = (await stat(file)).size;
  const sig = await signer.detachSign({ kind: 'ranges', ranges: [{ path: file, start: 0, length: size }] });
  await writeFile(out, sig);
  await signer.close();
}

interface Sample {
  wall: number;
  rssKiB: number;
}

async function timed(cmd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Sample> {
  const r = await execa(GNU_TIME, ['-f', '%e %M', cmd, ...args], { env: { ...env, ...extraEnv }, extendEnv: false, reject: false, timeout: 30 * 60_000 });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rss] = last.split(' ').map(Number);
  return { wall: wall ?? NaN, rssKiB: rss ?? NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function makeFile(path: string, mib: number): Promise<void> {
  const block = randomBytes(1024 * 1024);
  const ws = createWriteStream(path);
  for (let i = 0; i < mib; i++) {
    block[0] = i & 0xff;
    if (!ws.write(block)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '1024' },
      runs: { type: 'string', default: '3' },
      results: { type: 'string', default: join(ROOT, 'bench/results/sign-latest.md') },
      child: { type: 'boolean', default: false },
      key: { type: 'string' },
      file: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (values.child) return child(values.key!, values.file!, values.out!);
  const mib = Number(values['size-mib']);
  const runs = Number(values.runs);
  const work = await mkdtemp(join(tmpdir(), 'py2pkg-bench-sign-'));
  const gnupg = join(work, 'gnupg');
  await mkdir(gnupg, { mode: 0o700 });
  try {
    const file = join(work, 'big.bin');
    process.stderr.write(`bench: writing ${mib} MiB test file\n`);
    await makeFile(file, mib);
    await execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--import', KEY], { env, extendEnv: false });
    const openpgp = await import('openpgp');
    const { readFile } = await import('node:fs/promises');
    const fpr = (await openpgp.readPrivateKey({ armoredKey: await readFile(KEY, 'utf8') })).getFingerprint().toUpperCase();
    const pub = join(work, 'pub.gpg');
    await execa('/usr/bin/gpg', ['--homedir', gnupg, '--batch', '--output', pub, '--export', fpr], { env, extendEnv: false });
    const self = fileURLToPath(import.meta.url);
    const contenders = {
      py2pkg: (out: string) => timed(process.execPath, [self, '--child', '--key', KEY, '--file', file, '--out', out]),
      gpg: (out: string) =>
        timed('/usr/bin/gpg', [
          '--homedir',
          gnupg,
          '--batch',
          '--yes',
          '--no-tty',
          '--digest-algo',
          'SHA256',
          '--local-user',
          `${fpr}!`,
          '--output',
          out,
          '--detach-sign',
          file,
        ]),
    };
    const samples: Record<string, Sample[]> = { py2pkg: [], gpg: [] };
    // warm-up: page cache and gpg-agent
    for (const [name, run] of Object.entries(contenders)) await run(join(work, `warm-${name}.sig`));
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? ['py2pkg', 'gpg'] : ['gpg', 'py2pkg'];
      for (const name of order) {
        const out = join(work, `${name}-${i}.sig`);
        const s = await contenders[name as keyof typeof contenders](out);
        const check = await execa('/usr/bin/gpgv', ['--homedir', gnupg, '--keyring', pub, out, file], { env, extendEnv: false, reject: false });
        if (check.exitCode !== 0) throw new Error(`${name}'s signature does not verify: ${check.stderr}`);
        samples[name]!.push(s);
        process.stderr.write(`bench: ${name} run ${i + 1}: ${s.wall.toFixed(2)} s, ${Math.round(s.rssKiB / 1024)} MiB\n`);
      }
    }
    const p = median(samples.py2pkg!.map((s) => s.wall));
    const g = median(samples.gpg!.map((s) => s.wall));
    const rss = Math.max(...samples.py2pkg!.map((s) => s.rssKiB)) / 1024;
    const grss = Math.max(...samples.gpg!.map((s) => s.rssKiB)) / 1024;
    const ratio = p / g;
    const report = `# Signing benchmark

${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, node ${process.version}.
A detached signature over a ${mib} MiB file (in the page cache), RSA-4096 TEST-ONLY key, SHA-256, ${runs} interleaved runs after one warm-up each.

| contender | median wall | min | max | peak RSS |
|---|---:|---:|---:|---:|
| py2pkg key-file signer (node process) | ${p.toFixed(2)} s | ${Math.min(...samples.py2pkg!.map((s) => s.wall)).toFixed(2)} s | ${Math.max(...samples.py2pkg!.map((s) => s.wall)).toFixed(2)} s | ${rss.toFixed(0)} MiB |
| gpg --detach-sign | ${g.toFixed(2)} s | ${Math.min(...samples.gpg!.map((s) => s.wall)).toFixed(2)} s | ${Math.max(...samples.gpg!.map((s) => s.wall)).toFixed(2)} s | ${grss.toFixed(0)} MiB |

| goal | measured | met |
|---|---:|:---:|
| py2pkg peak RSS ≤ 150 MiB | ${rss.toFixed(0)} MiB | ${rss <= 150 ? 'yes' : 'no'} |
| py2pkg / gpg wall ≤ 1.5 | ${ratio.toFixed(2)}× | ${ratio <= 1.5 ? 'yes' : 'no'} |
`;
    process.stdout.write(report);
    await writeFile(values.results, report);
  } finally {
    await execa('/usr/bin/gpgconf', ['--homedir', gnupg, '--kill', 'all'], { env, extendEnv: false, reject: false });
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
