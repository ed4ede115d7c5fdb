/**
 * The verify stage's decision: apply the trust policy to the evidence that exists for an sdist
 * (an OpenPGP signature, a PEP 740 provenance object, the file's own sha256) and either admit
 * it - saying which rule did, in the provenance - or refuse it with one error.
 *
 * A project table pins evidence kinds; `require = "any"` admits on one of them, "all" needs
 * each. Projects without a table get the policy's default: "any" (evidence that verifies: a
 * signature by a key in --trusted-keys, or attestations whose certificates prove the publisher
 * the index records), "tofu" (the same, then the trust store must agree), "none" (refused),
 * "unsigned" (admitted without evidence, recorded).
 *
 * Evidence that is present and broken (bytes that do not match a trusted signature, a revoked
 * key, an attestation that does not verify or names other bytes) refuses the file even when
 * another kind would have admitted it: fail closed.
 */
import { basename } from 'node:path';
import type { ErrorCode } from '../errors.js';
import { Py2pkgError, isPy2pkgError } from '../errors.js';
import type { LocalSdist, PgpVerification, Provenance, TrustDecision, Verification } from '../types.js';
import { loadTrustedRoot, verifyProvenance, type TrustedRoot } from './pep740.js';
import type { ProjectRule, TrustPolicy } from './policy.js';
import { type Publisher, parsePublisher } from './publisher.js';
import { checkContinuity } from './continuity.js';
import { clampToSourceDateEpoch, verifyPgpSignature } from './verify.js';

export interface Evidence {
  /** a signature file that exists, or undefined */
  signaturePath: string | undefined;
  /** the provenance object's bytes and where they came from, or undefined */
  provenance: { bytes: Uint8Array; name: string } | undefined;
  /** where py2pkg looked, for the "nothing found" message */
  lookedFor: string[];
}

export interface AdmitInput {
  sdist: LocalSdist;
  /** PEP 503 name and version, from the file name (inspect checks them against PKG-INFO) */
  project: string;
  version: string;
  evidence: Evidence;
  policy: TrustPolicy;
  /** --trusted-keys / trusted-keys in the config file */
  trustedKeys: string[];
  trustedRoot: string | undefined;
  store: string;
  allowUnsigned: boolean;
  now: Date;
  sourceDateEpoch: number | undefined;
  /** loud messages (a first-use pin), shown even with --quiet */
  notify: (message: string) => void;
}

/** Failures that mean "this kind of evidence is not there or does not count", not "it is bad". */
const ABSENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SIG_MISSING',
  'SIG_NO_KEYS',
  'SIG_UNTRUSTED',
  'SIG_EXPIRED',
  'PROVENANCE_MISSING',
  'PUBLISHER_MISMATCH',
  'SHA256_NOT_PINNED',
  'TRUST_NO_EVIDENCE',
]);

type Attempt = { ok: true; v: Verification } | { ok: false; e: Py2pkgError };

async function attempt(run: () => Promise<Verification>): Promise<Attempt> {
  try {
    return { ok: true, v: await run() };
  } catch (e) {
    if (isPy2pkgError(e)) return { ok: false, e };
    throw e;
  }
}

function partition(attempts: Attempt[]): { passed: Verification[]; failures: Py2pkgError[] } {
  const passed: Verification[] = [];
  const failures: Py2pkgError[] = [];
  for (const a of attempts) {
    if (a.ok) passed.push(a.v);
    else failures.push(a.e);
  }
  return { passed, failures };
}

/** Which failure to show when nothing admitted the file: broken evidence first, then the first kind asked for. */
function pickFailure(failures: Py2pkgError[]): Py2pkgError {
  return failures.find((f) => !ABSENT.has(f.code)) ?? failures.find((f) => f.code !== 'SIG_NO_KEYS') ?? (failures[0] as Py2pkgError);
}

function fatal(a: Attempt, configuredKeys: boolean): Py2pkgError | undefined {
  if (a.ok) return undefined;
  if (!ABSENT.has(a.e.code)) return a.e;
  // keys the user named that cannot be read are a configuration mistake, not missing evidence
  if (a.e.code === 'SIG_NO_KEYS' && configuredKeys) return a.e;
  return undefined;
}

