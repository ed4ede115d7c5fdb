/** `py2pkg outdated [REPO] [--lock FILE] [--osv FILE|DIR|URL]`: what a repository or a lock holds that is behind, yanked or vulnerable. */
import { Option, type Command } from 'commander';
import type { CommandContext } from './context.js';

export const OUTDATED_EXAMPLES = `
Examples:
  py2pkg outdated /srv/apt --index-url https://pypi.internal/simple/ --osv PyPI-all.zip
  py2pkg outdated --lock py2pkg.lock --osv https://api.osv.dev --json
  py2pkg outdated /srv/yum --find-links ./sdists --osv ./osv-records/

For each packaged release: the newest release on the index the trust policy could admit (the
evidence it pins is offered: signature, provenance, reviewed sha256), whether the packaged
release is yanked (PEP 592), and the OSV advisories that affect the packaged version. With a
repository, the findings are also written to REPO/.py2pkg/outdated.json for its index.html.

Exit statuses: 0 nothing needs a security update, 15 a packaged version has a known
vulnerability and a fixed release the policy admits is on the index (SECURITY_UPDATE),
4 malformed OSV data (OSV_INVALID) or index page, 8 index or OSV API unreachable, 2 usage.
`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerOutdated(program: Command, { io }: CommandContext): void {
  program
    .command('outdated')
    .description('report newer admitted releases, yanked releases and known vulnerabilities for a repository or a lock')
    .argument('[repo]', 'a repository directory py2pkg publish made (Apt or Yum)')
    .option('--lock <file>', 'check what py2pkg.lock records instead of a repository')
    .option('--osv <file|dir|url>', "OSV data: the PyPI export (all.zip), a directory of records, one record, or the query API's URL")
    .option('--index-url <url>', 'simple-API index (default: $PY2PKG_INDEX_URL, $PIP_INDEX_URL, https://pypi.org/simple/)')
    .option('--extra-index-url <url>', 'another index to look in (repeatable)', collect, [])
    .option('--find-links <dir|url>', 'a directory or page of links to look in too (repeatable)', collect, [])
    .option('--pre', 'consider pre-releases and development releases')
    .option('--cert <file>', 'CA bundle (PEM) for HTTPS to the index and the OSV API')
    .option('--trust-policy <file>', 'trust policy (TOML [trust] table; default: the config file\'s [trust], else "any")')
    .addOption(new Option('--trust-default <rule>', 'the rule for projects the policy does not name').choices(['any', 'tofu', 'none', 'unsigned']))
    .option('-c, --config <file>', 'config file (its [trust] table)')
    .option('--json', 'print the report as JSON on stdout')
    .option('-q, --quiet', 'print only the findings')
    .option('--debug', 'stack traces on errors')
    .addHelpText('after', OUTDATED_EXAMPLES)
    .action(async (repo: string | undefined, flags: import('./outdated-run.js').OutdatedFlags) => {
      const { runOutdated } = await import('./outdated-run.js');
      await runOutdated(repo, flags, io);
    });
}
