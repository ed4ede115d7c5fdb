/** Publish packages into an Apt or Yum repository (the kind follows the package files). */
import { extname } from 'node:path';
import { Py2pkgError } from '../errors.js';
import type { PublishRequest, PublishResult } from './publish-types.js';
import { readMarker, type RepoKind } from './repo-dir.js';

/** .deb files go to Apt, .rpm files to Yum; no files: the kind the repository already has. */
export async function repoKind(files: string[], dir: string): Promise<RepoKind> {
  const kinds = new Set(files.map((f) => extname(f).toLowerCase()));
  for (const k of kinds)
    if (k !== '.deb' && k !== '.rpm') throw new Py2pkgError('USAGE', `publish takes .deb or .rpm files, not ${k || 'files without an extension'}`);
  if (kinds.size > 1) throw new Py2pkgError('USAGE', 'a repository holds one kind of package: publish .deb and .rpm files to different --repo directories');
  if (kinds.has('.deb')) return 'apt';
  if (kinds.has('.rpm')) return 'yum';
  const marker = await readMarker(dir).catch(() => undefined);
  if (!marker) throw new Py2pkgError('USAGE', `nothing to publish: ${dir} is not a py2pkg repository yet, so give it packages first`);
  return marker.kind;
}

export async function publish(kind: RepoKind, req: PublishRequest): Promise<PublishResult> {
  if (kind === 'apt') {
    const { publishApt } = await import('./apt.js');
    return publishApt(req);
  }
  const { publishYum } = await import('./yum.js');
  return publishYum(req);
}