export async function admit(i: AdmitInput): Promise<Provenance> {
  const base = {
    sdist: { filename: i.sdist.filename, sha256: i.sdist.sha256.toLowerCase(), size: i.sdist.size },
    verifiedAt: clampToSourceDateEpoch(i.now, i.sourceDateEpoch).toISOString(),
  };
  // the file's name only: the same sdist and policy give the same package on every machine
  const decision = (
    rule: string,
    policy = i.policy.source === 'built-in' || i.policy.source.startsWith('built-in ') ? i.policy.source : basename(i.policy.source),
  ): TrustDecision => ({ rule, policy, project: i.project });
  if (i.allowUnsigned) {
    return {
      ...base,
      unsigned: true,
      verification: { method: 'none', reason: 'converted with --allow-unsigned: the upstream signature was not checked' },
      evidence: [],
      trust: decision('--allow-unsigned', 'command line'),
    };
  }
  let root: TrustedRoot | undefined;
  const rootOnce = async () => (root ??= await loadTrustedRoot(i.trustedRoot));
  const rule = i.policy.projects.get(i.project);

  if (rule) {
    const attempts = await pinnedAttempts(i, rule, rootOnce);
    const { passed, failures } = partition(attempts);
    if (rule.require === 'all') {
      if (failures.length > 0) throw pickFailure(failures);
    } else {
      const broken = attempts.map((a) => fatal(a, true)).find((e) => e !== undefined);
      if (broken) throw broken;
      if (passed.length === 0) throw pickFailure(failures);
    }
    const kinds = passed.map(kindName).join(' + ');
    return {
      ...base,
      unsigned: false,
      verification: passed[0] as Verification,
      evidence: passed,
      trust: decision(`project ${rule.project}: ${kinds}${pinnedCount(rule) > 1 ? ` (require ${rule.require})` : ''}`),
    };
  }

  switch (i.policy.default) {
    case 'none':
      throw new Py2pkgError('TRUST_NO_RULE', `the trust policy (${i.policy.source}) has no rule for ${i.project} and its default is "none"`);
    case 'unsigned':
      return {
        ...base,
        unsigned: true,
        verification: { method: 'none', reason: `the trust policy's default is "unsigned": no upstream evidence was checked` },
        evidence: [],
        trust: decision('default unsigned'),
      };
    default:
      break;
  }

  const attempts: Attempt[] = [];
  if (i.evidence.signaturePath) {
    const sig = i.evidence.signaturePath;
    attempts.push(await attempt(() => verifyPgpSignature({ sdist: i.sdist, signaturePath: sig, trustedKeysPath: i.trustedKeys, now: i.now })));
  }
  if (i.evidence.provenance) {
    const prov = i.evidence.provenance;
    attempts.push(
      await attempt(async () => verifyProvenance({ bytes: prov.bytes, name: prov.name, sdist: i.sdist, root: await rootOnce(), pinned: undefined })),
    );
  }
  const broken = attempts.map((a) => fatal(a, i.trustedKeys.length > 0)).find((e) => e !== undefined);
  if (broken) throw broken;
  const { passed, failures } = partition(attempts);
  if (passed.length === 0) {
    if (failures.length > 0) throw pickFailure(failures);
    throw new Py2pkgError(
      'SIG_MISSING',
      `nothing vouches for ${i.sdist.filename}: no signature and no PEP 740 provenance (looked for ${i.evidence.lookedFor.join(', ')})`,
      {
        hint: 'put the detached signature beside the sdist as <file>.asc (or --signature FILE), or its PEP 740 provenance as <file>.provenance (or --provenance FILE); pin a reviewed sha256 in the trust policy; --allow-unsigned skips the check and records that in the package',
      },
    );
  }
  const kinds = passed.map(kindName).join(' + ');
  if (i.policy.default === 'any') {
    return { ...base, unsigned: false, verification: passed[0] as Verification, evidence: passed, trust: decision(`default any: ${kinds}`) };
  }
  const store = await checkContinuity({
    file: i.store,
    project: i.project,
    version: i.version,
    sha256: base.sdist.sha256,
    evidence: passed,
    now: i.now,
    notify: i.notify,
  });
  return {
    ...base,
    unsigned: false,
    verification: passed[0] as Verification,
    evidence: passed,
    // the store's answer (first use or matched) is reported by the run, not packaged: a rebuild gives the same bytes
    trust: { ...decision(`default tofu: ${kinds}`), store },
  };
}

function pinnedCount(rule: ProjectRule): number {
  return (rule.pgp.length > 0 ? 1 : 0) + (rule.publishers.length > 0 ? 1 : 0) + (rule.sha256.length > 0 ? 1 : 0);
}

