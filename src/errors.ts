/**
 * The one error catalogue. Every failure a user can cause is a Py2pkgError with a stable
 * code, a one-line message for people, a hint saying what to do, and an exit status that
 * scripts can rely on (documented in README.md, "Exit statuses").
 */

export const ExitStatus = {
  ok: 0,
  internal: 1, // a bug in py2pkg: rerun with --debug and report it
  usage: 2, // bad flags, config or arguments
  trust: 3, // signature missing, bad, untrusted, revoked, expired
  input: 4, // the sdist is malformed or unsafe (archive attacks, bad metadata)
  unsupported: 5, // the project needs something py2pkg does not do (C extensions, missing backend)
  build: 6, // the project's own build failed inside the sandbox
  tool: 7, // an external tool is missing or failed (dpkg-deb, bwrap, python3)
  network: 8, // the index or the network failed (unreachable, TLS, timeout, HTTP error, refused redirect, offline miss)
  notFound: 9, // the index has no such project, or no sdist that matches the requirement
  notSigned: 10, // verify: the package or repository carries no signature
  badSignature: 11, // verify: a signature or a hash in the chain does not match (altered, or expired metadata)
  unknownKey: 12, // verify: signed by a key that is not in --key (or that key is revoked/expired)
  repo: 13, // publish: the repository refused the change (conflicting version, locked, not a py2pkg repository)
  lock: 14, // --locked: what was asked or produced differs from py2pkg.lock (drift)
  security: 15, // outdated: a packaged version has a known vulnerability and a fixed release is available
  rebuild: 16, // verify --rebuild: the recorded source rebuilt to other bytes
} as const;
export type ExitStatusName = keyof typeof ExitStatus;

/**
 * A batch exits with its worst failure (README, "Batches"): the first status of this list that
 * any job ended with. Security first (someone may be attacking: trust, unsafe input, altered
 * signatures), then py2pkg's own bugs, the lock, the repository, this machine (tools, network),
 * then the projects themselves (build, unsupported, not on the index), usage last.
 */
export const SEVERITY: readonly number[] = [3, 4, 11, 12, 10, 1, 16, 14, 13, 7, 8, 6, 5, 9, 2, 15];

/** The worst of several exit statuses (0 when all are 0). */
export function worstExitStatus(statuses: Iterable<number>): number {
  let worst = 0;
  for (const s of statuses) {
    if (s === 0) continue;
    const rank = (x: number) => (SEVERITY.includes(x) ? SEVERITY.indexOf(x) : SEVERITY.length);
    if (worst === 0 || rank(s) < rank(worst)) worst = s;
  }
  return worst;
}

interface CatalogueEntry {
  status: ExitStatusName;
  hint: string;
}

