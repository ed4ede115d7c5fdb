/** What a publish is asked to do and what it did (shared by the Apt and Yum writers). */
import { Py2pkgError, singleLine } from '../errors.js';
import type { Signer } from '../sign/signer.js';
import type { RepoOptions } from './options.js';

export interface Removal {
  name: string;
  version?: string;
}

export interface PublishRequest {
  opts: RepoOptions;
  /** package files to add (.deb for Apt, .rpm for Yum) */
  files: string[];
  removals: Removal[];
  signer: Signer;
  /** a private directory for temp files */
  workDir: string;
  progress: (message: string) => void;
}

export interface PublishResult {
  kind: 'apt' | 'yum';
  dir: string;
  /** repository-relative paths of packages added (or already there with the same content) */
  packages: string[];
  removed: string[];
  keyFile: string;
  snippet: string;
}

/** `NAME` or `NAME=VERSION` (pure). */
export function parseRemoval(text: string): Removal {
  const m = /^([A-Za-z0-9][A-Za-z0-9.+_-]*)(?:=([A-Za-z0-9.+~:_-]+))?$/.exec(text);
  if (!m) throw new Py2pkgError('USAGE', `--remove wants NAME or NAME=VERSION, got "${singleLine(text, 60)}"`);
  return m[2] ? { name: m[1]!, version: m[2] } : { name: m[1]! };
}
