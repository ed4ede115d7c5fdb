/**
 * `py2pkg outdated`'s judgement per packaged release (pure): the newest release on the index
 * the trust policy could admit (admissible.ts), whether the packaged release is yanked (PEP
 * 592), the OSV records that affect the packaged version (osv.ts) and whether a fixed release
 * is available - one the policy admits and the record does not affect. Then the table and the
 * JSON document, and the exit status: 15 (SECURITY_UPDATE) when any fixed release is available.
 */
import { ExitStatus, singleLine } from '../errors.js';
import { compareVersions, isPrerelease, tryParseVersion } from '../python/pep440.js';
import type { TrustPolicy } from '../trust/policy.js';
import { admissible } from './admissible.js';
import type { Inventory, Item } from './inventory.js';
import { affects, type OsvRecord } from './osv.js';
import type { Release } from './releases.js';
import { compareText } from '../text-order.js';

export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  /** the lowest fixed version the record names above the packaged one */
  fixedIn: string | null;
  /** a release the policy admits and this record does not affect is on the index */
  fixAvailable: boolean;
}

export interface Row {
  project: string;
  version: string;
  packages: string[];
  evidence: Item['evidence'];
  rule: string | null;
  /** false when no configured location lists the project */
  onIndex: boolean;
  /** newest release the policy could admit; null when none */
  newest: { version: string; why: string; source: string } | null;
  /** newest sdist on the index at all, admitted or not */
  newestListed: string | null;
  outdated: boolean;
  /** PEP 592: false, or the reason ('' when none given) */
  yanked: false | string;
  advisories: Advisory[];
  securityUpdate: boolean;
}

export interface Report {
  from: Inventory['from'];
  checkedAt: string;
  osv: { kind: string; where: string; read: number } | null;
  packages: Row[];
  /** packages without provenance: listed, not checked */
  unknown: string[];
  securityUpdates: number;
  exitStatus: number;
}

const same = (a: string, b: string) => {
  const pa = tryParseVersion(a);
  const pb = tryParseVersion(b);
  return pa && pb ? compareVersions(pa, pb) === 0 : a === b;
};

export function assess(item: Item, releases: Release[] | undefined, records: OsvRecord[], policy: TrustPolicy, pre: boolean): Row {
  const packaged = tryParseVersion(item.version);
  const allowPre = pre || (packaged !== undefined && isPrerelease(packaged));
  let newest: Row['newest'] = null;
  let yanked: Row['yanked'] = false;
  if (releases) {
    const mine = releases.filter((r) => same(r.version, item.version));
    const file = mine.find((r) => r.file.filename === item.sdist) ?? mine[0];
    if (file && file.file.yanked !== false) yanked = file.file.yanked;
    for (const r of releases) {
      if (r.file.yanked !== false || (!allowPre && isPrerelease(r.parsed))) continue;
      const a = admissible(policy, item.project, r.file);
      if (!a.admits) continue;
      newest = { version: r.version, why: a.why, source: r.source };
      break;
    }
  }
  const outdated = newest !== null && packaged !== undefined && compareVersions(tryParseVersion(newest.version)!, packaged) > 0;
  const advisories: Advisory[] = [];
  for (const rec of records) {
    const f = affects(rec, item.project, item.version);
    if (!f) continue;
    const fixAvailable = outdated && newest !== null && affects(rec, item.project, newest.version) === undefined;
    advisories.push({ id: f.id, aliases: f.aliases, summary: singleLine(f.summary, 300), fixedIn: f.fixedIn ?? null, fixAvailable });
  }
  advisories.sort((a, b) => compareText(a.id, b.id));
  return {
    project: item.project,
    version: item.version,
    packages: item.packages,
    evidence: item.evidence,
    rule: item.rule,
    onIndex: releases !== undefined,
    newest,
    newestListed: releases?.[0]?.version ?? null,
    outdated,
    yanked,
    advisories,
    securityUpdate: advisories.some((a) => a.fixAvailable),
  };
}

export function buildReport(inv: Inventory, rows: Row[], osv: Report['osv'], now: Date): Report {
  const securityUpdates = rows.filter((r) => r.securityUpdate).length;
  return {
    from: inv.from,
    checkedAt: now.toISOString(),
    osv,
    packages: rows,
    unknown: inv.unknown,
    securityUpdates,
    exitStatus: securityUpdates > 0 ? ExitStatus.security : 0,
  };
}

/** One word for a row: what a person should do about it. */
export function statusOf(r: Row): string {
  if (r.securityUpdate) return 'SECURITY UPDATE';
  if (r.advisories.length > 0) return 'vulnerable (no fix admitted)';
  if (r.yanked !== false) return 'yanked';
  if (r.outdated) return 'outdated';
  if (!r.onIndex) return 'not on the index';
  return 'current';
}

/** The plain-text table for people (every value one line, control characters removed). */
export function renderTable(rep: Report): string {
  const head = ['PROJECT', 'PACKAGED', 'NEWEST ADMITTED', 'STATUS', 'ADVISORIES'];
  const rows = rep.packages.map((r) =>
    [
      r.project,
      r.version,
      r.newest?.version ?? (r.onIndex ? '-' : '?'),
      statusOf(r) + (r.yanked !== false ? ` (yanked${r.yanked ? `: ${r.yanked}` : ''})` : ''),
      r.advisories.map((a) => `${a.id}${a.fixedIn ? ` (fixed in ${a.fixedIn})` : ''}`).join(', ') || '-',
    ].map((c) => singleLine(c, 120)),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  for (const u of rep.unknown) out.push(`(${singleLine(u, 200)}: no provenance, not checked)`);
  out.push(
    rep.securityUpdates > 0
      ? `${rep.securityUpdates} package(s) need a security update (exit status ${rep.exitStatus})`
      : `${rep.packages.length} package(s) checked, no security update needed`,
  );
  return `${out.join('\n')}\n`;
}