/** code -> exit status and what to do about it. Codes never change once released. */
// one line per code, read as a table
// prettier-ignore
export const catalogue = {
  USAGE: { status: 'usage', hint: 'see py2pkg --help' },
  CONFIG: { status: 'usage', hint: 'fix the config file or the flag named above' },
  INPUT_NOT_FOUND: { status: 'usage', hint: 'pass the path of an existing .tar.gz/.zip sdist or a project directory' },
  OUTPUT_DIR: { status: 'usage', hint: 'pass --out with a writable directory' },
  MAINTAINER: { status: 'usage', hint: "pass --maintainer 'Full Name <email@example.org>' or set maintainer in the config file" },

  SIG_MISSING: { status: 'trust', hint: 'put the detached signature beside the sdist as <file>.asc or pass --signature FILE; --allow-unsigned skips the check and records that in the package' },
  SIG_NO_KEYS: { status: 'trust', hint: 'pass --trusted-keys FILE with the upstream signers you pinned' },
  SIG_BAD_KEYRING: { status: 'trust', hint: 'the trusted-keys file must hold OpenPGP public keys, armored or binary' },
  SIG_MALFORMED: { status: 'trust', hint: 'the signature file is not an OpenPGP detached signature; fetch it again from upstream' },
  SIG_UNTRUSTED: { status: 'trust', hint: 'the signer is not in --trusted-keys; add the key only after checking its fingerprint with upstream' },
  SIG_INVALID: { status: 'trust', hint: 'the sdist does not match its signature: it was altered or the wrong file was downloaded; do not package it' },
  SIG_REVOKED: { status: 'trust', hint: 'the signing key is revoked; ask upstream for a release signed with a current key' },
  SIG_EXPIRED: { status: 'trust', hint: 'the signing key or signature has expired; refresh the key from upstream or ask for a new signature' },
  TRUST_NO_RULE: { status: 'trust', hint: 'the trust policy admits only the projects it names (default = "none"): add a [trust.project.NAME] table after reviewing the project' },
  TRUST_NO_EVIDENCE: { status: 'trust', hint: 'nothing vouches for this sdist: pin a publisher, a signer or the reviewed sha256 in the trust policy, or pass --allow-unsigned (recorded in the package)' },
  TRUST_CHANGED: { status: 'trust', hint: 'the release comes from someone else than the one pinned on first use: confirm the change with upstream, then change the policy or run py2pkg trust forget NAME' },
  SHA256_NOT_PINNED: { status: 'trust', hint: 'the trust policy pins reviewed sha256 digests for this project and this file is not one of them: review it, then add its digest' },
  PROVENANCE_MISSING: { status: 'trust', hint: 'the policy wants a PEP 740 attestation and the index publishes none for this file: pass --provenance FILE if you have it, or ask upstream to publish with Trusted Publishing' },
  PROVENANCE_MALFORMED: { status: 'trust', hint: 'the PEP 740 provenance object is not readable; fetch it again, and do not package the file until it verifies' },
  ATTESTATION_INVALID: { status: 'trust', hint: 'the attestation\'s Sigstore signature, certificate chain or transparency-log entry does not verify: do not package it; pass --trusted-root for a non-production Sigstore instance' },
  ATTESTATION_SUBJECT: { status: 'trust', hint: 'the attestation is for another file or other bytes: the download was altered or swapped; do not package it' },
  ATTESTATION_STATEMENT: { status: 'trust', hint: 'the attestation does not carry a PEP 740 statement py2pkg knows; report it to the index operator' },
  PUBLISHER_MISMATCH: { status: 'trust', hint: 'the file was published by another identity than the one trusted for it: confirm with upstream before changing the pinned publisher' },
  TRUST_ROOT: { status: 'usage', hint: 'pass --trusted-root with a Sigstore trusted_root.json (README, "Trust": refreshing the root)' },
  TRUST_STORE: { status: 'usage', hint: 'fix or move the trust store named above (--trust-store FILE); it is a TOML file py2pkg writes' },

  ARCHIVE_CORRUPT: { status: 'input', hint: 'the sdist is not a readable .tar.gz/.zip; download it again' },
  ARCHIVE_UNSAFE: { status: 'input', hint: 'the sdist contains an entry that would escape or abuse the unpack directory; do not package it' },
  ARCHIVE_TOO_LARGE: { status: 'input', hint: 'the sdist expands past the size/entry limit; raise --max-unpacked-size only if you trust it' },
  ARCHIVE_LAYOUT: { status: 'input', hint: 'an sdist holds one top-level directory with PKG-INFO (or pyproject.toml/setup.py) in it' },
  METADATA_INVALID: { status: 'input', hint: 'the project metadata is malformed; report it upstream' },
  METADATA_TOO_LARGE: { status: 'input', hint: 'a metadata file in the sdist (or its built wheel) is over the size limit; report it upstream' },
  METADATA_MISMATCH: { status: 'input', hint: 'the built wheel does not describe the same project as the sdist; report it upstream' },

  UNSUPPORTED_EXTENSION: { status: 'unsupported', hint: 'compiled extension modules are packaged only for the deb target of the machine py2pkg runs on' },
  BACKEND_MISSING: { status: 'unsupported', hint: 'install the Debian package named above (apt-get install ...) and retry' },
  BUILD_DEPENDS_MISSING: { status: 'unsupported', hint: 'run the apt-get install line above and retry; [project.NAME] build-depends in the config file changes what a project needs' },
  UNSUPPORTED_BACKEND: { status: 'unsupported', hint: 'py2pkg only runs build backends packaged by the distribution (no in-tree backend-path)' },
  REQUIRES_PYTHON: { status: 'unsupported', hint: "the target's Python does not satisfy the project's Requires-Python" },

  BUILD_FAILED: { status: 'build', hint: 'the project failed to build in the sandbox; rerun with --debug for the full log' },
  BUILD_TIMEOUT: { status: 'build', hint: 'raise --build-timeout if the project is known to build slowly' },

  TOOL_MISSING: { status: 'tool', hint: 'install the Debian package named above; make demo installs everything' },
  TOOL_FAILED: { status: 'tool', hint: 'rerun with --debug for the full output of the tool' },
  FILE_SYSTEM: { status: 'tool', hint: 'free space or fix the permissions where py2pkg writes (--out, --repo, $TMPDIR, the cache), or point it elsewhere' },

  INDEX_NOT_FOUND: { status: 'notFound', hint: 'check the project name, or pass --index-url/--extra-index-url/--find-links for where it is published' },
  NO_MATCHING_SDIST: { status: 'notFound', hint: 'loosen the version specifier, pass --pre for pre-releases, or pin a yanked release with ==' },
  INDEX_MALFORMED: { status: 'input', hint: 'the index served a page that is not PEP 691 JSON or PEP 503 HTML; report it to the index operator' },
  INDEX_UNSAFE_LINK: { status: 'input', hint: 'the index page links somewhere it must not; do not use this index until its operator explains it' },
  INDEX_TOO_LARGE: { status: 'input', hint: 'the index page is over the size limit; raise PY2PKG_MAX_PAGE_SIZE (MiB) only if the index is trusted' },
  FETCH_TOO_LARGE: { status: 'input', hint: 'the download is over the size limit; raise --max-unpacked-size only if you trust it' },
  HASH_MISMATCH: { status: 'trust', hint: 'the download is not the file the index vouched for: it was altered in transit or on the server; do not package it' },
  HASH_MISSING: { status: 'trust', hint: 'the index publishes no sha256 for this file; --allow-no-hash downloads it anyway (the signature check still applies)' },
  FETCH_FAILED: { status: 'network', hint: 'check the index URL and the network (proxy: HTTPS_PROXY/NO_PROXY); rerun with --debug for details' },
  FETCH_TIMEOUT: { status: 'network', hint: 'the server did not answer in time; raise PY2PKG_TIMEOUT (seconds) or check the network and proxy' },
  FETCH_TLS: { status: 'network', hint: "the server's TLS certificate was not accepted; pass --cert with your organization's CA bundle (or set SSL_CERT_FILE)" },
  FETCH_REDIRECT: { status: 'network', hint: 'py2pkg follows redirects only on the same host and never from https to http; use the final URL directly if you trust it' },
  FETCH_TRUNCATED: { status: 'network', hint: 'the connection closed before the whole file arrived; retry later' },
  FETCH_AUTH: { status: 'network', hint: 'the index wants credentials: put them in the URL (https://user:token@host/simple/) or in ~/.netrc' },
  FETCH_PROXY: { status: 'network', hint: 'the proxy refused the connection; check HTTPS_PROXY/HTTP_PROXY and NO_PROXY' },
  FETCH_OFFLINE: { status: 'network', hint: 'run once without --offline to fill the cache ($XDG_CACHE_HOME/py2pkg), or use --find-links with a local directory' },

  KEY_READ: { status: 'usage', hint: 'pass --sign-key with an OpenPGP secret key file (armored or binary) that holds one key' },
  KEY_UNUSABLE: { status: 'usage', hint: 'make a usable key with py2pkg keygen (RSA-4096 or curve25519Legacy, v4, the primary key signs)' },
  KEY_PASSPHRASE: { status: 'usage', hint: 'pass --passphrase-file FILE (its first line) or set PY2PKG_PASSPHRASE; never on the command line' },
  KEY_GPG: { status: 'usage', hint: 'check the fingerprint with gpg --list-secret-keys and that gpg-agent (or the smartcard) holds the secret key' },
  PACKAGE_INVALID: { status: 'input', hint: 'pass .deb or .rpm files that dpkg-deb or rpm can read' },
  REPO_INVALID: { status: 'repo', hint: '--repo must be a new or empty directory, or one py2pkg created for the same package format' },
  REPO_CONFLICT: { status: 'repo', hint: 'clients cache packages by version: publish a new version, or pass --replace if no client has fetched the old one' },
  REPO_LOCKED: { status: 'repo', hint: 'another publish holds the repository lock; wait for it or raise --lock-timeout' },
  REPO_NOT_FOUND: { status: 'repo', hint: 'nothing in the repository matches --remove NAME[=VERSION]' },
  VERIFY_NOT_SIGNED: { status: 'notSigned', hint: 'it carries no signature: sign it (py2pkg publish --sign-key) before anyone installs from it' },
  VERIFY_BAD_SIGNATURE: { status: 'badSignature', hint: 'it was altered after it was signed, or signed wrongly: do not install from it' },
  VERIFY_DIGEST_MISMATCH: { status: 'badSignature', hint: 'a file does not match the hash its signed index records: it was altered or half-copied; do not install from it' },
  VERIFY_EXPIRED: { status: 'badSignature', hint: "the repository's Valid-Until has passed: publish again to re-sign it" },
  VERIFY_UNKNOWN_KEY: { status: 'unknownKey', hint: 'the signer is not in --key: check its fingerprint with the repository owner before trusting it' },
  VERIFY_KEY_INVALID: { status: 'unknownKey', hint: 'the signing key is revoked or expired: get the current key from the repository owner' },
  DEPENDS_UNSATISFIABLE: { status: 'unsupported', hint: 'the target archive cannot satisfy a requirement; override it per requirement with depends-map or drop-depends in the config file' },
  TEMPLATE: { status: 'usage', hint: 'fix the template named above: py2pkg templates export DIR writes the built-in templates and a README.md of the variables and helpers they can use' },
  REQUIREMENTS_INVALID: { status: 'usage', hint: 'fix the requirements file at the line named above; py2pkg reads name==version lines, paths, comments, continuations, -r FILE and --hash' },
  REQUIREMENTS_HASH: { status: 'trust', hint: 'in hash-checking mode (any line with --hash) every line needs --hash=sha256:... and an exact ==version, as pip wants' },
  LOCK_INVALID: { status: 'usage', hint: 'the lock file is not one py2pkg wrote: restore it from version control or run without --locked to write a new one' },
  LOCK_DRIFT: { status: 'lock', hint: 'the run differs from py2pkg.lock: review the change, then run without --locked to update the lock' },
  RPM_FILE_NAME: { status: 'unsupported', hint: 'rpm cannot list this file literally (glob or quote characters, a backslash, control characters) and no directory of the package could own it; report it upstream' },
  SOURCE_ORIG_FORMAT: { status: 'unsupported', hint: 'a Debian source package keeps the upstream sdist byte for byte as its .orig.tar.gz: it must be a compressed tarball (.tar.gz, .tar.bz2, .tar.xz); convert a binary package instead, or ask upstream for a .tar.gz sdist' },
  RESOLVE_CONFLICT: { status: 'unsupported', hint: 'two requirements in the tree want versions of the same project that no one release meets: pin a version both admit, or convert the branches separately' },
  RESOLVE_UNSATISFIABLE: { status: 'unsupported', hint: 'neither the target archive nor the index has a release that meets the requirement and the target\'s Python: loosen the pin, publish the release, or pass --archive-url / --index-url' },
  RESOLVE_CYCLE: { status: 'unsupported', hint: 'the projects require each other in a cycle: convert them with drop-depends for one edge of the cycle in the config file' },
  ARCHIVE_INDEX: { status: 'network', hint: 'check --archive-url: a Debian mirror (dists/<suite>/main/binary-<arch>/Packages[.xz|.gz]) or a Yum repository (repodata/repomd.xml), over http(s) or file://' },
  REBUILD_DIFFERS: { status: 'rebuild', hint: 'the recorded sdist and options no longer give the same bytes: compare with diffoscope, check the templates and py2pkg version recorded in provenance.json' },
  REBUILD_SOURCE: { status: 'trust', hint: 'the sdist the package records is not in the cache nor on the index with the recorded sha256: pass --index-url/--find-links where it is published' },
  REBUILD_RECORD: { status: 'unsupported', hint: 'the package carries no build record (provenance.json "build"): it was made by an older py2pkg or another tool; convert it again to get one' },
  SECURITY_UPDATE: { status: 'security', hint: 'a packaged version has a known vulnerability and a fixed release is on the index: convert and publish the fixed release' },
  OSV_INVALID: { status: 'input', hint: 'the OSV data is malformed or over its size limit: fetch the export again from https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;

export class Py2pkgError extends Error {
  readonly code: ErrorCode;
  readonly exitStatus: number;
  readonly hint: string;
  /** extra text shown only with --debug (a tool's full stderr, for example) */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; detail?: string; hint?: string } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'Py2pkgError';
    this.code = code;
    const entry: CatalogueEntry = catalogue[code];
    this.exitStatus = ExitStatus[entry.status];
    this.hint = opts.hint ?? entry.hint;
    this.detail = opts.detail;
  }

  /** The one line a user sees: what was wrong and what to do. */
  oneLine(): string {
    return `py2pkg: error[${this.code}]: ${singleLine(this.message)} (${this.hint})`;
  }
}

