/**
 * Shebangs in the staged tree, as dh_python3 and Fedora's brp-mangle-shebangs leave them:
 *  - a file under the site directory that is not executable is a module, not a program: a `.py`
 *    module loses its `#!` line (requests' certs.py `#!/usr/bin/env python` at mode 644 draws
 *    rpmlint's E: non-executable-script); any other non-executable file is left as it is;
 *  - an executable file under the site directory or in the scripts directory that starts with
 *    a Python `#!` gets `#!/usr/bin/python3` (the distribution's interpreter, not whatever
 *    `python` is first on PATH); an executable file under the site directory without any `#!`
 *    loses its execute bits (nothing could run it);
 *  - the wheel's RECORD is rewritten for every file changed, so its hashes and sizes stay true.
 * Console scripts the installer writes already start `#!/usr/bin/python3` (mode 0755).
 */
import { createHash } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuiltFile } from './build.js';

export const PYTHON3_SHEBANG = '#!/usr/bin/python3';

/** `#!/usr/bin/env python`, `#!/usr/local/bin/python3.11 -u`, `#!python`: a Python interpreter line. */
const PYTHON_SHEBANG = /^#!\s*(?:\S*\/)?(?:env\s+(?:-S\s+)?)?python(?:[0-9.]*)?(?:\s+(?<args>[^\n]*))?$/;

export type ShebangChange = 'removed' | 'rewritten' | 'made-non-executable';

/**
 * The new content of one file, or undefined when it stays as it is. Pure: `executable` is the
 * file's mode, `module` whether it is a `.py` file under the site directory.
 */
export function fixShebang(content: Buffer, executable: boolean, module: boolean): { content: Buffer; change: ShebangChange } | undefined {
  if (content.length < 2 || content[0] !== 0x23 || content[1] !== 0x21) return undefined;
  const nl = content.indexOf(0x0a);
  const first = content
    .subarray(0, nl < 0 ? content.length : nl)
    .toString('latin1')
    .replace(/\r$/, '');
  const rest = nl < 0 ? Buffer.alloc(0) : content.subarray(nl + 1);
  if (!executable) return module ? { content: rest, change: 'removed' } : undefined;
  const m = PYTHON_SHEBANG.exec(first);
  if (!m) return undefined;
  // options after the interpreter survive (`-u`, `-W ignore`), as brp-mangle-shebangs keeps them
  const args = m.groups?.args?.trim();
  const line = args ? `${PYTHON3_SHEBANG} ${args}` : PYTHON3_SHEBANG;
  if (line === first) return undefined;
  return { content: Buffer.concat([Buffer.from(`${line}\n`, 'latin1'), rest]), change: 'rewritten' };
}

/** The hash RECORD writes: `sha256=` + urlsafe base64 without padding. */
export function recordHash(content: Buffer): string {
  return `sha256=${createHash('sha256').update(content).digest('base64url')}`;
}

/**
 * Apply fixShebang to every staged file under `siteDir` and `scriptsDir`; returns the changes
 * (package path -> what was done) and rewrites the RECORD of `distInfoDir` for them.
 */
export async function fixStagedShebangs(
  stagingRoot: string,
  files: readonly BuiltFile[],
  siteDir: string,
  scriptsDir: string,
  distInfoDir: string,
): Promise<Map<string, ShebangChange>> {
  const changes = new Map<string, ShebangChange>();
  const rehash = new Map<string, Buffer>();
  for (const f of files) {
    const inSite = f.path.startsWith(`${siteDir}/`);
    if (!inSite && !f.path.startsWith(`${scriptsDir}/`)) continue;
    const full = join(stagingRoot, f.path);
    const executable = ((await stat(full)).mode & 0o111) !== 0;
    const content = await readFile(full);
    const fixed = fixShebang(content, executable, inSite && f.path.endsWith('.py'));
    if (fixed) {
      await writeFile(full, fixed.content);
      rehash.set(f.path, fixed.content);
      changes.set(f.path, fixed.change);
    } else if (inSite && executable && !(content[0] === 0x23 && content[1] === 0x21)) {
      await chmod(full, 0o644);
      changes.set(f.path, 'made-non-executable');
    }
  }
  if (rehash.size > 0) await rewriteRecord(join(stagingRoot, distInfoDir, 'RECORD'), siteDir, rehash);
  return changes;
}

/** RECORD rows are `path,hash,size` with paths relative to the site directory (CSV; no path of ours holds a comma or a quote). */
async function rewriteRecord(record: string, siteDir: string, changed: Map<string, Buffer>): Promise<void> {
  let text: string;
  try {
    text = await readFile(record, 'utf8');
  } catch {
    return; // no RECORD (the installer always writes one): nothing to keep true
  }
  const lines = text.split('\n').map((line) => {
    const m = /^([^,"]+),([^,]*),([^,]*)$/.exec(line.replace(/\r$/, ''));
    if (!m) return line;
    const rel = m[1] as string;
    const abs = rel.startsWith('../') ? resolveRecordPath(siteDir, rel) : `${siteDir}/${rel}`;
    const content = changed.get(abs);
    return content ? `${rel},${recordHash(content)},${content.length}` : line;
  });
  await writeFile(record, lines.join('\n'));
}

/** `../../../bin/slugger` relative to the site directory -> `/usr/bin/slugger`. */
function resolveRecordPath(siteDir: string, rel: string): string {
  const parts = siteDir.split('/').filter(Boolean);
  for (const p of rel.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  return `/${parts.join('/')}`;
}