function kindName(v: Verification): string {
  switch (v.method) {
    case 'openpgp-detached-signature':
      return 'pgp';
    case 'pep740-attestation':
      return 'publisher';
    case 'pinned-sha256':
      return 'sha256';
    default:
      return 'none';
  }
}

async function pinnedAttempts(i: AdmitInput, rule: ProjectRule, root: () => Promise<TrustedRoot>): Promise<Attempt[]> {
  const out: Attempt[] = [];
  if (rule.pgp.length > 0) out.push(await attempt(() => pinnedPgp(i, rule)));
  if (rule.publishers.length > 0) {
    out.push(
      await attempt(async () => {
        if (!i.evidence.provenance)
          throw new Py2pkgError(
            'PROVENANCE_MISSING',
            `${i.sdist.filename} has no PEP 740 provenance, and the trust policy pins a publisher for ${i.project} (looked for ${i.evidence.lookedFor.filter((l) => !l.endsWith('.asc')).join(', ')})`,
          );
        return verifyProvenance({ ...i.evidence.provenance, sdist: i.sdist, root: await root(), pinned: rule.publishers });
      }),
    );
  }
  if (rule.sha256.length > 0) {
    out.push(
      await attempt(() => {
        const sha = i.sdist.sha256.toLowerCase();
        if (!rule.sha256.includes(sha))
          return Promise.reject(
            new Py2pkgError('SHA256_NOT_PINNED', `${i.sdist.filename} has sha256 ${sha}, which the trust policy does not list for ${i.project}`),
          );
        return Promise.resolve({ method: 'pinned-sha256', sha256: sha });
      }),
    );
  }
  return out;
}

async function pinnedPgp(i: AdmitInput, rule: ProjectRule): Promise<PgpVerification> {
  if (!i.evidence.signaturePath) {
    throw new Py2pkgError(
      'SIG_MISSING',
      `no signature for ${i.sdist.filename}, and the trust policy pins signers for ${i.project} (looked for ${i.evidence.lookedFor.filter((l) => l.endsWith('.asc')).join(', ') || 'a .asc file'})`,
    );
  }
  const keys = [...rule.keys, ...i.trustedKeys];
  if (keys.length === 0)
    throw new Py2pkgError('SIG_NO_KEYS', `the trust policy pins signers for ${i.project} but names no key file (keys = [...]) and --trusted-keys is not given`);
  const v = await verifyPgpSignature({ sdist: i.sdist, signaturePath: i.evidence.signaturePath, trustedKeysPath: keys, now: i.now });
  const pinned = v.signers.filter((s) => rule.pgp.includes(s.fingerprint) || (s.signingFingerprint !== undefined && rule.pgp.includes(s.signingFingerprint)));
  if (pinned.length === 0) {
    const who = v.signers.map((s) => `${s.fingerprint}${s.userIds[0] ? ` ("${s.userIds[0]}")` : ''}`).join(', ');
    throw new Py2pkgError('SIG_UNTRUSTED', `${i.sdist.filename} is signed by ${who}, which is not a signer the trust policy pins for ${i.project}`, {
      hint: "confirm the new signer with upstream through a second channel, then add its full fingerprint to the project's pgp list",
    });
  }
  return { ...v, signers: pinned };
}

/** A publisher given on the command line (`py2pkg trust pin`): github:OWNER/REPO@WORKFLOW, gitlab:GROUP/PROJECT@CI_FILE, google:EMAIL. */
export function publisherFromSpec(spec: string): Publisher {
  const m = /^(github|gitlab):([^@]+)@(.+)$/.exec(spec);
  if (m?.[1] === 'github') return parsePublisher({ kind: 'github', repository: m[2], workflow: m[3] }, `--publisher ${spec}`);
  if (m?.[1] === 'gitlab') return parsePublisher({ kind: 'gitlab', repository: m[2], workflow_filepath: m[3] }, `--publisher ${spec}`);
  const g = /^google:(.+)$/.exec(spec);
  if (g) return parsePublisher({ kind: 'google', email: g[1] }, `--publisher ${spec}`);
  throw new Py2pkgError('USAGE', `--publisher ${spec} is not github:OWNER/REPO@WORKFLOW.yml, gitlab:GROUP/PROJECT@.gitlab-ci.yml or google:EMAIL`);
}
