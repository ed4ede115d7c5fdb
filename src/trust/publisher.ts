/**
 * Trusted Publishers (PEP 740): the identity a policy pins, the identity a Fulcio certificate
 * carries, and the rule that decides whether they are the same. Pure: no I/O.
 *
 * The matching follows pypi-attestations (the reference implementation PyPI uses): for GitHub
 * and GitLab the certificate's issuer (OID .1.8) and Source Repository URI (.1.12) must be the
 * publisher's, and its Build Config URI (.1.18) must be exactly
 * `https://github.com/OWNER/REPO/.github/workflows/WORKFLOW@X` (GitLab:
 * `https://gitlab.com/PROJECT//CI_FILE@X`) where X is the certificate's own Source Repository
 * Digest (.1.13) or Ref (.1.14); a Google publisher is the service-account e-mail in the
 * SAN with the Google issuer. The `environment` is not in the certificate: it is compared with
 * the index's publisher record only.
 */
import { Py2pkgError, singleLine } from '../errors.js';

export type Publisher =
  | { kind: 'github'; repository: string; workflow: string; environment?: string }
  | { kind: 'gitlab'; repository: string; workflowFilepath: string; environment?: string }
  | { kind: 'google'; email: string };

/** What a Fulcio leaf certificate says about who signed (read by src/trust/pep740.ts). */
export interface CertIdentity {
  subjectAlternativeName: string;
  /** OIDC issuer (.1.8, or the legacy .1.1) */
  issuer: string;
  sourceRepositoryUri?: string;
  sourceRepositoryDigest?: string;
  sourceRepositoryRef?: string;
  buildConfigUri?: string;
  buildSignerUri?: string;
  runInvocationUri?: string;
}

export const ISSUERS = {
  github: 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
  google: 'https://accounts.google.com',
} as const;

const SLUG = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/;
const WORKFLOW = /^[A-Za-z0-9_.-]+\.ya?ml$/;
const CI_PATH = /^[A-Za-z0-9_.\-/]+\.ya?ml$/;
const EMAIL = /^[^\s@<>"]+@[A-Za-z0-9.-]+$/;

function str(t: Record<string, unknown>, k: string, where: string, re?: RegExp): string {
  const v = t[k];
  if (typeof v !== 'string' || v === '') throw new Py2pkgError('CONFIG', `${where}: ${k} must be a non-empty string`);
  if (re && !re.test(v)) throw new Py2pkgError('CONFIG', `${where}: ${k} ${JSON.stringify(singleLine(v, 80))} is not valid`);
  return v;
}

function optEnv(t: Record<string, unknown>, where: string): { environment?: string } {
  const v = t.environment;
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string' || v === '') throw new Py2pkgError('CONFIG', `${where}: environment must be a non-empty string`);
  return { environment: v };
}

/** A publisher table from a policy (`kind = "github"|"gitlab"|"google"`, PyPI's field names). */
export function parsePublisher(raw: unknown, where: string): Publisher {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Py2pkgError('CONFIG', `${where} must be a table like { kind = "github", repository = "owner/repo", workflow = "release.yml" }`);
  const t = raw as Record<string, unknown>;
  const kind = typeof t.kind === 'string' ? t.kind.toLowerCase() : '';
  const allowed: Record<string, string[]> = {
    github: ['kind', 'repository', 'workflow', 'environment'],
    gitlab: ['kind', 'repository', 'workflow_filepath', 'environment'],
    google: ['kind', 'email'],
  };
  const keys = allowed[kind];
  if (!keys) throw new Py2pkgError('CONFIG', `${where}: kind must be "github", "gitlab" or "google", not ${JSON.stringify(singleLine(String(t.kind), 20))}`);
  for (const k of Object.keys(t)) {
    if (!keys.includes(k)) throw new Py2pkgError('CONFIG', `${where}: unknown key "${singleLine(k, 40)}" for a ${kind} publisher (known: ${keys.join(', ')})`);
  }
  if (kind === 'github') return { kind, repository: str(t, 'repository', where, SLUG), workflow: str(t, 'workflow', where, WORKFLOW), ...optEnv(t, where) };
  if (kind === 'gitlab')
    return { kind, repository: str(t, 'repository', where, SLUG), workflowFilepath: str(t, 'workflow_filepath', where, CI_PATH), ...optEnv(t, where) };
  return { kind: 'google', email: str(t, 'email', where, EMAIL) };
}

/**
 * The `publisher` of a PyPI provenance object (hostile JSON from the index): kind "GitHub",
 * "GitLab" or "Google". Undefined when it is of a kind py2pkg does not know.
 */
export function publisherFromIndex(raw: unknown): Publisher | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const t = raw as Record<string, unknown>;
  const s = (k: string) => (typeof t[k] === 'string' && t[k] !== '' ? t[k] : undefined);
  const env = s('environment');
  const kind = s('kind')?.toLowerCase();
  if (kind === 'github' && s('repository') && s('workflow'))
    return { kind, repository: s('repository') as string, workflow: s('workflow') as string, ...(env ? { environment: env } : {}) };
  if (kind === 'gitlab' && s('repository') && s('workflow_filepath'))
    return { kind, repository: s('repository') as string, workflowFilepath: s('workflow_filepath') as string, ...(env ? { environment: env } : {}) };
  if (kind === 'google' && s('email')) return { kind, email: s('email') as string };
  return undefined;
}

