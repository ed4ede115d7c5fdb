/**
 * The SBOM shipped beside provenance.json in every package: a CycloneDX 1.6 JSON document made
 * with the format's maintained library (@cyclonedx/cyclonedx-library), not by hand.
 *
 * metadata.component is the OS package (purl pkg:deb/… or pkg:rpm/…); its one component is the
 * Python distribution it was built from (purl pkg:pypi/name@version, the sdist's sha256), with
 * the upstream evidence that admitted it (signer fingerprints, or the Trusted Publisher with
 * its Rekor log index and integrated time), the trust-policy rule, and the tools that verified
 * and built it, as `py2pkg:` properties (CycloneDX's place for facts its schema has no field
 * for). Reproducible: the serial number is derived from the inputs, the timestamp is
 * SOURCE_DATE_EPOCH, lists are sorted.
 */
import { createHash } from 'node:crypto';
import { canonicalizeName } from '../python/pep508.js';
import type { Provenance, PythonMetadata, Verification } from '../types.js';
import { compareText } from '../text-order.js';

export interface SbomInput {
  metadata: PythonMetadata;
  provenance: Provenance;
  /** the OS package: format, name, full version, architecture, distribution id */
  package: { format: 'deb' | 'rpm'; name: string; version: string; arch: string; distro: string };
  sourceDateEpoch: number;
  /** name -> version of the tools that verified and built it */
  tools: Record<string, string>;
  /** the PEP 517 backend that built the wheel */
  buildBackend?: string;
}

export const SBOM_FILE = 'sbom.cdx.json';

function evidenceProperties(v: Verification, i: number): Array<[string, string]> {
  const k = (s: string) => `py2pkg:evidence:${i}:${s}`;
  const out: Array<[string, string]> = [[k('method'), v.method]];
  switch (v.method) {
    case 'openpgp-detached-signature':
      out.push([k('tool'), v.tool], [k('signature-sha256'), v.signatureSha256]);
      for (const s of v.signers) out.push([k('signer'), `${s.fingerprint}${s.userIds[0] ? ` ${s.userIds[0]}` : ''}`], [k('signed-at'), s.signedAt]);
      break;
    case 'pep740-attestation':
      out.push(
        [k('tool'), v.tool],
        [
          k('publisher'),
          Object.entries(v.publisher)
            .map(([a, b]) => `${a}=${b}`)
            .join(' '),
        ],
        [k('trusted-root-sha256'), v.trustedRoot.sha256],
        [k('provenance-sha256'), v.provenanceSha256],
      );
      for (const a of v.attestations) {
        out.push(
          [k('predicate-type'), a.predicateType],
          [k('certificate-identity'), a.certificate.subjectAlternativeName],
          [k('certificate-issuer'), a.certificate.issuer],
          [k('rekor-log-index'), a.transparencyLog.logIndex],
          [k('rekor-integrated-time'), a.transparencyLog.integratedTime],
          [k('rekor-log-id'), a.transparencyLog.logId],
        );
        if (a.certificate.sourceRepositoryDigest) out.push([k('source-commit'), a.certificate.sourceRepositoryDigest]);
        if (a.certificate.sourceRepositoryRef) out.push([k('source-ref'), a.certificate.sourceRepositoryRef]);
      }
      break;
    case 'pinned-sha256':
      out.push([k('sha256'), v.sha256]);
      break;
    default:
      out.push([k('reason'), v.reason]);
  }
  return out;
}

