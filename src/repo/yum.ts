/**
 * The Yum/dnf repository writer. Layout:
 *
 *   Packages/<p>/<name>-<version>-<release>.<arch>.rpm   (header-signed with the repo key)
 *   repodata/repomd.xml, repomd.xml.asc, *-primary.xml.gz, ...   (createrepo_c)
 *   key.asc, <label>.repo
 *
 * As for Apt, `repodata` is a symlink to a generation under .py2pkg/yum/: createrepo_c
 * --update writes the new metadata there (reusing what the current generation knows about
 * unchanged packages, --update-md-path), the generation's repomd.xml is signed, and the
 * symlink is switched by rename.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { run } from '../exec.js';
import { armorSignature } from '../sign/armor.js';
import { readPublicKeys } from '../sign/openpgp-verify.js';
import { readRpmLayout, rpmIdentity } from '../sign/rpm-header.js';
import { rpmAddSign } from '../sign/rpm-sign.js';
import { feed } from '../sign/sign-data.js';
import { contentDigest, verifyRpm } from '../sign/verify-package.js';
import { fsyncPath, nonce, readlinkOrUndefined, switchSymlink, writeAtomic, writeNew } from './fsutil.js';
import { slug } from './options.js';
import { applyChanges, type PublishRequest, type PublishResult, type Removal } from './publish-types.js';
import { STATE_DIR, sweep } from './repo-dir.js';
import { yumRepoSnippet } from './snippets.js';
import { pageInBackground } from './page-write.js';
import { landPackage, originsOfAdded, underRepoLock } from './publish-frame.js';
import { compareText } from '../text-order.js';

export const CREATEREPO = '/usr/bin/createrepo_c';

export interface RpmEntry {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  filename: string;
  size: number;
  sha256: string;
  content: string;
}

interface YumState {
  version: 1;
  entries: RpmEntry[];
}

const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,127}$/;
const RPM_VR = /^[A-Za-z0-9._+~^]{1,64}$/;
const RPM_ARCH = /^[A-Za-z0-9_]{1,32}$/;

const repodataLink = (dir: string) => join(dir, 'repodata');

async function loadState(dir: string): Promise<{ gen: string | undefined; state: YumState }> {
  let target: string | undefined;
  try {
    target = await readlinkOrUndefined(repodataLink(dir));
  } catch {
    throw new Py2pkgError('REPO_INVALID', `${repodataLink(dir)} is not the symlink py2pkg maintains; the repository was changed by hand`);
  }
  if (!target) return { gen: undefined, state: { version: 1, entries: [] } };
  const gen = dirname(resolve(dir, target));
  try {
    const state = JSON.parse(await readFile(join(gen, 'state.json'), 'utf8')) as YumState;
    if (state.version !== 1 || !Array.isArray(state.entries)) throw new Error('bad');
    return { gen, state };
  } catch {
    throw new Py2pkgError('REPO_INVALID', `${repodataLink(dir)} points at ${target}, which has no readable py2pkg state`);
  }
}

async function signedBy(path: string, publicKey: string): Promise<boolean> {
  try {
    await verifyRpm(path, await readPublicKeys(Buffer.from(publicKey)));
    return true;
  } catch {
    return false;
  }
}

async function ingestRpm(req: PublishRequest, src: string, current: RpmEntry[], publicKey: string): Promise<{ entry: RpmEntry; added: boolean }> {
  const { opts } = req;
  const id = rpmIdentity(await readRpmLayout(src));
  const what = basename(src);
  if (id.isSource) throw new Py2pkgError('PACKAGE_INVALID', `${what} is a source rpm; a Yum repository for installing holds binary rpms`);
  if (!RPM_NAME.test(id.name) || !RPM_VR.test(id.version) || !RPM_VR.test(id.release) || !RPM_ARCH.test(id.arch)) {
    throw new Py2pkgError('PACKAGE_INVALID', `${what} has a name, version, release or arch the repository cannot carry`);
  }
  const content = await contentDigest(src);
  const same = current.find((e) => e.name === id.name && e.epoch === id.epoch && e.version === id.version && e.release === id.release && e.arch === id.arch);
  if (same && same.content === content) return { entry: same, added: false };
  if (same && !opts.replace)
    throw new Py2pkgError('REPO_CONFLICT', `${id.name}-${id.version}-${id.release}.${id.arch} is already published with different contents`);
  const name = `${id.name}-${id.version}-${id.release}.${id.arch}.rpm`;
  const dir = `Packages/${id.name.slice(0, 1).toLowerCase()}`;
  const taken = new Set(current.map((e) => e.filename));
  const { rel, facts } = await landPackage(opts.dir, taken, { dir, name, content }, src, async (tmp) => {
    if (!(await signedBy(tmp, publicKey))) await rpmAddSign(tmp, req.signer, req.workDir);
    const h = createHash('sha256');
    const size = (await stat(tmp)).size;
    await feed({ kind: 'ranges', ranges: [{ path: tmp, start: 0, length: size }] }, [h]);
    return { size, sha256: h.digest('hex') };
  });
  return { entry: { ...id, filename: rel, ...facts, content }, added: true };
}

function matches(e: RpmEntry, r: Removal): boolean {
  if (e.name !== r.name) return false;
  if (r.version === undefined) return true;
  return [e.version, `${e.version}-${e.release}`, `${e.epoch}:${e.version}-${e.release}`].includes(r.version);
}

async function writeGeneration(req: PublishRequest, entries: RpmEntry[], previous: string | undefined): Promise<string> {
  const { opts } = req;
  const gen = join(opts.dir, STATE_DIR, 'yum', `g${Date.now()}-${nonce()}`);
  await mkdir(gen, { recursive: true });
  const pkglist = join(gen, 'pkglist');
  await writeNew(pkglist, entries.map((e) => `${e.filename}\n`).join(''));
  await run(
    CREATEREPO,
    [
      '--update',
      ...(previous ? ['--update-md-path', previous] : []),
      '--outputdir',
      gen,
      '--pkglist',
      pkglist,
      '--general-compress-type',
      'gz',
      '--no-database',
      '--workers',
      '2',
      '--',
      opts.dir,
    ],
    { timeoutMs: 60 * 60_000 },
  );
  const repomd = join(gen, 'repodata', 'repomd.xml');
  const xml = await readFile(repomd);
  await writeNew(`${repomd}.asc`, await armorSignature(await req.signer.detachSign({ kind: 'bytes', bytes: xml })));
  const state: YumState = { version: 1, entries };
  await writeNew(join(gen, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
  for (const f of await readdir(join(gen, 'repodata'))) await fsyncPath(join(gen, 'repodata', f));
  await fsyncPath(join(gen, 'repodata'));
  await fsyncPath(gen);
  return gen;
}

export async function publishYum(req: PublishRequest): Promise<PublishResult> {
  const { opts, signer } = req;
  return underRepoLock(req, 'yum', async ({ lock, stateDir, publicKey }) => {
    const { gen: previous, state } = await loadState(opts.dir);
    const { entries, packages, removed } = await applyChanges(req, state.entries, {
      ingest: (file, current) => ingestRpm(req, file, current, publicKey),
      sameSlot: (a, b) => a.name === b.name && a.epoch === b.epoch && a.version === b.version && a.release === b.release && a.arch === b.arch,
      matches,
      where: opts.dir,
    });
    entries.sort((a, b) => compareText(a.filename, b.filename));

    // the page (with the new packages' provenance) is made while createrepo_c runs
    const page = pageInBackground(opts.dir, 'yum', {
      signedBy: signer.key.fingerprint,
      known: originsOfAdded(opts.dir, 'yum', state.entries, entries),
      suiteEntries: new Map([['', entries]]),
    });
    const gen = await writeGeneration(req, entries, previous);
    await lock.assertHeld();
    await switchSymlink(repodataLink(opts.dir), relative(opts.dir, join(gen, 'repodata')));
    req.progress(`signed repodata/repomd.xml with ${signer.key.fingerprint}`);

    const keyFile = join(opts.dir, 'key.asc');
    await writeAtomic(keyFile, publicKey);
    const snippet = join(opts.dir, `${slug(opts.label)}.repo`);
    await writeAtomic(snippet, yumRepoSnippet({ id: slug(opts.label), name: opts.label, url: opts.url }));

    // garbage: other generations, and rpms no generation lists
    for (const g of await readdir(join(stateDir, 'yum'))) {
      if (join(stateDir, 'yum', g) !== gen) await rm(join(stateDir, 'yum', g), { recursive: true, force: true });
    }
    await sweep(opts.dir, new Set(entries.map((e) => e.filename)), 'Packages');
    await page.land();
    return { kind: 'yum', dir: opts.dir, packages, removed, keyFile, snippet };
  });
}
