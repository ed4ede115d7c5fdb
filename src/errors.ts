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
} as const;
export type ExitStatusName = keyof typeof ExitStatus;

interface CatalogueEntry {
  status: ExitStatusName;
  hint: string;
}

/** code -> exit status and what to do about it. Codes never change once released. */
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

  ARCHIVE_CORRUPT: { status: 'input', hint: 'the sdist is not a readable .tar.gz/.zip; download it again' },
  ARCHIVE_UNSAFE: { status: 'input', hint: 'the sdist contains an entry that would escape or abuse the unpack directory; do not package it' },
  ARCHIVE_TOO_LARGE: { status: 'input', hint: 'the sdist expands past the size/entry limit; raise --max-unpacked-size only if you trust it' },
  ARCHIVE_LAYOUT: { status: 'input', hint: 'an sdist holds one top-level directory with PKG-INFO (or pyproject.toml/setup.py) in it' },
  METADATA_INVALID: { status: 'input', hint: 'the project metadata is malformed; report it upstream' },
  METADATA_MISMATCH: { status: 'input', hint: 'the built wheel does not describe the same project as the sdist; report it upstream' },

  UNSUPPORTED_EXTENSION: { status: 'unsupported', hint: 'C extensions are not supported yet; only pure-Python projects are converted' },
  BACKEND_MISSING: { status: 'unsupported', hint: 'install the Debian package named above (apt-get install ...) and retry' },
  UNSUPPORTED_BACKEND: { status: 'unsupported', hint: 'py2pkg only runs build backends packaged by the distribution (no in-tree backend-path)' },
  REQUIRES_PYTHON: { status: 'unsupported', hint: "the target's Python does not satisfy the project's Requires-Python" },

  BUILD_FAILED: { status: 'build', hint: 'the project failed to build in the sandbox; rerun with --debug for the full log' },
  BUILD_TIMEOUT: { status: 'build', hint: 'raise --build-timeout if the project is known to build slowly' },

  TOOL_MISSING: { status: 'tool', hint: 'install the Debian package named above; make demo installs everything' },
  TOOL_FAILED: { status: 'tool', hint: 'rerun with --debug for the full output of the tool' },
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
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isPy2pkgError(e: unknown): e is Py2pkgError {
  return e instanceof Py2pkgError;
}
