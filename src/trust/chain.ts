/**
 * `py2pkg verify`'s view past the signatures: what a signed package says about where it came
 * from. The package signature covers provenance.json and sbom.cdx.json, so reading them from the
 * verified package continues the chain: package -> provenance/SBOM -> upstream evidence -> the
 * policy rule that admitted it -> the trust-store entry today.
 */
import { Py2pkgError, singleLine } from '../errors.js';
import { run } from '../exec.js';
import { SBOM_FILE, validateSbom } from '../sbom/cyclonedx.js';
import type { Provenance, Verification } from '../types.js';
import { compareIdentity, describeIdentity, identityOf } from './continuity.js';
import { projectOfFilename } from './stage.js';
import { readStore } from './store.js';

export interface ChainLink {
  link: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

export interface PackageChain {
  package: string;
  links: ChainLink[];
  provenance?: Provenance;
}

const MAX_DOC_BYTES = 8 * 1024 * 1024;

/** The documentation files of a package, read with the distribution's own tools. */
export async function packageDocs(path: string, format: 'deb' | 'rpm'): Promise<Map<string, Buffer>> {
  const tarOrCpio =
    format === 'deb'
      ? (await run('dpkg-deb', ['--fsys-tarfile', path], { binaryStdout: true, maxBuffer: 1024 * 1024 * 1024 })).stdoutBuffer
      : (await run('rpm2cpio', [path], { binaryStdout: true, maxBuffer: 1024 * 1024 * 1024 })).stdoutBuffer;
  const list =
    format === 'deb'
      ? await run('tar', ['-t'], { input: tarOrCpio ?? Buffer.alloc(0) })
      : await run('cpio', ['-it', '--quiet'], { input: tarOrCpio ?? Buffer.alloc(0) });
  const wanted = list.stdout.split('\n').filter((l) => /^\.?\/?usr\/share\/doc\/[^/]+\/(provenance\.json|sbom\.cdx\.json)$/.test(l));
  const out = new Map<string, Buffer>();
  for (const member of wanted) {
    const r =
      format === 'deb'
        ? await run('tar', ['-xO', '--', member], { input: tarOrCpio ?? Buffer.alloc(0), binaryStdout: true, maxBuffer: MAX_DOC_BYTES })
        : await run('cpio', ['-i', '--to-stdout', '--quiet', member], { input: tarOrCpio ?? Buffer.alloc(0), binaryStdout: true, maxBuffer: MAX_DOC_BYTES });
    out.set(member.slice(member.lastIndexOf('/') + 1), r.stdoutBuffer ?? Buffer.alloc(0));
  }
  return out;
}

export function describeEvidence(v: Verification): string {
  switch (v.method) {
    case 'openpgp-detached-signature':
      return `OpenPGP signature by ${v.signers.map((s) => `${s.fingerprint}${s.userIds[0] ? ` ("${s.userIds[0]}")` : ''} at ${s.signedAt}`).join(', ')} (${v.tool})`;
    case 'pep740-attestation':
      return `PEP 740 attestation by Trusted Publisher ${Object.entries(v.publisher)
        .map(([k, x]) => `${k}=${x}`)
        .join(
          ' ',
        )}; Rekor log index ${v.attestations.map((a) => `${a.transparencyLog.logIndex} at ${a.transparencyLog.integratedTime}`).join(', ')} (${v.tool}, trusted root ${v.trustedRoot.file})`;
    case 'pinned-sha256':
      return `sha256 ${v.sha256} pinned as reviewed in the trust policy`;
    default:
      return `none: ${v.reason}`;
  }
}

export async function packageChain(path: string, format: 'deb' | 'rpm', storeFile: string): Promise<PackageChain> {
  const links: ChainLink[] = [];
  const docs = await packageDocs(path, format);
  const provBytes = docs.get('provenance.json');
  if (!provBytes) {
    // a repository may hold packages py2pkg did not make: said, not failed
    links.push({
      link: 'provenance',
      status: 'warn',
      detail: 'the package carries no provenance.json (not made by py2pkg): its upstream origin is not recorded',
    });
    return { package: path, links };
  }
  let p: Provenance;
  try {
    p = JSON.parse(provBytes.toString('utf8')) as Provenance;
    if (typeof p.sdist?.sha256 !== 'string' || typeof p.verification?.method !== 'string') throw new Error('not a py2pkg provenance record');
  } catch (e) {
    links.push({ link: 'provenance', status: 'fail', detail: `provenance.json is unreadable: ${singleLine((e as Error).message, 120)}` });
    return { package: path, links };
  }
  links.push({ link: 'provenance', status: 'ok', detail: `provenance.json: sdist ${p.sdist.filename}, sha256 ${p.sdist.sha256}` });

  const sbom = docs.get(SBOM_FILE);
  if (!sbom) links.push({ link: 'sbom', status: 'warn', detail: `no ${SBOM_FILE} (made by a py2pkg before SBOMs)` });
  else {
    const errors = await validateSbom(sbom.toString('utf8')).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const doc = JSON.parse(sbom.toString('utf8')) as {
      specVersion?: string;
      components?: Array<{ purl?: string; hashes?: Array<{ alg: string; content: string }> }>;
    };
    const py = doc.components?.find((c) => c.purl?.startsWith('pkg:pypi/'));
    const hash = py?.hashes?.find((h) => h.alg === 'SHA-256')?.content;
    if (errors) links.push({ link: 'sbom', status: 'fail', detail: `${SBOM_FILE} is not valid CycloneDX: ${singleLine(JSON.stringify(errors), 160)}` });
    else if (hash !== p.sdist.sha256)
      links.push({
        link: 'sbom',
        status: 'fail',
        detail: `${SBOM_FILE} names sha256 ${hash ?? '(none)'} for ${py?.purl ?? 'the Python component'}, not the provenance's ${p.sdist.sha256}`,
      });
    else
      links.push({
        link: 'sbom',
        status: 'ok',
        detail: `${SBOM_FILE}: CycloneDX ${doc.specVersion ?? '?'}, valid against the official schema, ${py?.purl ?? ''} sha256 agrees`,
      });
  }

  const evidence = p.evidence ?? [p.verification];
  if (p.unsigned || evidence.length === 0)
    links.push({
      link: 'upstream evidence',
      status: 'warn',
      detail: `UNSIGNED: ${p.verification.method === 'none' ? p.verification.reason : 'no evidence recorded'}`,
    });
  for (const v of evidence) links.push({ link: 'upstream evidence', status: 'ok', detail: describeEvidence(v) });
  links.push({
    link: 'policy',
    status: p.trust ? 'ok' : 'warn',
    detail: p.trust ? `${p.trust.rule} (${p.trust.policy})` : 'no rule recorded (made by a py2pkg before trust policies)',
  });

  const project = p.trust?.project ?? projectOfFilename(p.sdist.filename).project;
  const entry = (await readStore(storeFile)).get(project);
  if (!entry) links.push({ link: 'trust store', status: 'ok', detail: `no entry for ${project} in ${storeFile}` });
  else if (p.unsigned)
    links.push({ link: 'trust store', status: 'warn', detail: `${project} is pinned to ${describeIdentity(entry)}, but this package is unsigned` });
  else {
    const how = compareIdentity(entry, identityOf(evidence));
    links.push(
      how === 'changed'
        ? {
            link: 'trust store',
            status: 'fail',
            detail: `${project} is pinned to ${describeIdentity(entry)} in ${storeFile}, but this package came from ${describeIdentity(identityOf(evidence))}`,
          }
        : { link: 'trust store', status: 'ok', detail: `${project}: ${describeIdentity(entry)} pinned ${entry.firstSeen} (${storeFile}) agrees` },
    );
  }
  return { package: path, links, provenance: p };
}

/** The first failing link as the command's error (exit 3 for trust, 11 for an altered document). */
export function chainError(chains: PackageChain[]): Py2pkgError | undefined {
  for (const c of chains) {
    const bad = c.links.find((l) => l.status === 'fail');
    if (!bad) continue;
    const code = bad.link === 'trust store' ? 'TRUST_CHANGED' : 'VERIFY_BAD_SIGNATURE';
    return new Py2pkgError(code, `${c.package}: ${bad.link}: ${bad.detail}`);
  }
  return undefined;
}
