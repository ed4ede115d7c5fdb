/**
 * The trust policy and the trust store through the real CLI: each case writes a policy file
 * (TOML), an sdist built in code, and its evidence, runs py2pkg, and checks the exit status,
 * the one-line error, and - when admitted - the rule recorded in the package's provenance.
 * Keys are the TEST-ONLY fixture keys (fixtures/keys/).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signDetached } from '../../fixtures/sign.js';
import { keysDir, py2pkg, upstreamPub } from '../support/project.js';
import { buildTgz } from '../support/tarbuilder.js';

const upstreamSec = readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8');
const otherSec = readFileSync(join(keysDir, 'other-TEST-ONLY.sec.asc'), 'utf8');
const otherPub = join(keysDir, 'other-TEST-ONLY.pub.asc');

let work: string;
let upstreamFpr: string;
let otherFpr: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-trust-'));
  const fpr = async (file: string) => {
    const openpgp = await import('openpgp');
    return (await openpgp.readKey({ armoredKey: await readFile(file, 'utf8') })).getFingerprint().toUpperCase();
  };
  upstreamFpr = await fpr(upstreamPub);
  otherFpr = await fpr(otherPub);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

let n = 0;
/** A small setuptools sdist `<name>-<version>.tar.gz` in a fresh directory, signed when asked. */
async function sdist(name: string, version: string, signWith?: string): Promise<{ dir: string; path: string; sha256: string }> {
  const dir = join(work, `case-${++n}`);
  await mkdir(join(dir, 'out'), { recursive: true });
  const top = `${name}-${version}`;
  const mod = name.replace(/-/g, '_');
  const bytes = buildTgz([
    { path: `${top}/`, type: 'dir' },
    { path: `${top}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: ${name} trust probe\n` },
    { path: `${top}/setup.py`, data: `from setuptools import setup\nsetup(name="${name}", version="${version}", py_modules=["${mod}"])\n` },
    { path: `${top}/${mod}.py`, data: 'X = 1\n' },
  ]);
  const path = join(dir, `${top}.tar.gz`);
  await writeFile(path, bytes);
  if (signWith) await writeFile(`${path}.asc`, (await signDetached(bytes, signWith)) as string);
  const { createHash } = await import('node:crypto');
  return { dir, path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function run(s: { dir: string; path: string }, args: string[], env: Record<string, string> = {}) {
  return py2pkg(['--format', 'deb', '--out', join(s.dir, 'out'), '--maintainer', 'T <t@example.org>', '--config', '/dev/null', '--quiet', ...args, s.path], {
    XDG_CONFIG_HOME: join(work, 'xdg'),
    ...env,
  });
}

function refused(r: { exitCode: number; stderr: string; stdout: string }, code: string, status: number, message?: RegExp): void {
  assert.equal(r.exitCode, status, `exit status for ${code}: ${r.stderr}`);
  const lines = r.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('py2pkg: warning'));
  assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
  assert.match(lines[0] as string, new RegExp(`^py2pkg: error\\[${code}\\]: .+\\(.+\\)$`));
  if (message) assert.match(lines[0] as string, message);
  assert.equal(r.stdout, '');
}

async function packagedProvenance(s: { dir: string }): Promise<Record<string, unknown>> {
  const [deb] = (await readdir(join(s.dir, 'out'))).filter((f) => f.endsWith('.deb'));
  assert.ok(deb, 'a .deb was written');
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', join(s.dir, 'out', deb)]);
  const list = execFileSync('tar', ['-t'], { input: tar }).toString().split('\n');
  const member = list.find((l) => l.endsWith('/provenance.json'));
  assert.ok(member, 'provenance.json is in the package');
  return JSON.parse(execFileSync('tar', ['-xO', member], { input: tar }).toString()) as Record<string, unknown>;
}

async function policy(dir: string, text: string): Promise<string> {
  const file = join(dir, 'policy.toml');
  await writeFile(file, text);
  return file;
}

test('a project table pins a signer: admitted, the rule is recorded in the package; keys are relative to the policy file', async () => {
  const s = await sdist('pinpgp', '1.0', upstreamSec);
  await mkdir(join(s.dir, 'keys'));
  await writeFile(join(s.dir, 'keys', 'signers.asc'), await readFile(upstreamPub));
  const file = await policy(
    s.dir,
    `[trust]\ndefault = "none"\n[trust.project.PinPGP]\npgp = ["${upstreamFpr.match(/.{4}/g)?.join(' ')}"]\nkeys = ["keys/signers.asc"]\n`,
  );
  const r = await run(s, ['--trust-policy', file]);
  assert.equal(r.exitCode, 0, r.stderr);
  const p = await packagedProvenance(s);
  assert.deepEqual(p.trust, { rule: 'project pinpgp: pgp', policy: 'policy.toml', project: 'pinpgp' });
  assert.equal((p.verification as { method: string }).method, 'openpgp-detached-signature');
});

test('signed by a key in the keyring that the project does not pin: SIG_UNTRUSTED', async () => {
  const s = await sdist('pinpgp', '1.0', otherSec);
  const file = await policy(s.dir, `[trust]\n[trust.project.pinpgp]\npgp = ["${upstreamFpr}"]\nkeys = ["${upstreamPub}", "${otherPub}"]\n`);
  refused(await run(s, ['--trust-policy', file]), 'SIG_UNTRUSTED', 3, new RegExp(`signed by ${otherFpr}.*not a signer the trust policy pins for pinpgp`));
});

test('a reviewed sha256 admits an unsigned sdist; another digest is refused', async () => {
  const s = await sdist('legacy-tool', '2.0');
  const good = await policy(s.dir, `[trust]\ndefault = "none"\n[trust.project.legacy_tool]\nsha256 = ["${s.sha256}"]\n`);
  const r = await run(s, ['--trust-policy', good]);
  assert.equal(r.exitCode, 0, r.stderr);
  const p = await packagedProvenance(s);
  assert.deepEqual(p.verification, { method: 'pinned-sha256', sha256: s.sha256 });
  assert.equal(p.unsigned, false);
  const other = await sdist('legacy-tool', '2.0');
  await writeFile(other.path, Buffer.concat([await readFile(other.path), Buffer.alloc(1)]));
  const bad = await policy(other.dir, `[trust]\n[trust.project.legacy-tool]\nsha256 = ["${s.sha256.replace(/^./, s.sha256[0] === '0' ? '1' : '0')}"]\n`);
  refused(await run(other, ['--trust-policy', bad]), 'SHA256_NOT_PINNED', 3);
});

test('require = "all": a signer and a digest must both be there', async () => {
  const s = await sdist('both', '1.0', upstreamSec);
  const file = await policy(
    s.dir,
    `[trust]\n[trust.project.both]\npgp = ["${upstreamFpr}"]\nkeys = ["${upstreamPub}"]\nsha256 = ["${'a'.repeat(64)}"]\nrequire = "all"\n`,
  );
  refused(await run(s, ['--trust-policy', file]), 'SHA256_NOT_PINNED', 3);
  const any = await policy(
    s.dir,
    `[trust]\n[trust.project.both]\npgp = ["${upstreamFpr}"]\nkeys = ["${upstreamPub}"]\nsha256 = ["${'a'.repeat(64)}"]\nrequire = "any"\n`,
  );
  const r = await run(s, ['--trust-policy', any]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(((await packagedProvenance(s)).trust as { rule: string }).rule, 'project both: pgp (require any)');
});

test('a pinned publisher and no provenance: PROVENANCE_MISSING; default "none": TRUST_NO_RULE', async () => {
  const s = await sdist('attested', '1.0', upstreamSec);
  const file = await policy(
    s.dir,
    `[trust]\ndefault = "none"\n[trust.project.attested]\npublisher = { kind = "github", repository = "o/attested", workflow = "release.yml" }\n`,
  );
  refused(await run(s, ['--trust-policy', file, '--trusted-keys', upstreamPub]), 'PROVENANCE_MISSING', 3);
  const t = await sdist('unlisted', '1.0', upstreamSec);
  refused(await run(t, ['--trust-policy', file, '--trusted-keys', upstreamPub]), 'TRUST_NO_RULE', 3, /no rule for unlisted/);
});

test('malformed policies are configuration errors: exit 2, one line naming the problem', async () => {
  const s = await sdist('cfg', '1.0', upstreamSec);
  const cases: Array<[string, RegExp]> = [
    ['[trust]\ndefault = "maybe"\n', /default must be one of any, tofu, none, unsigned/],
    ['[trust]\nstrict = true\n', /unknown key "strict"/],
    ['[trust.project.cfg]\npgp = ["614A64EA"]\n', /short key id/],
    ['[trust.project.cfg]\nsha256 = ["abc"]\n', /not 64 hex digits/],
    ['[trust.project.cfg]\npublisher = { kind = "bitbucket", repository = "a/b" }\n', /kind must be "github", "gitlab" or "google"/],
    ['[trust.project.cfg]\npublisher = { kind = "github", repository = "a/b", workflow = "release.yml", branch = "main" }\n', /unknown key "branch"/],
    ['[trust.project.cfg]\nrequire = "all"\n', /pins nothing/],
    ['[trust.project.cfg]\npgp = ["' + 'A'.repeat(40) + '"]\nrequire = "most"\n', /require must be "any" or "all"/],
    ['[trust.project.Cfg]\nsha256 = ["' + 'a'.repeat(64) + '"]\n[trust.project.cfg]\nsha256 = ["' + 'a'.repeat(64) + '"]\n', /given twice/],
    ['[trust\n', /not valid TOML/],
  ];
  for (const [text, why] of cases) {
    const file = await policy(s.dir, text);
    refused(await run(s, ['--trust-policy', file]), 'CONFIG', 2, why);
  }
  // the same table in the config file is checked the same way
  const cfg = join(s.dir, 'config.toml');
  await writeFile(cfg, '[trust]\ndefault = "sometimes"\n');
  const r = await py2pkg(['--format', 'deb', '--config', cfg, '--out', join(s.dir, 'out'), s.path], { XDG_CONFIG_HOME: join(work, 'xdg') });
  refused(r, 'CONFIG', 2, /config\.toml: \[trust\]: default must be/);
});

test('trust on first use: the second release from another signer is refused until the entry is forgotten', async () => {
  const store = join(work, 'tofu-store.toml');
  const keyring = join(work, 'both.asc');
  await writeFile(keyring, `${await readFile(upstreamPub, 'utf8')}\n${await readFile(otherPub, 'utf8')}`);
  const common = ['--trust-default', 'tofu', '--trust-store', store, '--trusted-keys', keyring];

  const first = await sdist('tofuproj', '1.0', upstreamSec);
  const r1 = await run(first, [...common]);
  assert.equal(r1.exitCode, 0, r1.stderr);
  // said loudly, even with --quiet
  assert.match(r1.stderr, new RegExp(`FIRST USE of tofuproj: pinned signer ${upstreamFpr}`));
  assert.match(await readFile(store, 'utf8'), new RegExp(`\\[project\\.tofuproj\\][\\s\\S]*pgp = \\[ "${upstreamFpr}" \\]`));
  const p1 = await packagedProvenance(first);
  assert.deepEqual(p1.trust, { rule: 'default tofu: pgp', policy: 'built-in with --trust-default tofu', project: 'tofuproj' });

  const same = await sdist('tofuproj', '1.1', upstreamSec);
  const r2 = await run(same, [...common, '--json']);
  assert.equal(r2.exitCode, 0, r2.stderr);
  assert.equal(r2.stderr, '');
  // the run reports the store's answer; the package does not carry it (same inputs, same bytes)
  assert.equal((JSON.parse(r2.stdout) as { provenance: { trust: { store: { action: string } } } }).provenance.trust.store.action, 'matched');
  assert.equal(((await packagedProvenance(same)).trust as { store?: unknown }).store, undefined);

  const changed = await sdist('tofuproj', '1.2', otherSec);
  refused(
    await run(changed, common),
    'TRUST_CHANGED',
    3,
    new RegExp(`tofuproj 1\\.2 comes from signer ${otherFpr}, but tofuproj was first admitted \\(1\\.0, .*\\) from signer ${upstreamFpr}`),
  );

  const shown = await py2pkg(['trust', 'show', 'TofuProj', '--trust-store', store]);
  assert.equal(shown.exitCode, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`identity: +signer ${upstreamFpr}`));
  const listed = await py2pkg(['trust', 'list', '--json', '--trust-store', store]);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { projects: Array<{ project: string }> }).projects.map((p) => p.project),
    ['tofuproj'],
  );

  const forgot = await py2pkg(['trust', 'forget', 'tofuproj', '--trust-store', store]);
  assert.equal(forgot.exitCode, 0, forgot.stderr);
  const r3 = await run(changed, [...common]);
  assert.equal(r3.exitCode, 0, r3.stderr);
  assert.match(r3.stderr, new RegExp(`FIRST USE of tofuproj: pinned signer ${otherFpr}`));
});