/** The publisher a certificate proves, derived from its claims; undefined for other identities (a person's e-mail, say). */
export function publisherFromCert(c: CertIdentity): Publisher | undefined {
  if (c.issuer === ISSUERS.github && c.sourceRepositoryUri?.startsWith('https://github.com/') && c.buildConfigUri) {
    const repository = c.sourceRepositoryUri.slice('https://github.com/'.length);
    const m = new RegExp(`^https://github\\.com/${escapeRe(repository)}/\\.github/workflows/([^/@]+)@`).exec(c.buildConfigUri);
    if (m?.[1]) return { kind: 'github', repository, workflow: m[1] };
  }
  if (c.issuer === ISSUERS.gitlab && c.sourceRepositoryUri?.startsWith('https://gitlab.com/') && c.buildConfigUri) {
    const repository = c.sourceRepositoryUri.slice('https://gitlab.com/'.length);
    const m = new RegExp(`^https://gitlab\\.com/${escapeRe(repository)}//([^@]+)@`).exec(c.buildConfigUri);
    if (m?.[1]) return { kind: 'gitlab', repository, workflowFilepath: m[1] };
  }
  if (c.issuer === ISSUERS.google && c.subjectAlternativeName.startsWith('email:'))
    return { kind: 'google', email: c.subjectAlternativeName.slice('email:'.length) };
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why the certificate is not this publisher's, or null when it is. */
export function publisherMismatch(p: Publisher, c: CertIdentity): string | null {
  if (p.kind === 'google') {
    if (c.issuer !== ISSUERS.google) return `issuer is ${c.issuer}, not ${ISSUERS.google}`;
    return c.subjectAlternativeName === `email:${p.email}` ? null : `identity is ${c.subjectAlternativeName}, not email:${p.email}`;
  }
  const host = p.kind === 'github' ? 'https://github.com' : 'https://gitlab.com';
  if (c.issuer !== ISSUERS[p.kind]) return `issuer is ${c.issuer}, not ${ISSUERS[p.kind]}`;
  const repoUri = `${host}/${p.repository}`;
  // GitHub and GitLab treat repository paths case-insensitively; the certificate has the canonical spelling
  if (c.sourceRepositoryUri?.toLowerCase() !== repoUri.toLowerCase()) return `source repository is ${c.sourceRepositoryUri ?? '(none)'}, not ${repoUri}`;
  if (!c.buildConfigUri) return 'the certificate has no Build Config URI';
  const base = p.kind === 'github' ? `${c.sourceRepositoryUri}/.github/workflows/${p.workflow}` : `${c.sourceRepositoryUri}//${p.workflowFilepath}`;
  for (const suffix of [c.sourceRepositoryDigest, c.sourceRepositoryRef]) {
    if (suffix && c.buildConfigUri === `${base}@${suffix}`) return null;
  }
  return `it was built by ${c.buildConfigUri}, not by ${p.kind === 'github' ? p.workflow : p.workflowFilepath} in ${p.repository}`;
}

/** Publishers compared as identities (the environment only when both name one). */
export function samePublisher(a: Publisher, b: Publisher): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'google' && b.kind === 'google') return a.email.toLowerCase() === b.email.toLowerCase();
  if (a.kind === 'github' && b.kind === 'github')
    return a.repository.toLowerCase() === b.repository.toLowerCase() && a.workflow === b.workflow && envAgree(a.environment, b.environment);
  if (a.kind === 'gitlab' && b.kind === 'gitlab')
    return a.repository.toLowerCase() === b.repository.toLowerCase() && a.workflowFilepath === b.workflowFilepath && envAgree(a.environment, b.environment);
  return false;
}

function envAgree(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** One line for people: `github:owner/repo (release.yml, environment pypi)`. */
export function describePublisher(p: Publisher): string {
  if (p.kind === 'google') return `google:${p.email}`;
  const file = p.kind === 'github' ? p.workflow : p.workflowFilepath;
  return `${p.kind}:${p.repository} (${file}${p.environment ? `, environment ${p.environment}` : ''})`;
}

/** The TOML/JSON form (PyPI's field names), for the trust store, provenance and messages. */
export function publisherRecord(p: Publisher): Record<string, string> {
  if (p.kind === 'google') return { kind: 'google', email: p.email };
  const env: Record<string, string> = p.environment ? { environment: p.environment } : {};
  return p.kind === 'github'
    ? { kind: 'github', repository: p.repository, workflow: p.workflow, ...env }
    : { kind: 'gitlab', repository: p.repository, workflow_filepath: p.workflowFilepath, ...env };
}
