/** The outdated command's work, loaded only when the command runs. */
import { join, resolve } from 'node:path';
import { Py2pkgError } from '../errors.js';
import { inventory } from '../outdated/inventory.js';
import { loadOsv, type OsvSource } from '../outdated/osv-load.js';
import { listReleases } from '../outdated/releases.js';
import { assess, buildReport, renderTable, type Report } from '../outdated/report.js';
import { writeAtomic } from '../repo/fsutil.js';
import { readMarker, STATE_DIR } from '../repo/repo-dir.js';
import { withLock } from '../repo/lock.js';
import { writeRepoPage } from '../repo/page-write.js';
import { sourceSettings, type SourceFlags } from '../source/options.js';
import { netConfig } from '../source/stage.js';
import type { Io } from './context.js';

export interface OutdatedFlags extends Pick<SourceFlags, 'indexUrl' | 'extraIndexUrl' | 'findLinks' | 'pre' | 'cert'> {
  lock?: string;
  osv?: string;
  trustPolicy?: string;
  trustDefault?: string;
  config?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Where a repository's findings are kept for its index.html (src/repo/page.ts reads it). */
export const outdatedFile = (repo: string): string => join(repo, STATE_DIR, 'outdated.json');

export async function runOutdated(repo: string | undefined, flags: OutdatedFlags, io: Io): Promise<void> {
  if ((repo === undefined) === (flags.lock === undefined)) throw new Py2pkgError('USAGE', 'outdated takes a repository directory or --lock FILE (one of them)');
  const say = (m: string) => {
    if (!flags.quiet && !flags.json) io.err(`py2pkg: ${m}\n`);
  };
  const inv = await inventory(repo !== undefined ? { repo: resolve(repo) } : { lock: resolve(flags.lock!) });
  const { loadConfig, trustSettings } = await import('../settings.js');
  const { config } = await loadConfig(flags.config, process.env);
  const { trustPolicy } = await trustSettings(
    { ...(flags.trustPolicy ? { trustPolicy: flags.trustPolicy } : {}), ...(flags.trustDefault ? { trustDefault: flags.trustDefault } : {}) },
    config.trust,
    process.env,
  );
  const src = await sourceSettings(flags, process.env);
  const net = netConfig(src, (m) => say(m));
  let osv: OsvSource | undefined;
  if (flags.osv !== undefined) {
    osv = await loadOsv(
      flags.osv,
      inv.items.map((i) => ({ project: i.project, version: i.version })),
      () => net,
    );
    say(`OSV: ${osv.read} record(s) read from ${osv.where}`);
  }
  const rows = [];
  const listed = new Map<string, Awaited<ReturnType<typeof listReleases>>>();
  for (const item of inv.items) {
    if (!listed.has(item.project)) {
      say(`look up ${item.project}`);
      listed.set(
        item.project,
        await listReleases(item.project, { indexUrls: src.indexUrls, findLinks: src.findLinks, maxPageBytes: src.maxPageBytes, net, warn: say }),
      );
    }
    rows.push(assess(item, listed.get(item.project), osv?.records.get(item.project) ?? [], trustPolicy, src.pre));
  }
  const report: Report = buildReport(inv, rows, osv ? { kind: osv.kind, where: osv.where, read: osv.read } : null, new Date());
  if (inv.from.kind !== 'lock') {
    const dir = inv.from.path;
    const kind = inv.from.kind;
    await writeAtomic(outdatedFile(dir), `${JSON.stringify(report, null, 1)}\n`);
    // the page shows the findings now, not at the next publish (under the publishers' lock)
    const marker = await readMarker(dir);
    await withLock(
      join(dir, STATE_DIR),
      600_000,
      () => writeRepoPage(dir, kind, { signedBy: marker?.key ?? '' }),
      (owner) => say(`waiting for the repository lock held by ${owner}`),
    );
  }
  io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  if (report.exitStatus !== 0) {
    const names = report.packages
      .filter((r) => r.securityUpdate)
      .map(
        (r) =>
          `${r.project} ${r.version} -> ${r.newest?.version ?? '?'} (${r.advisories
            .filter((a) => a.fixAvailable)
            .map((a) => a.id)
            .join(', ')})`,
      );
    throw new Py2pkgError(
      'SECURITY_UPDATE',
      `${names.length} packaged release(s) have a known vulnerability fixed in an admitted release: ${names.join('; ')}`,
    );
  }
}
