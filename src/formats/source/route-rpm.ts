/**
 * The SRPM route of --source: the pipeline's SourceContext turned into the SRPM builder's request
 * (srpm.ts). The evidence kind decides the Sources: PGP ships the signature and a minimal keyring
 * for %gpgverify, PEP 740 ships no keyring, unsigned ships neither.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { rpmEVR } from '../rpm-data.js';
import { makeSbom, toolsOf } from '../../sbom/cyclonedx.js';
import { openSigner } from '../../sign/signer.js';
import { buildSourceRpm } from './srpm.js';
import { srpmName } from './srpm-data.js';
import type { SrpmEvidence } from './srpm-types.js';
import type { SourceContext, SourceOutput } from './types.js';
import { verifyingFingerprints } from './upstream-key.js';

function evidenceOf(ctx: SourceContext): SrpmEvidence {
  const fingerprints = verifyingFingerprints(ctx.provenance);
  if (fingerprints.length > 0 && ctx.signaturePath !== undefined) {
    return { kind: 'pgp', signaturePath: ctx.signaturePath, keyFiles: ctx.pinnedKeyFiles, fingerprints };
  }
  const methods = [ctx.provenance.verification.method, ...(ctx.provenance.evidence ?? []).map((e) => e.method)];
  return methods.some((m) => m.startsWith('pep740')) ? { kind: 'pep740' } : { kind: 'none' };
}

export async function buildRpmSource(ctx: SourceContext): Promise<SourceOutput> {
  const evr = rpmEVR(ctx.metadata, ctx.target);
  const name = srpmName({ metadata: ctx.metadata, target: ctx.target });
  const sbomJson = await makeSbom({
    metadata: ctx.metadata,
    provenance: ctx.provenance,
    package: { format: 'rpm', name, version: `${evr.version}-${evr.release}`, arch: 'src', distro: ctx.target.id },
    sourceDateEpoch: ctx.sourceDateEpoch,
    tools: toolsOf(ctx.provenance, ctx.toolVersion),
    buildBackend: ctx.buildSystem.backend,
  });
  const signer = ctx.signer ? await openSigner(ctx.signer.spec) : undefined;
  try {
    if (signer) ctx.progress(`rpmbuild -bs ${name}, signed with ${signer.key.fingerprint}`);
    const { files } = await buildSourceRpm({
      metadata: ctx.metadata,
      sdist: { path: ctx.sdist.path, filename: ctx.sdist.filename, sha256: ctx.sdist.sha256 },
      sdistTopDir: ctx.sdistTopDir,
      evidence: evidenceOf(ctx),
      provenance: ctx.provenance,
      provenanceJson: `${JSON.stringify(ctx.provenance, null, 2)}\n`,
      sbomJson,
      target: ctx.target,
      ...(signer ? { signer } : {}),
      outDir: ctx.outDir,
      workDir: ctx.workDir,
      compiled: ctx.compiled,
      licenseTexts: ctx.licenseTexts,
      docFiles: ctx.docFiles,
      description: ctx.description,
      buildBackend: ctx.buildSystem.backend,
      importNames: ctx.importNames,
      consoleScripts: ctx.scripts,
      maintainer: ctx.maintainer,
      sourceDateEpoch: ctx.sourceDateEpoch,
      toolVersion: ctx.toolVersion,
      ...(ctx.index && /^https?:\/\//.test(ctx.index.fileUrl) && !/\/\/[^/]*@/.test(ctx.index.fileUrl) ? { sourceUrl: ctx.index.fileUrl } : {}),
    });
    const out = await Promise.all(
      files.map(async (path) => ({
        path,
        role: 'srpm',
        sha256: createHash('sha256')
          .update(await readFile(path))
          .digest('hex'),
      })),
    );
    const main = out[0];
    if (!main) throw new Error(`rpmbuild wrote no SRPM for ${basename(ctx.sdist.filename)}`);
    return {
      format: 'rpm',
      sourceName: name,
      version: `${evr.version}-${evr.release}`,
      path: main.path,
      files: out,
      ...(signer ? { signedBy: signer.key.fingerprint } : {}),
    };
  } finally {
    await signer?.close();
  }
}