/** Collapse any text to one printable line (hostile text may carry newlines or escapes). */
export function singleLine(text: string, max = 400): string {
  const flat = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** An exit status whose reasons were already printed (a batch's summary): the CLI exits with it, silently. */
export class ExitWithStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
    this.name = 'ExitWithStatus';
  }
}

export function isPy2pkgError(e: unknown): e is Py2pkgError {
  return e instanceof Py2pkgError;
}

/** What the machine's file system said, for the errors a full disk or a wrong mode cause (not bugs). */
const FILE_SYSTEM_ERRORS: Readonly<Record<string, { what: string; hint: string }>> = {
  ENOSPC: { what: 'no space left on the device', hint: 'free space on that file system, or point --out, --repo or $TMPDIR elsewhere' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'free space within your quota, or point --out, --repo or $TMPDIR elsewhere' },
  EROFS: { what: 'read-only file system', hint: 'choose a writable --out, --repo or $TMPDIR' },
  EACCES: { what: 'permission denied', hint: 'check the owner and mode of that path, or run py2pkg as a user that may write there' },
  EPERM: { what: 'operation not permitted', hint: 'check the owner and mode of that path, or run py2pkg as a user that may write there' },
  EIO: { what: 'input/output error', hint: 'the disk or the network file system failed: check it (dmesg) and retry' },
  EMFILE: { what: 'too many open files', hint: 'raise the limit (ulimit -n) and retry' },
  ENFILE: { what: 'too many open files on this machine', hint: 'raise fs.file-max or stop other work, and retry' },
};

