/**
 * The build cache's key: sha256 over a canonical JSON of everything that decides a package's
 * bytes. Documented in README.md ("Build cache"); change KEY_VERSION when the meaning changes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Settings } from '../settings.js';
import type { Provenance } from '../types.js';
import { toolVersion } from '../version.js';

/** 2: packages record their build options (provenance.json `build`) */
const KEY_VERSION = 2;

/** JSON with object keys sorted, so equal values give equal text (pure). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What admitted the sdist, as the package records it, without the times of this run. */
export function provenanceForKey(p: Provenance): unknown {
  const { verifiedAt: _at, source: _route, trust, ...rest } = p;
  return { ...rest, ...(trust ? { trust: { rule: trust.rule, policy: trust.policy, project: trust.project } } : {}) };
}

/** Debian packages whose version can change what a build produces (the build tools, backends, packagers). */
const BUILD_PACKAGES = /^(python3|libpython3|dpkg|rpm|help2man|bubblewrap|gzip|xz-utils|zstd|tar|binutils|base-files|gcc|libc6)/;

let envDigest: Promise<string> | undefined;

/**
 * This machine's build environment: the name and version of every installed Debian package
 * matching BUILD_PACKAGES (from /var/lib/dpkg/status), so an upgraded setuptools or dpkg
 * misses the cache. Read once per process.
 */
export function buildEnvironmentDigest(statusFile = '/var/lib/dpkg/status'): Promise<string> {
  envDigest ??= readFile(statusFile, 'utf8')
    .then((text) => {
      const lines: string[] = [];
      for (const stanza of text.split(/\n\n+/)) {
        const name = /^Package: (.+)$/m.exec(stanza)?.[1];
        const version = /^Version: (.+)$/m.exec(stanza)?.[1];
        const installed = /^Status: .* installed$/m.test(stanza);
        if (name && version && installed && BUILD_PACKAGES.test(name)) lines.push(`${name} ${version}`);
      }
      return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
    })
    .catch(() => 'no-dpkg-status');
  return envDigest;
}

export interface KeyParts {
  sdistSha256: string;
  settings: Settings;
  templatesDigest: string;
  signerFingerprint: string | undefined;
  provenance: Provenance;
}

export async function cacheKey(k: KeyParts): Promise<string> {
  const s = k.settings;
  const doc = {
    v: KEY_VERSION,
    py2pkg: toolVersion(),
    sdist: k.sdistSha256,
    format: s.format,
    target: s.target,
    maintainer: s.maintainer,
    dependencies: s.dependencies,
    sourceDateEpoch: s.sourceDateEpoch ?? null,
    templates: k.templatesDigest,
    signer: k.signerFingerprint ?? null,
    provenance: provenanceForKey(k.provenance),
    environment: await buildEnvironmentDigest(),
  };
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}
