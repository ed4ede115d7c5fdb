/**
 * The Debian copyright file's data (pure), in DEP-5 as Debian's own packages write it:
 *  - `License:` in Debian's short names (src/license/debian.ts) from the project's SPDX
 *    license (src/license/spdx.ts: PEP 639 License-Expression, License, classifiers, files);
 *  - one standalone License paragraph per license: for a license base-files ships in
 *    /usr/share/common-licenses only the reference to it; otherwise the text of the sdist's
 *    license file that holds it (its notices and title lines left out), else the one file
 *    no license was recognised in, else a sentence saying the sdist ships none;
 *  - `Copyright:` the notices of the sdist's license files and source file headers
 *    (src/license/notices.ts); only when there are none, the upstream author from the
 *    metadata, with a Comment saying so;
 *  - a short license file that is no license (packaging's "either of the licenses found in
 *    LICENSE.APACHE or LICENSE.BSD") becomes the Files paragraph's Comment.
 */
import { commonLicenseReference, debianExpression, expressionLicenses } from '../license/debian.js';
import { identifyLicense } from '../license/identify.js';
import { licenseBody, noticesIn, uniqueNotices } from '../license/notices.js';
import { projectLicense } from '../license/spdx.js';
import { untrusted, type Untrusted } from '../render/engine.js';
import type { Provenance, PythonMetadata } from '../types.js';
import { debPackageName, homepageOf } from './deb-data.js';
import type { LicenseText } from './packager.js';

export const NO_TEXT = 'The upstream metadata names this license but the sdist ships no text of it.';
const POINTER_MAX = 1024;

/** The DEP-5 License: value for the project (`Expat`, `Apache-2.0 or BSD-2-clause`, ...). */
export function licenseName(meta: PythonMetadata, texts: readonly LicenseText[] = []): string {
  const spdx = projectLicense(meta, texts);
  if (spdx === 'LicenseRef-Unknown') return 'unknown';
  // a free-text License field: one DEP-5 token
  if (/\s/.test(spdx) && !/\s(AND|OR|WITH)\s/.test(spdx)) return spdx.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown';
  return debianExpression(spdx);
}

export interface LicenseParagraph {
  name: Untrusted;
  text: Untrusted;
}

/** Each license's paragraph text, and the license files that were none of them. */
export function licenseParagraphs(name: string, texts: readonly LicenseText[]): { paragraphs: Array<{ name: string; text: string }>; unused: LicenseText[] } {
  const classified = texts.map((t) => ({
    t,
    debian: (() => {
      const id = identifyLicense(t.text);
      return id ? debianExpression(id) : undefined;
    })(),
  }));
  const used = new Set<LicenseText>();
  const paragraphs = expressionLicenses(name).map((lic) => {
    const reference = commonLicenseReference(lic);
    if (reference) {
      for (const c of classified) if (c.debian && c.debian === lic.replace(/\+$/, '').replace(/ with .*$/, '')) used.add(c.t);
      return { name: lic, text: reference };
    }
    const own = classified.filter((c) => c.debian === lic);
    const unknown = classified.filter((c) => c.debian === undefined && !used.has(c.t) && c.t.text.length > POINTER_MAX);
    const chosen = own.length > 0 ? own : unknown.length === 1 ? unknown : classified.length === 1 && !classified[0]?.debian ? classified : [];
    for (const c of chosen) used.add(c.t);
    const text = chosen
      .map((c) => licenseBody(c.t.text))
      .filter(Boolean)
      .join('\n\n');
    return { name: lic, text: text || NO_TEXT };
  });
  // a file naming one of the licenses the expression already has (LICENSE.APACHE when the
  // Apache paragraph is a reference) counts as used too
  const unused = classified
    .filter((c) => !used.has(c.t) && !(c.debian && expressionLicenses(name).some((l) => l.startsWith(c.debian as string))))
    .map((c) => c.t);
  return { paragraphs, unused };
}

/**
 * `packaging`: who made this package and when (the maintainer, the year of SOURCE_DATE_EPOCH), for
 * the Files: debian/* paragraph Debian's own copyright files carry for their packaging work.
 */
export function copyrightData(
  meta: PythonMetadata,
  p: Provenance,
  licenseTexts: readonly LicenseText[],
  sourceNotices: readonly string[] = [],
  packaging?: { year: number; maintainer: string },
): Record<string, unknown> {
  const name = licenseName(meta, licenseTexts);
  const fromFiles = licenseTexts.flatMap((t) => noticesIn(t.text, { licenseText: identifyLicense(t.text) !== undefined }));
  const notices = uniqueNotices([...fromFiles, ...sourceNotices]);
  const holder = [meta.author, meta.maintainer].find((s): s is string => Boolean(s && s.trim())) ?? `the ${meta.name} authors`;
  const { paragraphs, unused } = licenseParagraphs(name, licenseTexts);
  const comments: string[] = [];
  if (notices.length === 0)
    comments.push(
      `The sdist's license files and source headers carry no copyright notice: the holder above is the upstream author named in the package metadata.`,
    );
  for (const u of unused) if (u.text.length <= POINTER_MAX) comments.push(`${u.name}: ${u.text.replace(/\s+/g, ' ').trim()}`);
  return {
    package: debPackageName(meta),
    upstreamName: untrusted(meta.name),
    upstreamContact: untrusted(meta.authorEmail ?? meta.maintainerEmail ?? ''),
    source: untrusted(homepageOf(meta)),
    sdistFilename: untrusted(p.sdist.filename),
    sdistSha256: p.sdist.sha256,
    copyright: (notices.length > 0 ? notices : [holder]).map(untrusted),
    licenseName: untrusted(name),
    filesComment: untrusted(comments.join('\n\n')),
    licenses: paragraphs.map((l) => ({ name: untrusted(l.name), text: untrusted(l.text) })),
    packagingCopyright: untrusted(packaging ? `${packaging.year} ${packaging.maintainer}` : ''),
  };
}