/**
 * A node:fs error a user's machine causes (a full disk, a quota, a read-only mount, a wrong mode)
 * as one FILE_SYSTEM line naming the path, instead of an "internal error"; undefined for anything else.
 */
export function fileSystemError(e: unknown): Py2pkgError | undefined {
  if (!(e instanceof Error)) return undefined;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const known = err.code !== undefined ? FILE_SYSTEM_ERRORS[err.code] : undefined;
  if (!known || typeof err.syscall !== 'string') return undefined;
  // copyfile/rename/link name the destination as `dest`: that is the side that was written
  const where = err.dest ?? err.path;
  const what = `${err.syscall}${where !== undefined ? ` ${where}` : ''}`;
  return new Py2pkgError('FILE_SYSTEM', `${known.what} (${err.code}): ${what}`, { cause: e, hint: known.hint });
}

/** What a user is told for `e`: the Py2pkgError itself, FILE_SYSTEM for the machine's file-system errors, undefined for a bug. */
export function userError(e: unknown): Py2pkgError | undefined {
  return isPy2pkgError(e) ? e : fileSystemError(e);
}

/** The one line for an error py2pkg did not expect: a bug. */
export function internalErrorLine(e: unknown): string {
  return `py2pkg: internal error: ${singleLine(e instanceof Error ? e.message : String(e))} (this is a bug: rerun with --debug and report it)`;
}
