/**
 * The build stage: sdist source tree -> wheel (python3 -m build, in the sandbox) -> staging
 * root laid out the target's way (installer library, in the sandbox) -> cleaned file list.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Py2pkgError, singleLine } from '../errors.js';
import { PYTHON, pythonHelpersDir } from '../paths.js';
import { METADATA_LIMITS, readBoundedText } from '../sdist/read-limits.js';
import { describeHost } from '../targets/host.js';
import type { TargetProfile } from '../targets/profiles.js';
import { BWRAP, runSandboxed, type SandboxSpec } from './sandbox.js';
import { fixStagedShebangs } from './shebangs.js';
import { backendPackage, debianPackageForBuildRequirement, detectBuildSystem, type BuildSystem } from './backends.js';
import { buildDependsMessage, missingDebianPackages } from './build-depends.js';
import { installedDistributions, moduleExists, requirementName, sitePaths } from './installed.js';
import { defaultMarkerEnvironment, evaluateMarker, parseRequirement } from './pep508.js';

export interface BuildInput {
  /** the unpacked sdist's top-level directory (will be copied, never modified) */
  sourceRoot: string;
  /** a private, empty temp directory this stage may use */
  workDir: string;
  target: TargetProfile;
  sourceDateEpoch: number;
  timeoutMs: number;
  /**
   * Whether compiled extension modules may ship: only for a target whose system is the one
   * the build runs on (compiledTargetRefusal). Otherwise a build that produced them is refused.
   */
  allowCompiled?: boolean;
  /** called once the sandboxed build process runs: node is idle until it ends */
  onStarted?: () => void;
}

export interface BuiltFile {
  /** absolute path in the package, e.g. /usr/bin/slugger */
  path: string;
  size: number;
  mode: number;
}

export interface BuildResult {
  /** the staging root: files sit at their final paths below it */
  stagingRoot: string;
  wheelFile: string;
  /** text of the installed .dist-info/METADATA */
  wheelMetadata: string;
  /** path of the .dist-info directory inside the package */
  distInfoDir: string;
  /** the built wheel is py3-none-any, Root-Is-Purelib and holds no shared object */
  pure: boolean;
  /** package paths of the shared objects (extension modules) the wheel installed */
  extensionModules: string[];
  consoleScripts: string[];
  files: BuiltFile[];
  buildSystem: BuildSystem;
  /** combined build log (for --debug) */
  log: string;
}

interface InstallSummary {
  distribution: string;
  version: string;
  wheel: string;
  entry_points: string;
}

