/**
 * Requirement trees for --recursive tests and the bench: buildable setuptools sdists whose
 * PKG-INFO lists Requires-Dist (as Metadata 2.1 sdists do), signed by the TEST-ONLY upstream
 * key, written as a file:// index (writeStaticIndex) or served by startIndexServer; and
 * target archives as file:// directories: a Debian mirror's Packages list and a Yum
 * repository's repomd.xml + primary.xml.zst (compressed by the real xz/zstd).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signDetached } from '../../fixtures/sign.js';
import type { ServedFile, ServedProject } from './index-server.js';
import { keysDir, SYSTEM_PATH } from './project.js';
import { buildTgz } from './tarbuilder.js';

export interface TreeProject {
  name: string;
  version: string;
  requires?: string[];
  extras?: string[];
}

let secret: string | undefined;

/** One signed sdist: `<module>.py`, setup.py with install_requires, PKG-INFO with Requires-Dist. */
export async function treeSdist(p: TreeProject): Promise<ServedFile> {
  const mod = p.name.replace(/[-.]+/g, '_').toLowerCase();
  const top = `${mod}-${p.version}`;
  const requires = p.requires ?? [];
  const pkgInfo = [
    'Metadata-Version: 2.1',
    `Name: ${p.name}`,
    `Version: ${p.version}`,
    `Summary: ${p.name}, a node of a test requirement tree`,
    'License: MIT',
    ...(p.extras ?? []).map((x) => `Provides-Extra: ${x}`),
    ...requires.map((r) => `Requires-Dist: ${r}`),
    '',
  ].join('\n');
  const setup = `from setuptools import setup\nsetup(name=${JSON.stringify(p.name)}, version=${JSON.stringify(p.version)}, py_modules=[${JSON.stringify(mod)}], license="MIT", description=${JSON.stringify(`${p.name} test node`)}, install_requires=${JSON.stringify(requires.filter((r) => !r.includes('extra ==')))})\n`;
  const bytes = buildTgz([
    { path: `${top}/`, type: 'dir', mtime: 1700000000 },
    { path: `${top}/PKG-INFO`, data: pkgInfo, mtime: 1700000000 },
    { path: `${top}/setup.py`, data: setup, mtime: 1700000000 },
    {
      path: `${top}/LICENSE`,
      data: 'MIT License\n\nCopyright (c) 2024 Test\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n',
      mtime: 1700000000,
    },
    { path: `${top}/${mod}.py`, data: `"""${p.name}"""\nVERSION = ${JSON.stringify(p.version)}\n`, mtime: 1700000000 },
  ]);
  secret ??= readFileSync(join(keysDir, 'upstream-TEST-ONLY.sec.asc'), 'utf8');
  const signature = (await signDetached(bytes, secret)) as string;
  return { filename: `${top}.tar.gz`, bytes, signature, gpgSig: true };
}

/** Projects for an index: every version of a name under one project. */
export async function treeProjects(list: TreeProject[]): Promise<ServedProject[]> {
  const byName = new Map<string, ServedFile[]>();
  for (const p of list) byName.set(p.name, [...(byName.get(p.name) ?? []), await treeSdist(p)]);
  return [...byName].map(([name, files]) => ({ name, files }));
}

/** A Debian mirror as a directory: dists/<suite>/main/binary-<arch>/Packages.xz. Returns its file:// URL. */
export async function writeDebMirror(
  dir: string,
  suite: string,
  arch: string,
  stanzas: Array<{ package: string; version: string; provides?: string }>,
): Promise<string> {
  const d = join(dir, 'dists', suite, 'main', `binary-${arch}`);
  await mkdir(d, { recursive: true });
  const text = stanzas
    .map((s) => `Package: ${s.package}\nVersion: ${s.version}\nArchitecture: all\n${s.provides ? `Provides: ${s.provides}\n` : ''}Description: test\n`)
    .join('\n');
  await writeFile(join(d, 'Packages.xz'), execFileSync('/usr/bin/xz', ['-c'], { input: text, env: { PATH: SYSTEM_PATH } }));
  return `file://${dir}/`;
}

/** A Yum repository's metadata as a directory: repodata/repomd.xml -> primary.xml.zst. Returns its file:// URL. */
export async function writeYumRepo(
  dir: string,
  packages: Array<{ name: string; ver: string; rel: string; python3dist: Array<{ name: string; ver: string }> }>,
): Promise<string> {
  await mkdir(join(dir, 'repodata'), { recursive: true });
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${packages.length}">
${packages
  .map(
    (p) => `<package type="rpm">
  <name>${p.name}</name>
  <arch>noarch</arch>
  <version epoch="0" ver="${p.ver}" rel="${p.rel}"/>
  <format>
    <rpm:provides>
      <rpm:entry name="${p.name}" flags="EQ" epoch="0" ver="${p.ver}" rel="${p.rel}"/>
${p.python3dist.map((d) => `      <rpm:entry name="python3dist(${d.name})" flags="EQ" epoch="0" ver="${d.ver}"/>`).join('\n')}
    </rpm:provides>
  </format>
</package>`,
  )
  .join('\n')}
</metadata>
`;
  await writeFile(join(dir, 'repodata', 'abc123-primary.xml.zst'), execFileSync('/usr/bin/zstd', ['-q', '-c'], { input: xml, env: { PATH: SYSTEM_PATH } }));
  await writeFile(
    join(dir, 'repodata', 'repomd.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">\n  <data type="primary">\n    <location href="repodata/abc123-primary.xml.zst"/>\n  </data>\n</repomd>\n`,
  );
  return `file://${dir}/`;
}
