/** What `--repo` and its companions mean, validated once (pure, except for `resolve`). */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Py2pkgError, singleLine } from '../errors.js';

export interface RepoOptions {
  dir: string;
  suite: string;
  component: string;
  origin: string;
  label: string;
  /** days of validity written as Valid-Until (apt repositories) */
  validForDays: number | undefined;
  /** where clients fetch the repository (for the .sources / .repo snippets) */
  url: string;
  /** allow the same name+version with different bytes to replace what is published */
  replace: boolean;
  lockTimeoutMs: number;
}

export interface RepoFlags {
  repo?: string;
  suite?: string;
  component?: string;
  origin?: string;
  label?: string;
  validFor?: string;
  repoUrl?: string;
  replace?: boolean;
  lockTimeout?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/;
// eslint-disable-next-line no-control-regex
const LINE = /^[^\u0000-\u001f\u007f]{1,120}$/;

function word(value: string, flag: string): string {
  if (!NAME.test(value)) throw new Py2pkgError('USAGE', `${flag} must be letters, digits and . + _ - (up to 64), got "${singleLine(value, 40)}"`);
  return value;
}

function line(value: string, flag: string): string {
  const v = value.trim();
  if (!LINE.test(v)) throw new Py2pkgError('USAGE', `${flag} must be one printable line of up to 120 characters`);
  return v;
}

function days(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) <= 0)
    throw new Py2pkgError('USAGE', `--valid-for wants a positive whole number of days, got "${singleLine(value, 20)}"`);
  return Number(value);
}

export function repoUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Py2pkgError('USAGE', `--repo-url "${singleLine(value, 80)}" is not a URL`);
  }
  if (!['http:', 'https:', 'file:'].includes(u.protocol) || /\s/.test(value))
    throw new Py2pkgError('USAGE', '--repo-url must be an http://, https:// or file:// URL without spaces');
  return value.replace(/\/+$/, '');
}

/** A file-name-safe slug of the label, for key and snippet names. */
export function slug(label: string): string {
  const s = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'py2pkg';
}

export function resolveRepoOptions(flags: RepoFlags): RepoOptions | undefined {
  if (!flags.repo) {
    for (const [flag, v] of [
      ['--suite', flags.suite],
      ['--component', flags.component],
      ['--valid-for', flags.validFor],
      ['--repo-url', flags.repoUrl],
    ] as const) {
      if (v !== undefined) throw new Py2pkgError('USAGE', `${flag} only makes sense with --repo DIR`);
    }
    return undefined;
  }
  const dir = resolve(flags.repo);
  const lock = flags.lockTimeout ?? '600';
  if (!/^\d{1,6}$/.test(lock)) throw new Py2pkgError('USAGE', `--lock-timeout wants whole seconds, got "${singleLine(lock, 20)}"`);
  return {
    dir,
    suite: word(flags.suite ?? 'stable', '--suite'),
    component: word(flags.component ?? 'main', '--component'),
    origin: line(flags.origin ?? 'py2pkg', '--origin'),
    label: line(flags.label ?? basename(dir), '--label'),
    validForDays: flags.validFor === undefined ? undefined : days(flags.validFor),
    url: flags.repoUrl ? repoUrl(flags.repoUrl) : pathToFileURL(dir).href,
    replace: Boolean(flags.replace),
    lockTimeoutMs: Number(lock) * 1000,
  };
}
