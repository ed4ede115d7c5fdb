/**
 * Which license a license file holds, from its text (pure). Only the well-known texts
 * Python projects ship; anything else is undefined (kept as the project wrote it). The
 * answer is an SPDX identifier; src/license/debian.ts names it the Debian way.
 */

const squash = (t: string): string => t.replace(/\s+/g, ' ');

const RULES: Array<[string, (t: string) => boolean]> = [
  [
    'Apache-2.0',
    (t) =>
      /Apache License,? Version 2\.0/i.test(t) && /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION|Licensed under the Apache License/i.test(t),
  ],
  ['AGPL-3.0-only', (t) => /GNU AFFERO GENERAL PUBLIC LICENSE Version 3/i.test(t)],
  ['LGPL-3.0-only', (t) => /GNU LESSER GENERAL PUBLIC LICENSE Version 3/i.test(t)],
  ['LGPL-2.1-only', (t) => /GNU LESSER GENERAL PUBLIC LICENSE Version 2\.1/i.test(t)],
  ['LGPL-2.0-only', (t) => /GNU LIBRARY GENERAL PUBLIC LICENSE Version 2/i.test(t)],
  ['GPL-3.0-only', (t) => /GNU GENERAL PUBLIC LICENSE Version 3/i.test(t)],
  ['GPL-2.0-only', (t) => /GNU GENERAL PUBLIC LICENSE Version 2/i.test(t)],
  ['MPL-2.0', (t) => /Mozilla Public License,? (version|v\.?) 2\.0/i.test(t)],
  ['PSF-2.0', (t) => /PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2/i.test(t)],
  ['Unlicense', (t) => /This is free and unencumbered software released into the public domain/i.test(t)],
  ['ISC', (t) => /Permission to use, copy, modify, and\/or distribute this software for any purpose with or without fee is hereby granted/i.test(t)],
  ['MIT', (t) => /Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(t)],
  [
    'Zlib',
    (t) => /This software is provided 'as-is', without any express or implied warranty/i.test(t) && /Altered source versions must be plainly marked/i.test(t),
  ],
  ['BSD-4-Clause', (t) => /Redistribution and use in source and binary forms/i.test(t) && /advertising materials/i.test(t)],
  [
    'BSD-3-Clause',
    (t) => /Redistribution and use in source and binary forms/i.test(t) && /(Neither the name|names of (its|the) contributors may (not )?be used)/i.test(t),
  ],
  ['BSD-2-Clause', (t) => /Redistribution and use in source and binary forms/i.test(t)],
  ['CC0-1.0', (t) => /CC0 1\.0 Universal/i.test(t)],
];

/** The SPDX identifier of a license text, or undefined when it is none of the known ones. */
export function identifyLicense(text: string): string | undefined {
  const t = squash(text.slice(0, 64 * 1024));
  // a GPL text says "version 2 ... or (at your option) any later version" only in its
  // how-to appendix; the version of the text itself is what is named here
  for (const [id, test] of RULES) if (test(t)) return id;
  return undefined;
}