test('py2pkg trust pin before first use decides the first conversion too', async () => {
  const store = join(work, 'pin-store.toml');
  const pin = await py2pkg(['trust', 'pin', 'pinned-early', '--pgp', otherFpr, '--trust-store', store]);
  assert.equal(pin.exitCode, 0, pin.stderr);
  const again = await py2pkg(['trust', 'pin', 'pinned-early', '--pgp', otherFpr, '--trust-store', store]);
  assert.equal(again.exitCode, 2);
  const s = await sdist('pinned-early', '1.0', upstreamSec);
  refused(await run(s, ['--trust-default', 'tofu', '--trust-store', store, '--trusted-keys', upstreamPub]), 'TRUST_CHANGED', 3);
  const bad = await py2pkg(['trust', 'pin', 'x', '--publisher', 'github:owner-only', '--trust-store', store]);
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /^py2pkg: error\[USAGE\]/);
});

test("concurrent first uses of different projects do not lose each other's entries", async () => {
  const store = join(work, 'race-store.toml');
  const runs = [];
  for (let i = 0; i < 4; i++) {
    const s = await sdist(`race${i}`, '1.0', upstreamSec);
    runs.push(run(s, ['--trust-default', 'tofu', '--trust-store', store, '--trusted-keys', upstreamPub]));
  }
  for (const r of await Promise.all(runs)) assert.equal(r.exitCode, 0, r.stderr);
  const text = await readFile(store, 'utf8');
  for (let i = 0; i < 4; i++) assert.match(text, new RegExp(`\\[project\\.race${i}\\]`));
});

