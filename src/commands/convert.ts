/** `py2pkg [convert] <sdist|requirement>`: [resolve -> fetch ->] verify -> unpack -> inspect -> build -> package. */
import { Option, type Command } from 'commander';
import type { BatchFlags } from '../batch/command.js';
import { Py2pkgError } from '../errors.js';
import type { Settings } from '../settings.js';
import type { CommandContext, Io } from './context.js';

export const CONVERT_EXAMPLES = `
Examples:
  # verify, build and package a signed sdist (rpc4django-0.6.3.tar.gz.asc beside it)
  py2pkg ./rpc4django-0.6.3.tar.gz --format deb --trusted-keys upstream-signers.asc --out out/

  # the signature is elsewhere
  py2pkg ./pkg-1.0.tar.gz --signature ./pkg-1.0.tar.gz.sig --trusted-keys keys.gpg

  # by name: the newest sdist on the index, checked against its sha256, then its signature
  py2pkg rpc4django --format deb --trusted-keys upstream-signers.asc
  py2pkg 'rpc4django>=0.6,<0.7' --index-url https://pypi.internal/simple/ --cert corp-ca.pem
  py2pkg rpc4django==0.6.3 --find-links ./wheelhouse --offline

  # PEP 740: the index's provenance (PyPI's Integrity API) checked against the publisher you pin
  py2pkg sampleproject --trust-policy trust.toml      # [trust.project.sampleproject] publisher = {...}
  py2pkg ./pkg-1.0.tar.gz --provenance pkg-1.0.tar.gz.provenance --trust-default tofu

  # no upstream signature exists: convert anyway, recorded as unsigned in the package
  py2pkg ./pkg-1.0.tar.gz --allow-unsigned --maintainer 'Ops Team <ops@example.org>'

  # signed with the organization's key and published into a signed Apt repository
  py2pkg ./rpc4django-0.6.3.tar.gz --trusted-keys upstream.asc --sign-key org-repo.sec.asc --repo /srv/apt

  # an RPM for RHEL 9 (py2pkg targets lists every profile)
  py2pkg ./rpc4django-0.6.3.tar.gz --format rpm --target el9 --trusted-keys upstream-signers.asc

  # the reST extra's requirements (docutils) as Depends instead of Suggests
  py2pkg ./rpc4django-0.6.3.tar.gz --trusted-keys upstream-signers.asc --with-extras reST

  # a batch: several inputs, two at a time; then a requirements file with pip's --hash lines
  py2pkg ./a-1.0.tar.gz b==2.1 'c>=3' -j 2 --out out/
  py2pkg -r requirements.txt -j 2 --sign-key org.sec.asc --repo /srv/apt   # writes ./py2pkg.lock
  py2pkg --locked --out out/          # exactly what py2pkg.lock records, or exit 14

  # a project and whatever of its tree Debian 12 lacks: the plan first, then only that
  py2pkg --recursive 'myapp[web]>=2' --dry-run
  py2pkg --recursive myapp --archive-url https://deb.debian.org/debian --repo /srv/apt --sign-key org.sec.asc

Exit statuses: 0 ok, 1 internal error, 2 usage, 3 signature/trust, 4 unsafe or malformed
input, 5 unsupported project, 6 project build failed, 7 external tool missing/failed,
8 index or network failure, 9 no such project or no matching sdist on the index,
13 the repository refused the package (--repo), 14 --locked: drift from the lock.
A batch exits with its worst status: 3, 4, 11, 12, 10, 1, 14, 13, 7, 8, 6, 5, 9, 2 (first wins).
`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerConvert(program: Command, { io }: CommandContext): void {
  program
    .command('convert', { isDefault: true })
    .description('verify, build and package an sdist (the default command)')
    .argument(
      '[sdist|requirement...]',
      "path of the sdist (.tar.gz or .zip), or a requirement resolved on the index (name, name==1.2, 'name>=1,<2'); several make a batch",
    )
    .option('-r, --requirement <file>', 'convert what a requirements file lists (name==version, paths, --hash, -r; repeatable)', collect, [])
    .option('-j, --jobs <n>', 'batch: at most this many conversions at a time (default 1)')
    .option('--fail-fast', 'batch: start no new conversion after one failed')
    .option('--no-cache', 'build even when the build cache holds this package')
    .option('--lock <file>', 'batch: write (or with --locked read) this lock file (default ./py2pkg.lock; written after a successful batch with -r or --lock)')
    .option('--locked', 'reproduce exactly what the lock records; refuse any drift (exit 14)')
    .option('--recursive', 'also convert the requirement tree, reusing what the target archive has (the plan is printed first)')
    .option('--dry-run', '--recursive: print the plan only')
    .option(
      '--archive-url <url>',
      "--recursive: the target archive to ask (Debian mirror or Yum repository, http(s) or file://; repeatable; default: this host's apt lists when it is the target, else the profile's data)",
      collect,
      [],
    )
    .addOption(new Option('-f, --format <format>', "output format (default: the target's, else deb)").choices(['deb', 'rpm']))
    .option('-t, --target <profile>', 'target distribution profile, see py2pkg targets (default: debian12 for deb, el9 for rpm)')
    .option('-k, --trusted-keys <file>', 'OpenPGP public keys of the upstream signers you pinned (armored or binary)')
    .option('-s, --signature <file>', 'detached signature of the sdist (default: <sdist>.asc)')
    .option('--provenance <file>', 'PEP 740 provenance object (or attestation) of a local sdist (default: <sdist>.provenance)')
    .option('--trust-policy <file>', 'trust policy (TOML [trust] table; default: the config file\'s [trust], else "any")')
    .addOption(new Option('--trust-default <rule>', 'the rule for projects the policy does not name').choices(['any', 'tofu', 'none', 'unsigned']))
    .option('--trust-store <file>', 'trust-on-first-use store (default: $XDG_CONFIG_HOME/py2pkg/trust-store.toml)')
    .option('--trusted-root <file>', 'Sigstore trusted root for PEP 740 attestations (default: the shipped public-good root)')
    .option('--allow-unsigned', 'convert without checking any upstream evidence; recorded as unsigned in the package')
    .option('-o, --out <dir>', 'directory for the package (default: current directory)')
    .option('-m, --maintainer <"Name <email>">', 'Maintainer field (default: config, then DEBFULLNAME/DEBEMAIL)')
    .option('-c, --config <file>', 'config file (default: $XDG_CONFIG_HOME/py2pkg/config.toml, /etc/py2pkg/config.toml)')
    .option('--build-timeout <seconds>', 'kill the sandboxed build after this long (default 900)')
    .option('--with-extras <extras>', "make these extras' requirements hard dependencies instead of Suggests (comma-separated, repeatable)", collect, [])
    .option('--templates <dir>', 'a directory whose deb/*.hbs and rpm/*.hbs replace the built-in templates (see py2pkg templates export)')
    .option('--max-unpacked-size <MiB>', 'refuse sdists that expand past this size (default 512)')
    .option('--index-url <url>', 'simple-API index (default: $PY2PKG_INDEX_URL, $PIP_INDEX_URL, https://pypi.org/simple/)')
    .option('--extra-index-url <url>', 'another index to look in (repeatable; default: $PIP_EXTRA_INDEX_URL)', collect, [])
    .option('--find-links <dir|url>', 'a directory or page of links to look in too (repeatable)', collect, [])
    .option('--offline', 'no network: index pages and files from the cache ($XDG_CACHE_HOME/py2pkg) and local locations only')
    .option('--pre', 'consider pre-releases and development releases')
    .option('--allow-no-hash', 'download a file the index publishes no sha256 for (the signature check still applies)')
    .option('--cert <file>', 'CA bundle (PEM) for HTTPS to the index (default: $SSL_CERT_FILE, $REQUESTS_CA_BUNDLE)')
    .option('--sign-key <file>', "sign the package with the organization's OpenPGP secret key file (see py2pkg publish --help)")
    .option('--passphrase-file <file>', "file whose first line is the key's passphrase (or set PY2PKG_PASSPHRASE)")
    .option('--gpg-key <fingerprint>', 'sign with this key from gpg-agent / a smartcard instead of a key file')
    .option('--repo <dir>', 'then publish the signed package into this Apt/Yum repository')
    .option('--suite <name>', 'Apt suite for --repo (default: stable)')
    .option('--component <name>', 'Apt component for --repo (default: main)')
    .option('--origin <text>', 'Origin of the Apt repository (default: py2pkg)')
    .option('--label <text>', 'Label of the repository (default: its directory name)')
    .option('--valid-for <days>', 'Valid-Until of the Apt repository, in days from now')
    .option('--repo-url <url>', 'where clients fetch --repo, for its .sources/.repo snippet')
    .option('--replace', 'let the same name and version with other contents replace the published one')
    .option('--json', 'print the result as JSON on stdout')
    .option('-q, --quiet', 'no progress messages')
    .option('--keep-temp', 'keep the private temp directory (for debugging)')
    .option('--debug', 'stack traces and tool output on errors')
    .option(
      '--source',
      'write a source package for build farms instead (deb: a signed 3.0 (quilt) .dsc with the sdist as .orig; rpm: a signed SRPM; see docs/build-farms.md)',
    )
    .addHelpText('after', CONVERT_EXAMPLES)
    .action(async (inputs: string[], flags: BatchFlags & { recursive?: boolean; dryRun?: boolean; archiveUrl?: string[] }) => {
      if (flags.recursive) return (await import('../recursive/command.js')).runRecursiveCommand(inputs, flags, io);
      if (flags.dryRun || (flags.archiveUrl?.length ?? 0) > 0) throw new Py2pkgError('USAGE', '--dry-run and --archive-url go with --recursive');
      const batch = await import('../batch/command.js');
      if (batch.isBatch(inputs, flags)) {
        if ((flags as { source?: boolean }).source) throw new Py2pkgError('USAGE', '--source converts one sdist at a time (no batches yet)');
        return batch.runBatchCommand(inputs, flags, io);
      }
      const input = inputs[0] as string;
      const { resolveSettings, DEFAULT_MAINTAINER } = await import('../settings.js');
      const { convert } = await import('../pipeline.js');
      const settings = await resolveSettings(input, flags);
      if (settings.sourcePackage) return runSource(settings, io);
      const progress = settings.quiet || settings.json ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
      if (settings.maintainer === DEFAULT_MAINTAINER && !settings.quiet) {
        io.err(`py2pkg: warning: no maintainer configured, using "${DEFAULT_MAINTAINER}"; pass --maintainer for packages you publish\n`);
      }
      const warn = settings.quiet ? () => {} : (m: string) => io.err(`py2pkg: warning: ${m}\n`);
      const live = process.stderr.isTTY && !settings.quiet && !settings.json ? io.err : undefined;
      // a trust-on-first-use pin is shown even with --quiet: someone must see it
      const notify = (m: string) => io.err(`py2pkg: ${m}\n`);
      const { BuildCache } = await import('../cache/build-cache.js');
      const { defaultCacheDir } = await import('../source/cache.js');
      const buildCache =
        flags.cache === false || /^(1|true|yes|on)$/i.test(process.env.PY2PKG_NO_CACHE ?? '')
          ? undefined
          : new BuildCache(settings.source?.cacheDir ?? defaultCacheDir(process.env));
      const result = await convert(settings, progress, { warn, notify, ...(live ? { live } : {}), ...(buildCache ? { buildCache } : {}) });
      if (settings.json) {
        io.out(
          `${JSON.stringify({ package: result.output, name: result.name, version: result.version, cached: result.cached ?? false, provenance: result.provenance }, null, 2)}\n`,
        );
      } else {
        // the package, then its -dbgsym companion when one was built
        io.out(`${result.output.path}\n${result.output.debugSymbols ? `${result.output.debugSymbols.path}\n` : ''}`);
      }
    });
}

/** --source: the source package's files on stdout (the .dsc first), or the result as JSON. */
async function runSource(settings: Settings, io: Io): Promise<void> {
  const { convertSource } = await import('../pipeline-source.js');
  const progress = settings.quiet || settings.json ? () => {} : (m: string) => io.err(`py2pkg: ${m}\n`);
  const warn = settings.quiet ? () => {} : (m: string) => io.err(`py2pkg: warning: ${m}\n`);
  const notify = (m: string) => io.err(`py2pkg: ${m}\n`);
  const result = await convertSource(settings, progress, { warn, notify });
  if (settings.json)
    io.out(`${JSON.stringify({ source: result.output, name: result.name, version: result.version, provenance: result.provenance }, null, 2)}\n`);
  else io.out(`${[result.output.path, ...result.output.files.map((f) => f.path).filter((p) => p !== result.output.path)].join('\n')}\n`);
}
