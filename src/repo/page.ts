/**
 * The repository page (`index.html` at the repository root), rendered from values (pure):
 * every package, its version, the upstream project and release, the evidence that admitted it
 * (signer fingerprint or Trusted Publisher) and the rule, and - when `py2pkg outdated` left
 * its findings in .py2pkg/outdated.json - whether it is outdated, yanked or has an advisory.
 * Static HTML: no scripts, no external resources; a Content-Security-Policy meta that allows
 * only the page's own stylesheet (by its sha256); every value HTML-escaped (package metadata
 * and OSV text are hostile).
 */
import { createHash } from 'node:crypto';
import type { Origin, RepoPackage } from './origins.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const ESCAPED = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** HTML text and attribute escaping; control characters (other than tab/newline) dropped. */
export function escapeHtml(v: string | number | null | undefined): string {
  const text = String(v ?? '');
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => HTML_ESCAPES[c] ?? '') : text;
}

/** What outdated.json says about one upstream release (a subset of src/outdated/report.ts's Row). */
export interface PageStatus {
  status: string;
  newest: string | null;
  yanked: false | string;
  advisories: Array<{ id: string; summary: string; fixedIn: string | null; fixAvailable: boolean }>;
}

export interface PageInput {
  title: string;
  kind: 'apt' | 'yum';
  signedBy: string;
  generatedAt: Date;
  packages: Array<{ pkg: RepoPackage; origin: Origin | undefined }>;
  /** by `project\0version`; undefined when outdated has not run */
  status: Map<string, PageStatus> | undefined;
  statusCheckedAt: string | undefined;
}

export const PAGE_STYLE = [
  'body{font-family:system-ui,sans-serif;margin:2em;color:#111;background:#fff}',
  'table{border-collapse:collapse;width:100%}',
  'th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}',
  'th{background:#eee}',
  'code{font-size:.9em;word-break:break-all}',
  '.security{background:#fdd;font-weight:bold}',
  '.warn{background:#ffe9c0}',
  '.ok{color:#060}',
].join('');

export function pageCsp(): string {
  const hash = createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'`;
}

function evidenceHtml(o: Origin): string {
  if (o.unsigned) return `<strong>unsigned</strong>${o.evidence[0]?.identity ? `: ${escapeHtml(o.evidence[0].identity)}` : ''}`;
  return o.evidence
    .map((e) => {
      switch (e.method) {
        case 'pgp':
          return `OpenPGP signer <code>${escapeHtml(e.identity)}</code>`;
        case 'publisher': {
          let text = e.identity;
          try {
            const p = JSON.parse(e.identity) as Record<string, unknown> | null;
            if (p && typeof p === 'object')
              text = Object.entries(p)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(' ');
          } catch {
            // shown as recorded
          }
          return `Trusted Publisher <code>${escapeHtml(text)}</code>`;
        }
        case 'sha256':
          return `reviewed sha256 <code>${escapeHtml(e.identity)}</code>`;
        default:
          return `none: ${escapeHtml(e.identity)}`;
      }
    })
    .join('<br>');
}

function statusCell(s: PageStatus | undefined, known: boolean): { cls: string; html: string } {
  if (!known) return { cls: '', html: 'not checked (run <code>py2pkg outdated</code>)' };
  if (!s) return { cls: '', html: 'not checked' };
  const parts: string[] = [escapeHtml(s.status)];
  if (s.newest) parts.push(`newest admitted: ${escapeHtml(s.newest)}`);
  if (s.yanked !== false) parts.push(`yanked${s.yanked ? `: ${escapeHtml(s.yanked)}` : ''}`);
  for (const a of s.advisories)
    parts.push(`<code>${escapeHtml(a.id)}</code>${a.fixedIn ? ` (fixed in ${escapeHtml(a.fixedIn)})` : ''}${a.summary ? `: ${escapeHtml(a.summary)}` : ''}`);
  const cls = s.advisories.some((a) => a.fixAvailable) ? 'security' : s.advisories.length > 0 || s.yanked !== false || s.status === 'outdated' ? 'warn' : 'ok';
  return { cls, html: parts.join('<br>') };
}

export function renderPage(input: PageInput): string {
  const rows = input.packages.map(({ pkg, origin }) => {
    const s = origin ? input.status?.get(`${origin.project}\u0000${origin.version}`) : undefined;
    const st = origin ? statusCell(s, input.status !== undefined) : { cls: '', html: '' };
    const cells = [
      `<td><code>${escapeHtml(pkg.name)}</code></td>`,
      `<td>${escapeHtml(pkg.version)}</td>`,
      `<td>${escapeHtml(pkg.arch)}</td>`,
      ...(input.kind === 'apt' ? [`<td>${escapeHtml(pkg.suite)}</td>`] : []),
      origin ? `<td>${escapeHtml(origin.project)} ${escapeHtml(origin.version)}</td>` : '<td>unknown (no provenance)</td>',
      `<td>${origin ? evidenceHtml(origin) : ''}</td>`,
      `<td>${origin?.rule ? escapeHtml(origin.rule) : ''}</td>`,
      `<td${st.cls ? ` class="${st.cls}"` : ''}>${st.html}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  const head = ['Package', 'Version', 'Architecture', ...(input.kind === 'apt' ? ['Suite'] : []), 'Upstream release', 'Evidence', 'Trust rule', 'Status'];
  const checked = input.statusCheckedAt
    ? `Status from <code>py2pkg outdated</code> at ${escapeHtml(input.statusCheckedAt)}.`
    : 'No <code>py2pkg outdated</code> run recorded.';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(pageCsp())}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<p>${input.kind === 'apt' ? 'Apt' : 'Yum'} repository made by py2pkg, signed with <code>${escapeHtml(input.signedBy)}</code>; ${input.packages.length} package(s). Updated ${escapeHtml(input.generatedAt.toISOString())}. ${checked}</p>`,
    '<table>',
    `<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