test('no evidence at all under the built-in policy: one SIG_MISSING line naming where py2pkg looked', async () => {
  const s = await sdist('bare', '1.0');
  refused(
    await run(s, ['--trusted-keys', upstreamPub]),
    'SIG_MISSING',
    3,
    /no signature and no PEP 740 provenance \(looked for bare-1\.0\.tar\.gz\.asc, bare-1\.0\.tar\.gz\.provenance\)/,
  );
});

test('by name, a policy that pins signers probes <file>.asc even where the index says gpg-sig false (as PyPI does for every file since 2023)', async () => {
  const { startIndexServer } = await import('../support/index-server.js');
  const s = await sdist('probed', '1.0', upstreamSec);
  const server = await startIndexServer({
    projects: [
      { name: 'probed', files: [{ filename: 'probed-1.0.tar.gz', bytes: await readFile(s.path), gpgSig: false, signature: await readFile(`${s.path}.asc`) }] },
    ],
  });
  try {
    const file = await policy(s.dir, `[trust]\n[trust.project.probed]\npgp = ["${upstreamFpr}"]\nkeys = ["${upstreamPub}"]\n`);
    const env = { XDG_CACHE_HOME: join(s.dir, 'cache') };
    const r = await py2pkg(
      [
        '--format',
        'deb',
        '--out',
        join(s.dir, 'out'),
        '--maintainer',
        'T <t@example.org>',
        '--config',
        '/dev/null',
        '--quiet',
        '--index-url',
        server.indexUrl,
        '--trust-policy',
        file,
        'probed',
      ],
      { XDG_CONFIG_HOME: join(work, 'xdg'), ...env },
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(
      server.log.some((l) => l.url === '/files/probed-1.0.tar.gz.asc' && l.status === 200),
      'the signature was probed',
    );
    // without a pinned signer, the hint is taken at its word: no probe, and nothing else vouches
    const before = server.log.length;
    const t = await py2pkg(
      [
        '--format',
        'deb',
        '--out',
        join(s.dir, 'out'),
        '--config',
        '/dev/null',
        '--quiet',
        '--index-url',
        server.indexUrl,
        '--trusted-keys',
        upstreamPub,
        'probed',
      ],
      { XDG_CONFIG_HOME: join(work, 'xdg'), XDG_CACHE_HOME: join(s.dir, 'cache2') },
    );
    refused(t, 'SIG_MISSING', 3);
    assert.ok(!server.log.slice(before).some((l) => l.url.endsWith('.asc')));
  } finally {
    await server.close();
  }
});