export async function buildStage(input: BuildInput): Promise<BuildResult> {
  if (!existsSync(BWRAP))
    throw new Py2pkgError('TOOL_MISSING', 'bubblewrap is not installed (/usr/bin/bwrap), the build sandbox needs it: apt-get install bubblewrap');
  if (!existsSync(PYTHON)) throw new Py2pkgError('TOOL_MISSING', `${PYTHON} is not installed: apt-get install python3`);

  const buildSystem = await detectBuildSystem(input.sourceRoot);
  checkBuildDependencies(buildSystem);

  const box = join(input.workDir, 'box');
  await mkdir(join(box, 'home'), { recursive: true, mode: 0o700 });
  await mkdir(join(box, 'wheel'), { recursive: true });
  await mkdir(join(box, 'staging'), { recursive: true });
  // the build writes into its tree (build/, *.egg-info): give it a copy
  await cp(input.sourceRoot, join(box, 'src'), { recursive: true, verbatimSymlinks: true });

  const spec: SandboxSpec = {
    buildDir: box,
    cwd: '/build/src',
    pythonVersion: BUILD_PYTHON_VERSION,
    readOnly: [[pythonHelpersDir(), '/py2pkg']],
    env: { SOURCE_DATE_EPOCH: String(input.sourceDateEpoch) },
  };
  // One sandboxed process: the `build` library (what `python3 -m build --wheel --no-isolation
  // --skip-dependency-check` runs) builds the wheel, then the `installer` library lays it out.
  // The dependency check is skipped because build's walks the backends' *transitive*
  // requirements and Debian 12 does not package some (hatchling's `editables`, needed only
  // for editable installs); checkBuildDependencies checks the direct ones and names the
  // Debian package to install.
  const built = await runSandboxed(
    spec,
    [
      PYTHON,
      '-I',
      '/py2pkg/build_wheel.py',
      '/build/src',
      '/build/wheel',
      '/build/staging',
      input.target.siteDir,
      input.target.scriptsDir,
      input.target.pythonVersion,
      '/build/summary.json',
    ],
    { timeoutMs: input.timeoutMs, check: false, onSpawn: input.onStarted },
  );
  const wheels = (await readdir(join(box, 'wheel'))).filter((f) => f.endsWith('.whl'));
  const wheelName = wheels[0];
  if (built.exitCode !== 0) {
    const lines = `${built.stdout}\n${built.stderr}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const errLine = [...lines].reverse().find((l) => /error/i.test(l)) ?? lines[lines.length - 1] ?? '';
    throw new Py2pkgError('BUILD_FAILED', `building the wheel failed: ${singleLine(errLine, 200)}`, { detail: `${built.stdout}\n${built.stderr}` });
  }
  if (wheelName === undefined || wheels.length !== 1) throw new Py2pkgError('BUILD_FAILED', `the build produced ${wheels.length} wheels, expected one`);
  let summary: InstallSummary;
  try {
    // it carries the wheel's WHEEL and entry_points.txt, which the project's build code wrote
    const text = await readBoundedText(join(box, 'summary.json'), METADATA_LIMITS.installSummary, 'the install summary');
    summary = JSON.parse(text ?? '') as InstallSummary;
  } catch (e) {
    if (e instanceof Py2pkgError) throw e;
    throw new Py2pkgError('BUILD_FAILED', 'installing the wheel into the staging root gave no summary', { cause: e, detail: built.stderr });
  }
  const stagingRoot = join(box, 'staging');
  await cleanStaging(stagingRoot, input.target.siteDir);
  let files = await listFiles(stagingRoot);
  // pure or compiled is what the build produced, whatever setup.py seemed to declare
  const extensionModules = files.map((f) => f.path).filter((p) => SHARED_OBJECT.test(p));
  const pureTag = PURE_WHEEL_TAG.test(wheelName);
  const purelib = /^Root-Is-Purelib:\s*true\s*$/im.test(summary.wheel);
  const pure = pureTag && purelib && extensionModules.length === 0;
  if (!pure && !input.allowCompiled) {
    const what =
      extensionModules[0] !== undefined
        ? `extension module ${singleLine(extensionModules[0].split('/').pop() ?? '', 100)}`
        : pureTag
          ? 'Root-Is-Purelib: false'
          : `wheel ${singleLine(wheelName, 100)}`;
    throw new Py2pkgError('UNSUPPORTED_EXTENSION', compiledTargetRefusal(input.target, what));
  }
  const distInfo = files
    .map((f) => f.path)
    .find((p) => p.startsWith(`${input.target.siteDir}/`) && /^[^/]+\.dist-info\/METADATA$/.test(p.slice(input.target.siteDir.length + 1)));
  if (!distInfo) throw new Py2pkgError('BUILD_FAILED', 'the installed wheel has no .dist-info/METADATA');
  // module shebangs removed, interpreter lines /usr/bin/python3, RECORD kept true (shebangs.ts)
  if ((await fixStagedShebangs(stagingRoot, files, input.target.siteDir, input.target.scriptsDir, distInfo.replace(/\/METADATA$/, ''))).size > 0) {
    files = await listFiles(stagingRoot);
  }
  // written by the project's own build code: as hostile as PKG-INFO, bounded the same way
  const wheelMetadata = await readBoundedText(join(stagingRoot, distInfo), METADATA_LIMITS.coreMetadata, "the built wheel's METADATA");
  if (wheelMetadata === undefined) throw new Py2pkgError('BUILD_FAILED', 'the installed wheel has no .dist-info/METADATA');

  return {
    stagingRoot,
    wheelFile: join(box, 'wheel', wheelName),
    wheelMetadata,
    distInfoDir: distInfo.replace(/\/METADATA$/, ''),
    pure,
    extensionModules,
    consoleScripts: parseConsoleScripts(summary.entry_points),
    files,
    buildSystem,
    log: `${built.stdout}\n${built.stderr}`,
  };
}

const PURE_WHEEL_TAG = /-(py3|py2\.py3|py3\.py2)-none-any\.whl$/;
const SHARED_OBJECT = /\.(so|pyd|dylib)(\.|$)/;

/** The one line refusing a compiled build for a target py2pkg cannot build binaries for. */
export function compiledTargetRefusal(target: TargetProfile, what: string): string {
  return `the build produced compiled code (${what}): binary packages of compiled extensions are built only for the deb target matching this machine (${describeHost()}, Python ${BUILD_PYTHON_VERSION}), not for ${target.id}; --source writes a source package its build farm builds`;
}

/** Which console_scripts / gui_scripts an entry_points.txt declares (names only). */
export function parseConsoleScripts(text: string): string[] {
  const names: string[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      continue;
    }
    if (section === 'console_scripts' || section === 'gui_scripts') {
      const name = line.split('=')[0]?.trim();
      if (name) names.push(name);
    }
  }
  return names.sort();
}

/** The Python that runs builds: the host's (Debian 12: 3.11), whatever the target's is. */
export const BUILD_PYTHON_VERSION = '3.11';

/** What every C extension's build needs: the compiler and the build Python's headers. */
export const COMPILER_PACKAGES: readonly string[] = ['gcc', 'python3-dev'];

/**
 * The Debian packages a C extension's build needs that are not installed: the compiler the
 * sandbox finds on its PATH and the build Python's headers.
 */
export function missingCompilerPackages(exists: (path: string) => boolean = existsSync): string[] {
  const missing: string[] = [];
  if (!exists('/usr/bin/gcc') && !exists('/usr/bin/cc')) missing.push('gcc');
  if (!exists(`/usr/include/python${BUILD_PYTHON_VERSION}/Python.h`)) missing.push('python3-dev');
  return missing;
}

/** Debian packages a compiled build needs besides the backend (src/python/build-depends.ts). */
export interface SystemBuildDepends {
  project: string;
  packages: readonly string[];
  from: 'config' | 'default' | 'none';
}

/**
 * Before the build: the Debian packages a compiled build needs (the project's -dev libraries,
 * the compiler, the Python headers) checked with dpkg-query; when some are missing, one line
 * names them and the backend's missing packages in one apt-get install command.
 */
export async function checkSystemBuildDepends(sourceRoot: string, sys: SystemBuildDepends, paths?: readonly string[]): Promise<void> {
  if (sys.packages.length === 0) return;
  const missing = await missingDebianPackages(sys.packages);
  if (missing.length === 0) return;
  const backend = missingBackendPackages(await detectBuildSystem(sourceRoot), paths);
  throw new Py2pkgError('BUILD_DEPENDS_MISSING', buildDependsMessage(sys.project, [...new Set([...missing, ...backend.packages])], sys.from));
}

/** The backend and each direct build requirement whose marker holds must be installed. */
export function checkBuildDependencies(bs: BuildSystem, paths: readonly string[] = sitePaths(BUILD_PYTHON_VERSION)): void {
  const m = missingBackendPackages(bs, paths);
  if (m.message !== undefined) throw new Py2pkgError('BACKEND_MISSING', m.message);
}

/** What of the backend and its direct requirements is missing: the message and the Debian packages. */
export function missingBackendPackages(bs: BuildSystem, paths: readonly string[] = sitePaths(BUILD_PYTHON_VERSION)): { message?: string; packages: string[] } {
  if (!moduleExists(bs.backend, paths)) {
    const pkg = backendPackage(bs.backend);
    return { message: `the build backend ${singleLine(bs.backend, 80)} is not installed${pkg ? `: apt-get install ${pkg}` : ''}`, packages: pkg ? [pkg] : [] };
  }
  const installed = installedDistributions(paths);
  const env = defaultMarkerEnvironment(`${BUILD_PYTHON_VERSION}.2`);
  const missing: string[] = [];
  for (const req of bs.requires) {
    let name: string | undefined;
    try {
      const parsed = parseRequirement(req);
      if (parsed.marker !== undefined && !evaluateMarker(parsed.marker, env)) continue;
      name = parsed.normalizedName;
    } catch {
      name = requirementName(req);
    }
    if (name && !installed.has(name)) missing.push(name);
  }
  if (missing.length === 0) return { packages: [] };
  const pkgs = missing.map(debianPackageForBuildRequirement);
  return { message: `build requirements not installed: ${singleLine(missing.join(', '), 120)}: apt-get install ${pkgs.join(' ')}`, packages: pkgs };
}

/** Remove what must not ship (bytecode, installer records) and normalise modes. */
async function cleanStaging(root: string, siteDir: string): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '__pycache__') {
          await rm(full, { recursive: true, force: true });
          continue;
        }
        await walk(full);
      } else if (/\.py[co]$/.test(entry.name)) {
        await rm(full, { force: true });
      } else if (/\.dist-info$/.test(dir) && (entry.name === 'INSTALLER' || entry.name === 'direct_url.json' || entry.name === 'REQUESTED')) {
        await rm(full, { force: true });
      }
    }
  };
  await walk(root);
  // nothing may be installed outside the places a pure package owns
  for (const f of await listFiles(root)) {
    if (!(f.path.startsWith(`${siteDir}/`) || f.path.startsWith('/usr/bin/') || f.path.startsWith('/usr/share/'))) {
      throw new Py2pkgError('UNSUPPORTED_EXTENSION', `the wheel installs ${singleLine(f.path, 120)}, outside the site directory, /usr/bin and /usr/share`);
    }
  }
}

export async function listFiles(root: string): Promise<BuiltFile[]> {
  const out: BuiltFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const st = await stat(full);
        out.push({ path: `/${relative(root, full)}`, size: st.size, mode: st.mode & 0o7777 });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
