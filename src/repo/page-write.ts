/**
 * Write the repository page after a publish (inside its lock): the packages of the current
 * generations, their origins (cached by digest, origins.ts), the findings `py2pkg outdated`
 * left in .py2pkg/outdated.json (read as untrusted: capped, shape-checked, escaped by page.ts),
 * rendered by page.ts and renamed into place as `index.html`.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compareText } from '../text-order.js';
import { writeAtomic } from './fsutil.js';
import { packageOrigins, repoPackages, type Origin } from './origins.js';
import { renderPage, type PageStatus } from './page.js';
import { STATE_DIR, type RepoKind } from './repo-dir.js';

const MAX_OUTDATED = 64 * 1024 * 1024;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** .py2pkg/outdated.json -> status by `project\0version`; undefined when absent or unreadable. */
export async function readOutdated(dir: string): Promise<{ status: Map<string, PageStatus>; checkedAt: string } | undefined> {
  const file = join(dir, STATE_DIR, 'outdated.json');
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_OUTDATED) return undefined;
  let doc: { checkedAt?: unknown; packages?: unknown };
  try {
    doc = JSON.parse(await readFile(file, 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc.packages)) return undefined;
  const status = new Map<string, PageStatus>();
  const { statusOf } = await import('../outdated/report.js');
  for (const raw of doc.packages as Array<Record<string, unknown>>) {
    if (typeof raw !== 'object' || raw === null) continue;
    const advisories = (Array.isArray(raw.advisories) ? (raw.advisories as Array<Record<string, unknown>>) : [])
      .filter((a) => typeof a === 'object' && a !== null)
      .map((a) => ({
        id: str(a.id),
        summary: str(a.summary),
        fixedIn: typeof a.fixedIn === 'string' ? a.fixedIn : null,
        fixAvailable: a.fixAvailable === true,
      }));
    const newest = raw.newest && typeof raw.newest === 'object' ? str((raw.newest as Record<string, unknown>).version) || null : null;
    const yanked = typeof raw.yanked === 'string' ? raw.yanked : false;
    const row = { securityUpdate: advisories.some((a) => a.fixAvailable), advisories, yanked, outdated: raw.outdated === true, onIndex: raw.onIndex !== false };
    status.set(`${str(raw.project)}\u0000${str(raw.version)}`, { status: statusOf(row as Parameters<typeof statusOf>[0]), newest, yanked, advisories });
  }
  return { status, checkedAt: str(doc.checkedAt) };
}

type PageOptions = {
  title?: string;
  signedBy: string;
  now?: Date;
  known?: ReadonlyMap<string, Origin | null>;
  suiteEntries?: ReadonlyMap<string, ReadonlyArray<object>>;
};

/** The page as it stands for these packages (see repoPackages for `suiteEntries`). */
export async function renderRepoPage(dir: string, kind: RepoKind, opts: PageOptions): Promise<string> {
  const pkgs = await repoPackages(dir, kind, opts.suiteEntries);
  pkgs.sort((a, b) => compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.suite, b.suite));
  const origins = await packageOrigins(dir, pkgs, opts.known);
  const outdated = await readOutdated(dir);
  return renderPage({
    title: opts.title ?? basename(dir),
    kind,
    signedBy: opts.signedBy,
    generatedAt: opts.now ?? new Date(),
    packages: pkgs.map((pkg) => ({ pkg, origin: origins.get(pkg.filename) })),
    status: outdated?.status,
    statusCheckedAt: outdated?.checkedAt,
  });
}

async function writePage(dir: string, html: string): Promise<string> {
  const file = join(dir, 'index.html');
  await writeAtomic(file, html);
  return file;
}

export async function writeRepoPage(dir: string, kind: RepoKind, opts: PageOptions): Promise<string> {
  return writePage(dir, await renderRepoPage(dir, kind, opts));
}

/**
 * A publish renders its page while its child processes (xz, createrepo_c) run, from the entries
 * it is about to switch to, and lands it after the switch: `land()` writes it. A publish that
 * fails before then never writes it (a rendering failure surfaces at land()).
 */
export function pageInBackground(
  dir: string,
  kind: RepoKind,
  opts: Omit<PageOptions, 'known'> & { known: Promise<ReadonlyMap<string, Origin | null>> },
): { land(): Promise<string> } {
  const html = opts.known.then((known) => renderRepoPage(dir, kind, { ...opts, known }));
  html.catch(() => {});
  return {
    async land() {
      return writePage(dir, await html);
    },
  };
}
