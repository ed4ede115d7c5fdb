/**
 * The project's license as an SPDX expression (pure), from its metadata and license files:
 * PEP 639 License-Expression first; else the License field or the license classifiers
 * mapped to SPDX (several classifiers: `OR` when a license file offers a choice — "either",
 * "dual", "at your option" — else `AND`; a generic "BSD" refined by the BSD text the sdist
 * ships); else a short License field as written; else what the license files are; else
 * `LicenseRef-Unknown`. RPM's License: tag prints it; the Debian copyright file renames it.
 */
import type { LicenseText } from '../formats/packager.js';
import type { PythonMetadata } from '../types.js';
import { identifyLicense } from './identify.js';

const SPDX_TOKEN = /^(AND|OR|WITH|[A-Za-z0-9][A-Za-z0-9.+-]*(:[A-Za-z0-9.+-]+)?)$/;

/** Whether `text` reads as an SPDX license expression (identifiers, AND/OR/WITH, parentheses). */
export function isSpdxExpression(text: string): boolean {
  if (!text.trim() || text.length > 200 || /[\r\n]/.test(text)) return false;
  const tokens = text.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
  if (!tokens.every((t) => SPDX_TOKEN.test(t))) return false;
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return false;
  }
  return depth === 0 && !/^(AND|OR|WITH)$/.test(tokens[0] as string) && !/^(AND|OR|WITH)$/.test(tokens[tokens.length - 1] as string);
}

/** Trove classifiers and common free-text names -> SPDX identifiers. */
export const SPDX_NAMES: Array<[RegExp, string]> = [
  [/^MIT( License)?$/i, 'MIT'],
  [/^BSD( License)?$/i, 'BSD-3-Clause'],
  [/^BSD[- ]3/i, 'BSD-3-Clause'],
  [/^BSD[- ]2/i, 'BSD-2-Clause'],
  [/^Apache Software License$|^Apache[- ]?2(\.0)?$|^Apache License,? Version 2\.0$/i, 'Apache-2.0'],
  [/^GNU General Public License v2 or later/i, 'GPL-2.0-or-later'],
  [/^GNU General Public License v2/i, 'GPL-2.0-only'],
  [/^GNU General Public License v3 or later/i, 'GPL-3.0-or-later'],
  [/^GNU General Public License v3/i, 'GPL-3.0-only'],
  [/^GNU Lesser General Public License v3 or later/i, 'LGPL-3.0-or-later'],
  [/^GNU Lesser General Public License v3/i, 'LGPL-3.0-only'],
  [/^GNU Lesser General Public License v2 or later/i, 'LGPL-2.0-or-later'],
  [/^GNU Lesser General Public License v2/i, 'LGPL-2.0-only'],
  [/^Mozilla Public License 2\.0/i, 'MPL-2.0'],
  [/^ISC License/i, 'ISC'],
  [/^Python Software Foundation License$/i, 'PSF-2.0'],
  [/^The Unlicense/i, 'Unlicense'],
  [/^CC0 1\.0 Universal/i, 'CC0-1.0'],
  [/^Boost Software License 1\.0/i, 'BSL-1.0'],
  [/^Zope Public License$/i, 'ZPL-2.1'],
  [/^Eclipse Public License 2\.0/i, 'EPL-2.0'],
];

const GENERIC_BSD = /^BSD( License)?$/i;

function mapName(name: string, identified: readonly string[]): string | undefined {
  for (const [re, id] of SPDX_NAMES) {
    if (!re.test(name)) continue;
    if (GENERIC_BSD.test(name)) return identified.find((i) => i.startsWith('BSD-')) ?? id;
    return id;
  }
  return undefined;
}

const CHOICE = /\b(either|dual[- ]licen[cs]ed|at your (option|choice)|choose)\b/i;

export function projectLicense(meta: PythonMetadata, texts: readonly LicenseText[] = []): string {
  if (meta.licenseExpression && isSpdxExpression(meta.licenseExpression.trim())) return meta.licenseExpression.trim().replace(/\s+/g, ' ');
  const identified = texts.map((t) => identifyLicense(t.text)).filter((x): x is string => x !== undefined);
  const license = meta.license?.trim();
  const usable = (s: string | undefined): s is string => Boolean(s && s.length < 80 && !s.includes('\n'));
  if (usable(license)) {
    const mapped = mapName(license, identified);
    if (mapped) return mapped;
  }
  const fromClassifiers = [
    ...new Set(
      meta.classifiers
        .filter((c) => c.startsWith('License ::'))
        .map((c) => mapName(c.split('::').pop()?.trim() ?? '', identified))
        .filter((x): x is string => x !== undefined),
    ),
  ];
  if (fromClassifiers.length === 1) return fromClassifiers[0] as string;
  if (fromClassifiers.length > 1) {
    const choice = texts.some((t) => identifyLicense(t.text) === undefined && CHOICE.test(t.text));
    return fromClassifiers.join(choice ? ' OR ' : ' AND ');
  }
  if (usable(license) && !/^(unknown|none|n\/a|dual license)$/i.test(license)) return license;
  const files = [...new Set(identified)];
  if (files.length > 0) return files.join(' AND ');
  return 'LicenseRef-Unknown';
}
