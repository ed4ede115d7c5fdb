/**
 * One interface every output format implements (nfpm's model: one module per format).
 * A packager takes the staged files and the verified metadata and writes one package file
 * into outDir by atomic rename. It never reads another stage's files except the staging root.
 */
import type { DependencyOptions } from '../deps/options.js';
import type { BuildResult } from '../python/build.js';
import type { TemplateSet } from '../render/templates.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { Provenance, PythonMetadata } from '../types.js';

export interface LicenseText {
  /** file name inside the sdist (e.g. LICENSE) */
  name: string;
  text: string;
}

export interface PackageInput {
  metadata: PythonMetadata;
  provenance: Provenance;
  build: BuildResult;
  target: TargetProfile;
  maintainer: string;
  sourceDateEpoch: number;
  outDir: string;
  licenseTexts: LicenseText[];
  toolVersion: string;
  /** a private temp dir the packager may use */
  workDir: string;
  /** the user's dependency overrides and promoted extras (src/deps/); none when absent */
  dependencies?: DependencyOptions;
  /** the long description as plain text (src/description/); computed by the packager when absent */
  description?: string;
  /** copyright notices from the sdist's source file headers (src/sdist/inspect.ts) */
  sourceNotices?: string[];
  /** the templates to render with (--templates); the built-ins when absent */
  templates?: TemplateSet;
}

export interface PackageOutput {
  format: string;
  path: string;
  packageName: string;
  version: string;
  /** the `<pkg>-dbgsym` .deb built beside an architecture-specific one (src/formats/deb-dbgsym.ts) */
  debugSymbols?: PackageOutput;
  /** what the user should know about the package (a module without a build id) */
  notes?: string[];
}

export interface Packager {
  readonly format: 'deb' | 'rpm';
  /** the output file name for a package (pure) */
  fileName(metadata: PythonMetadata, target: TargetProfile): string;
  build(input: PackageInput): Promise<PackageOutput>;
  /** compile the templates `build` renders, ahead of it (while the sandboxed build runs) */
  warm(templates: TemplateSet): Promise<void>;
}

/** provenance.json and the CycloneDX SBOM, side by side in the package's documentation directory. */
export async function writeProvenanceDocs(
  docDir: string,
  input: PackageInput,
  pkg: { format: 'deb' | 'rpm'; name: string; version: string; arch: string },
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { makeSbom, toolsOf, SBOM_FILE } = await import('../sbom/cyclonedx.js');
  await fs.writeFile(path.join(docDir, 'provenance.json'), `${JSON.stringify(input.provenance, null, 2)}\n`);
  const sbom = await makeSbom({
    metadata: input.metadata,
    provenance: input.provenance,
    package: { ...pkg, distro: input.target.id },
    sourceDateEpoch: input.sourceDateEpoch,
    tools: toolsOf(input.provenance, input.toolVersion),
    buildBackend: input.build.buildSystem.backend,
  });
  await fs.writeFile(path.join(docDir, SBOM_FILE), sbom);
}