/** A stable urn:uuid (v4 layout) from the package's identity, so the same inputs give the same bytes. */
function serialNumber(i: SbomInput): string {
  const h = createHash('sha256')
    .update(`${i.package.format}\0${i.package.name}\0${i.package.version}\0${i.package.arch}\0${i.provenance.sdist.sha256}`)
    .digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function makeSbom(i: SbomInput): Promise<string> {
  const CDX = await import('@cyclonedx/cyclonedx-library');
  const { PackageURL } = await import('packageurl-js');
  const { Models, Enums } = CDX;
  const meta = i.metadata;

  const bom = new Models.Bom();
  bom.serialNumber = serialNumber(i);
  bom.metadata.timestamp = new Date(i.sourceDateEpoch * 1000);
  for (const [name, version] of Object.entries(i.tools).sort(([a], [b]) => compareText(a, b))) {
    bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, name, { version }));
  }

  const pypiPurl = new PackageURL('pypi', undefined, canonicalizeName(meta.name), meta.version, undefined, undefined).toString();
  const python = new Models.Component(Enums.ComponentType.Library, meta.name, { version: meta.version, bomRef: pypiPurl, purl: pypiPurl });
  if (meta.summary.trim()) python.description = meta.summary.trim();
  python.hashes.set(Enums.HashAlgorithm['SHA-256'], i.provenance.sdist.sha256);
  if (meta.licenseExpression) python.licenses.add(new Models.LicenseExpression(meta.licenseExpression));
  python.properties.add(new Models.Property('py2pkg:sdist:filename', i.provenance.sdist.filename));
  python.properties.add(new Models.Property('py2pkg:sdist:size', String(i.provenance.sdist.size)));
  python.properties.add(new Models.Property('py2pkg:unsigned', String(i.provenance.unsigned)));
  if (i.buildBackend) python.properties.add(new Models.Property('py2pkg:build:backend', i.buildBackend));
  if (i.provenance.trust) {
    python.properties.add(new Models.Property('py2pkg:trust:rule', i.provenance.trust.rule));
    python.properties.add(new Models.Property('py2pkg:trust:policy', i.provenance.trust.policy));
    if (i.provenance.trust.store) python.properties.add(new Models.Property('py2pkg:trust:store-action', i.provenance.trust.store.action));
  }
  for (const [n, v] of (i.provenance.evidence ?? [i.provenance.verification]).flatMap(evidenceProperties)) python.properties.add(new Models.Property(n, v));
  for (const v of i.provenance.evidence ?? [i.provenance.verification]) {
    if (v.method !== 'pep740-attestation') continue;
    const repo = v.publisher.repository;
    const host = v.publisher.kind === 'github' ? 'https://github.com/' : v.publisher.kind === 'gitlab' ? 'https://gitlab.com/' : undefined;
    if (repo && host)
      python.externalReferences.add(
        new Models.ExternalReference(`${host}${repo}`, Enums.ExternalReferenceType.VCS, {
          comment: 'the Trusted Publisher repository proven by the PEP 740 attestation',
        }),
      );
  }

  const osType = i.package.format === 'deb' ? 'deb' : 'rpm';
  // purl: the namespace is the distribution's vendor, the distro qualifier the release it was built for
  const vendor = i.package.distro.replace(/[\d.]+$/, '') || i.package.distro;
  const osPurl = new PackageURL(osType, vendor, i.package.name, i.package.version, { arch: i.package.arch, distro: i.package.distro }, undefined).toString();
  const os = new Models.Component(Enums.ComponentType.Library, i.package.name, { version: i.package.version, bomRef: osPurl, purl: osPurl });
  bom.metadata.component = os;
  bom.components.add(python);
  os.dependencies.add(python.bomRef);

  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** Check a document against CycloneDX's official JSON schema (bundled with the library; needs ajv). */
export async function validateSbom(json: string): Promise<unknown> {
  const CDX = await import('@cyclonedx/cyclonedx-library');
  return new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(json);
}

/** The tools that verified and built a package, with their versions (for the SBOM). */
export function toolsOf(p: Provenance, py2pkgVersion: string, extra: Record<string, string> = {}): Record<string, string> {
  const tools: Record<string, string> = { py2pkg: py2pkgVersion, 'node.js': process.versions.node, ...extra };
  for (const v of p.evidence ?? [p.verification]) {
    if (v.method !== 'openpgp-detached-signature' && v.method !== 'pep740-attestation') continue;
    const at = v.tool.lastIndexOf(' ');
    if (at > 0) tools[v.tool.slice(0, at)] = v.tool.slice(at + 1);
  }
  return tools;
}
