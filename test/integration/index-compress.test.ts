/**
 * Packages.gz and Packages.xz made of chunks (src/repo/index-compress.ts, xz-stream.ts), read
 * back by the real readers: apt's own (`apt-helper cat-file`, the code `apt-get update` uses),
 * `xz -dc`, `gzip -dc` and Python's lzma and gzip modules. A second compression with the first
 * one's chunks in the cache compresses only what changed; a cached member or block whose bytes
 * were damaged is not reused, whether its own checks show it or only decoding does. The Packages
 * text is Debian's own security archive index when the host has it (read with apt-helper from
 * /var/lib/apt/lists), else generated stanzas.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cacheChunks, chunkText, compressIndex, MAX_CHUNK, MIN_CHUNK, type ChunkCache } from '../../src/repo/index-compress.js';
import { SYSTEM_PATH } from '../support/project.js';

const env = { PATH: SYSTEM_PATH, LANG: 'C.UTF-8' };
const APT_HELPER = '/usr/lib/apt/apt-helper';
let work: string;
let text: Buffer;

function generated(n: number): Buffer {
  const stanzas: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `python3-gen${String(i).padStart(5, '0')}`;
    stanzas.push(
      `Package: ${name}\nVersion: 1.${i}-1\nArchitecture: all\nMaintainer: Test <t@example.org>\nDepends: python3:any\nDescription: generated ${i}\n line ${'x'.repeat(i % 300)}\nFilename: pool/main/p/${name}/${name}_1.${i}-1_all.deb\nSize: ${1000 + i}\nSHA256: ${(i * 7919).toString(16).padStart(64, '0')}\n`,
    );
  }
  return Buffer.from(stanzas.join('\n'));
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-index-compress-'));
  const lists = '/var/lib/apt/lists';
  const debian = readdirSync(lists).find((f) => /_main_binary-amd64_Packages(\.lz4)?$/.test(f) && f.includes('security'));
  const r = debian
    ? await execa(APT_HELPER, ['cat-file', join(lists, debian)], { env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false, reject: false })
    : undefined;
  text = r && r.exitCode === 0 && r.stdout.length > 4 * MAX_CHUNK ? Buffer.from(r.stdout) : generated(4000);
});
after(() => rm(work, { recursive: true, force: true }));

async function readers(base: string): Promise<Array<[string, Buffer]>> {
  const out: Array<[string, Buffer]> = [];
  const run = async (label: string, file: string, args: string[]) => {
    const r = await execa(file, args, { env, extendEnv: false, encoding: 'buffer', stripFinalNewline: false });
    out.push([label, Buffer.from(r.stdout)]);
  };
  await run('apt-helper .xz', APT_HELPER, ['cat-file', `${base}.xz`]);
  await run('apt-helper .gz', APT_HELPER, ['cat-file', `${base}.gz`]);
  await run('xz -dc', '/usr/bin/xz', ['-dc', `${base}.xz`]);
  await run('gzip -dc', '/usr/bin/gzip', ['-dc', `${base}.gz`]);
  await run('python lzma+gzip', '/usr/bin/python3', [
    '-c',
    'import gzip,lzma,sys; a=lzma.open(sys.argv[1]).read(); b=gzip.open(sys.argv[2]).read(); assert a==b; sys.stdout.buffer.write(a)',
    `${base}.xz`,
    `${base}.gz`,
  ]);
  return out;
}

async function writeIndex(name: string, c: { gz: Buffer; xz: Buffer }): Promise<string> {
  const base = join(work, name);
  await writeFile(base, text);
  await writeFile(`${base}.gz`, c.gz);
  await writeFile(`${base}.xz`, c.xz);
  return base;
}

test('chunks end at stanza ends, stay within their bounds and join to the text', () => {
  const chunks = chunkText(text);
  assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
  assert.ok(Buffer.concat(chunks).equals(text));
  for (const [i, c] of chunks.entries()) {
    if (i < chunks.length - 1) {
      assert.ok(c.subarray(-2).toString() === '\n\n', `chunk ${i} ends inside a stanza`);
      assert.ok(c.length >= MIN_CHUNK, `chunk ${i} has ${c.length} bytes`);
    }
    // a chunk grows past MAX_CHUNK only by the one stanza that crossed it
    assert.ok(c.length < MAX_CHUNK + 64 * 1024, `chunk ${i} has ${c.length} bytes`);
  }
});

test('apt, xz, gzip and Python read the chunked .xz and .gz back to the text', async () => {
  const first = await compressIndex(text, new Map());
  assert.equal(first.compressed, first.chunks.length);
  const base = await writeIndex('Packages', first);
  for (const [label, bytes] of await readers(base)) assert.ok(bytes.equals(text), `${label} read ${bytes.length} bytes, not the ${text.length} of the text`);
  const list = await execa('/usr/bin/xz', ['--robot', '--list', '--verbose', `${base}.xz`], { env, extendEnv: false });
  const blocks = list.stdout.split('\n').filter((l) => l.startsWith('block\t'));
  assert.equal(blocks.length, first.chunks.length, 'one xz block per chunk');
  assert.ok(
    blocks.every((l) => l.includes('CRC32')),
    'every block carries the CRC32 of its data',
  );
  // within a quarter of one whole-file compression (measured: +12% to +19% on Debian's index)
  const whole = await execa('/usr/bin/xz', ['-c', '-6'], { input: text, env, extendEnv: false, encoding: 'buffer' });
  assert.ok(first.xz.length < whole.stdout.length * 1.25, `${first.xz.length} bytes chunked, ${whole.stdout.length} whole`);
});

test('one more stanza: only its chunk is compressed again, the rest is taken from the cache', async () => {
  const first = await compressIndex(text, new Map());
  const base = await writeIndex('Packages-before', first);
  const cache: ChunkCache = new Map();
  await cacheChunks(cache, base, first.chunks);
  assert.equal(cache.size, new Set(first.chunks.map((c) => c.sha256)).size);

  const gap = text.indexOf('\n\n', Math.floor(text.length / 2)) + 2;
  const added = Buffer.from('Package: zz-inserted\nVersion: 1\nArchitecture: all\nDescription: one more\n\n');
  const grown = Buffer.concat([text.subarray(0, gap), added, text.subarray(gap)]);
  const second = await compressIndex(grown, cache);
  assert.ok(second.compressed >= 1 && second.compressed <= 2, `${second.compressed} of ${second.chunks.length} chunks compressed again`);
  const saved = text;
  text = grown;
  try {
    const base2 = await writeIndex('Packages-after', second);
    for (const [label, bytes] of await readers(base2)) assert.ok(bytes.equals(grown), `${label} after the insert`);
  } finally {
    text = saved;
  }
});

test('a member or block whose CRC32 does not match the record is compressed again, not copied', async () => {
  const first = await compressIndex(text, new Map());
  const gz = Buffer.from(first.gz);
  const xz = Buffer.from(first.xz);
  const victim = first.chunks[1]!;
  // the member's trailer and the block's check no longer carry the CRC32 of the chunk's text
  gz.writeUInt32LE((victim.crc32 ^ 1) >>> 0, victim.gz[0] + victim.gz[1] - 8);
  xz.writeUInt32LE((victim.crc32 ^ 1) >>> 0, victim.xz[0] + victim.xz[1] - 4);
  const base = join(work, 'Packages-damaged');
  await writeFile(`${base}.gz`, gz);
  await writeFile(`${base}.xz`, xz);
  const cache: ChunkCache = new Map();
  await cacheChunks(cache, base, first.chunks);
  assert.ok(!cache.has(victim.sha256));
  const again = await compressIndex(text, cache);
  assert.equal(again.compressed, 1);
  const out = await writeIndex('Packages-repaired', again);
  for (const [label, bytes] of await readers(out)) assert.ok(bytes.equals(text), label);
});

test('damage inside the compressed data (the checks intact) is found by decoding: nothing damaged is copied', async () => {
  const first = await compressIndex(text, new Map());
  const gz = Buffer.from(first.gz);
  const xz = Buffer.from(first.xz);
  const [a, b] = [first.chunks[0]!, first.chunks[2]!];
  gz[b.gz[0] + Math.floor(b.gz[1] / 2)]! ^= 0x55; // chunk b's deflate data; its trailer still says the right CRC32
  xz[a.xz[0] + Math.floor(a.xz[1] / 2)]! ^= 0x55; // chunk a's LZMA2 data; its check still says the right CRC32
  const base = join(work, 'Packages-bitrot');
  await writeFile(`${base}.gz`, gz);
  await writeFile(`${base}.xz`, xz);
  const cache: ChunkCache = new Map();
  await cacheChunks(cache, base, first.chunks);
  assert.ok(!cache.has(b.sha256), 'a member that does not inflate to its chunk is not cached');
  assert.ok(cache.has(a.sha256), 'the block passes the cheap checks (only xz can tell)');
  const again = await compressIndex(text, cache);
  assert.equal(again.compressed, again.chunks.length, 'a reused block that does not decode: everything compressed afresh');
  const out = await writeIndex('Packages-after-bitrot', again);
  for (const [label, bytes] of await readers(out)) assert.ok(bytes.equals(text), label);
});

test('an empty index is a valid empty .gz and .xz', async () => {
  const saved = text;
  text = Buffer.alloc(0);
  try {
    const empty = await compressIndex(text, new Map());
    assert.deepEqual(empty.chunks, []);
    const base = await writeIndex('Packages-empty', empty);
    for (const [label, bytes] of await readers(base)) assert.equal(bytes.length, 0, label);
  } finally {
    text = saved;
  }
});
