/**
 * SPDX license expressions -> Debian's DEP-5 short names and syntax (pure): `MIT` is
 * `Expat`, `BSD-3-Clause` is `BSD-3-clause`, `GPL-2.0-or-later` is `GPL-2+`, `AND`/`OR`/`WITH`
 * are `and`/`or`/`with ... exception`. The licenses base-files ships in
 * /usr/share/common-licenses are referenced, never copied (lintian
 * copyright-file-contains-full-*-license, copyright-not-using-common-license-for-*).
 */

const DEBIAN_NAMES: Readonly<Record<string, string>> = {
  MIT: 'Expat',
  'MIT-0': 'MIT-0',
  'BSD-2-Clause': 'BSD-2-clause',
  'BSD-3-Clause': 'BSD-3-clause',
  'BSD-4-Clause': 'BSD-4-clause',
  'Apache-1.1': 'Apache-1.1',
  'Apache-2.0': 'Apache-2.0',
  'PSF-2.0': 'PSF-2',
  'Python-2.0': 'Python',
  'ZPL-2.1': 'ZPL-2.1',
  'CC0-1.0': 'CC0-1.0',
  'Artistic-2.0': 'Artistic-2.0',
  Zlib: 'Zlib',
  ISC: 'ISC',
  'MPL-1.1': 'MPL-1.1',
  'MPL-2.0': 'MPL-2.0',
  'EPL-2.0': 'EPL-2.0',
  'BSL-1.0': 'BSL-1.0',
  Unlicense: 'Unlicense',
};

/** GNU licenses: SPDX `-only`/`-or-later` (and the deprecated `+` and bare forms). */
const GNU = /^(A?GPL|LGPL|GFDL)-(\d(?:\.\d)?)(?:\.0)?(-only|-or-later|\+)?$/;

/** The common-licenses file for a Debian short name, when base-files ships it. */
const COMMON: Readonly<Record<string, [file: string, title: string]>> = {
  'Apache-2.0': ['Apache-2.0', 'the Apache License, Version 2.0'],
  'Artistic-1.0': ['Artistic', 'the Artistic License'],
  'CC0-1.0': ['CC0-1.0', 'the Creative Commons CC0 1.0 Universal license'],
  'GFDL-1.2': ['GFDL-1.2', 'the GNU Free Documentation License, Version 1.2'],
  'GFDL-1.3': ['GFDL-1.3', 'the GNU Free Documentation License, Version 1.3'],
  'GPL-1': ['GPL-1', 'the GNU General Public License, version 1'],
  'GPL-2': ['GPL-2', 'the GNU General Public License, version 2'],
  'GPL-3': ['GPL-3', 'the GNU General Public License, version 3'],
  'LGPL-2': ['LGPL-2', 'the GNU Library General Public License, version 2'],
  'LGPL-2.1': ['LGPL-2.1', 'the GNU Lesser General Public License, version 2.1'],
  'LGPL-3': ['LGPL-3', 'the GNU Lesser General Public License, version 3'],
  'MPL-1.1': ['MPL-1.1', 'the Mozilla Public License, version 1.1'],
  'MPL-2.0': ['MPL-2.0', 'the Mozilla Public License, version 2.0'],
};

/** Debian's short name for one SPDX identifier (unknown ones as written, LicenseRef- dropped). */
export function debianLicenseName(spdx: string): string {
  const known = DEBIAN_NAMES[spdx];
  if (known) return known;
  const gnu = GNU.exec(spdx);
  if (gnu) {
    const version = gnu[2] === '2.0' && gnu[1] !== 'GPL' ? '2' : (gnu[2] as string).replace(/\.0$/, '');
    return `${gnu[1]}-${version}${gnu[3] === '-or-later' || gnu[3] === '+' ? '+' : ''}`;
  }
  return spdx.replace(/^LicenseRef-/, '');
}

/**
 * An SPDX expression in DEP-5 syntax: identifiers renamed, `and`/`or` in lower case, `X WITH
 * Y-exception` as `X with Y exception`. DEP-5 has no parentheses: `(A OR B) AND C` is
 * written `A or B, and C` (a comma lowers the precedence); deeper nesting keeps them.
 */
export function debianExpression(spdx: string): string {
  const tokens = spdx.match(/[()]|[^\s()]+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (t === 'AND' || t === 'OR') out.push(t.toLowerCase());
    else if (t === 'WITH') {
      const exc = tokens[++i] ?? '';
      out.push(`with ${exc.replace(/-exception(-[\d.]+)?$/i, '')} exception`);
    } else if (t === '(' || t === ')') out.push(t);
    else out.push(debianLicenseName(t));
  }
  const rendered = out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  const flat = /^\(([^()]+)\) and ([^()]+)$/.exec(rendered);
  if (flat) return `${flat[1]}, and ${flat[2]}`;
  return rendered;
}

/** The license names an expression uses, each once, in order (`with ... exception` kept on its name). */
export function expressionLicenses(debianExpr: string): string[] {
  const names = debianExpr
    .replace(/[(),]/g, ' ')
    .split(/\s+(?:and|or)\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(names)];
}

/** The common-licenses file (and its title) for a Debian name, `GPL-2+` -> GPL-2; else undefined. */
export function commonLicense(debianName: string): { path: string; title: string } | undefined {
  const base = debianName.replace(/ with .* exception$/, '').replace(/\+$/, '');
  const hit = COMMON[base];
  return hit ? { path: `/usr/share/common-licenses/${hit[0]}`, title: hit[1] } : undefined;
}

/** The standalone License paragraph text pointing at common-licenses (what lintian asks for). */
export function commonLicenseReference(debianName: string): string | undefined {
  const c = commonLicense(debianName);
  if (!c) return undefined;
  const later = debianName.replace(/ with .* exception$/, '').endsWith('+') ? ', or (at your option) any later version' : '';
  return `On Debian systems, the complete text of ${c.title}${later} can be found in "${c.path}".`;
}
