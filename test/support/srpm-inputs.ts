/**
 * Real pipeline outputs for the SRPM tests: a fixture sdist verified against the TEST-ONLY
 * upstream key, unpacked, inspected and built in the sandbox by py2pkg's own stages, its SBOM
 * made by the product's SBOM code — everything an SrpmRequest carries.
 */
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { longDescription } from '../../src/description/index.js';
import { importNamesOf, srpmName } from '../../src/formats/source/srpm-data.js';
import type { SrpmRequest } from '../../src/formats/source/srpm-types.js';
import { sha256File } from '../../src/pipeline.js';
import { buildStage } from '../../src/python/build.js';
import { makeSbom, toolsOf } from '../../src/sbom/cyclonedx.js';
import { inspectSource, mergeWheelMetadata } from '../../src/sdist/inspect.js';
import { unpackSdist } from '../../src/sdist/unpack.js';
import { profiles } from '../../src/targets/profiles.js';
import { verifyDetachedSignature } from '../../src/trust/verify.js';
import { rpmEVR } from '../../src/formats/rpm-data.js';
import { upstreamPub } from './project.js';
import { TEST_EPOCH, TEST_MAINTAINER } from './fixture-debs.js';

/** The SrpmRequest for `sdist` (its .asc beside it) and target el9, built into `work`; outDir and signer left to the test. */
export async function srpmInputs(sdist: string, work: string): Promise<Omit<SrpmRequest, 'outDir' | 'workDir'>> {
  const target = profiles.el9!;
  const epoch = Number(TEST_EPOCH);
  const stat = await import('node:fs/promises').then((fs) => fs.stat(sdist));
  const local = { path: sdist, filename: basename(sdist), sha256: await sha256File(sdist), size: stat.size };
  const provenance = await verifyDetachedSignature({ sdist: local, signaturePath: `${sdist}.asc`, trustedKeysPath: upstreamPub, sourceDateEpoch: epoch });
  const unpackDir = join(work, 'unpack');
  await mkdir(unpackDir, { recursive: true });
  const unpacked = await unpackSdist(sdist, unpackDir);
  const source = await inspectSource(unpacked.root, local.filename);
  const buildDir = await mkdtemp(join(work, 'build-'));
  const built = await buildStage({ sourceRoot: unpacked.root, workDir: buildDir, target, sourceDateEpoch: epoch, timeoutMs: 10 * 60_000, allowCompiled: true });
  const metadata = mergeWheelMetadata(source.metadata, built.wheelMetadata);
  const pgp = provenance.verification.method === 'openpgp-detached-signature' ? provenance.verification : undefined;
  if (!pgp) throw new Error('fixture not PGP-verified');
  const evr = rpmEVR(metadata, target);
  const sbomJson = await makeSbom({
    metadata,
    provenance,
    package: { format: 'rpm', name: srpmName({ metadata, target }), version: `${evr.version}-${evr.release}`, arch: 'src', distro: target.id },
    sourceDateEpoch: epoch,
    tools: toolsOf(provenance, '0.1.0'),
    buildBackend: built.buildSystem.backend,
  });
  return {
    metadata,
    sdist: { path: sdist, filename: local.filename, sha256: local.sha256 },
    sdistTopDir: basename(unpacked.root),
    evidence: { kind: 'pgp', signaturePath: `${sdist}.asc`, keyFiles: [upstreamPub], fingerprints: [...new Set(pgp.signers.map((s) => s.fingerprint))] },
    provenance,
    provenanceJson: `${JSON.stringify(provenance, null, 2)}\n`,
    sbomJson,
    target,
    compiled: !built.pure,
    licenseTexts: source.licenseTexts,
    docFiles: await readdir(unpacked.root),
    description: (await longDescription(metadata)).text,
    buildBackend: built.buildSystem.backend,
    importNames: importNamesOf(
      built.files.map((f) => f.path),
      target.siteDir,
    ),
    consoleScripts: built.consoleScripts,
    maintainer: TEST_MAINTAINER,
    sourceDateEpoch: epoch,
    toolVersion: '0.1.0',
  };
}

export const scratch = (prefix: string) => mkdtemp(join(tmpdir(), prefix));
