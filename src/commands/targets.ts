/** `py2pkg targets [PROFILE]`: the target profiles, built in and from the config file, and what each sets. */
import type { Command } from 'commander';
import type { TargetProfile } from '../targets/profiles.js';
import type { CommandContext } from './context.js';

interface TargetsFlags {
  config?: string;
  json?: boolean;
}

const COLUMNS: Array<[string, (p: TargetProfile) => string]> = [
  ['target', (p) => p.id],
  ['format', (p) => (p.family === 'debian' ? 'deb' : 'rpm')],
  ['python', (p) => p.pythonFullVersion],
  ['site directory', (p) => p.siteDir],
  ['names', (p) => `${p.packagePrefix}NAME`],
  ['dependencies', (p) => p.dependencyStyle],
  ['release', (p) => p.revision],
  ['compression', (p) => p.compression],
  ['dist', (p) => p.distribution],
];

/** The listing as text (pure: unit-tested). `defaults` marks the default of each format. */
export function formatTargetsTable(list: readonly TargetProfile[], defaults: readonly string[]): string {
  const rows = list.map((p) => COLUMNS.map(([, get], i) => (i === 0 && defaults.includes(p.id) ? `${get(p)}*` : get(p))));
  const widths = COLUMNS.map(([head], i) => Math.max(head.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ');
  const idWidth = Math.max(...list.map((p) => p.id.length));
  const described = list.map((p) => `${p.id.padEnd(idWidth)}  ${p.description}`);
  return [line(COLUMNS.map(([head]) => head)), ...rows.map(line), '', ...described].join('\n');
}

/** One profile in full, `key: value` lines (pure). */
export function formatTarget(p: TargetProfile): string {
  const lines: Array<[string, string]> = [
    ['target', p.id],
    ['description', p.description],
    ['format', p.family === 'debian' ? 'deb' : 'rpm'],
    ['family', p.family],
    ['python', `${p.pythonVersion} (${p.pythonFullVersion})`],
    ['site directory', p.siteDir],
    ['scripts directory', p.scriptsDir],
    ['package names', `${p.packagePrefix}NAME`],
    ['dependency style', p.dependencyStyle],
    [p.family === 'debian' ? 'revision' : 'release', p.revision],
    ['compression', p.compression],
    [p.family === 'debian' ? 'distribution' : 'dist tag', p.distribution],
    ...(p.archive ? [['archive data', p.archive] as [string, string]] : []),
    ...Object.entries(p.markerEnvironment).map(([k, v]) => [`marker ${k}`, v === '' ? '""' : v] as [string, string]),
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n');
}

export function registerTargets(program: Command, { io }: CommandContext): void {
  program
    .command('targets')
    .description('list the target profiles (built in and from the config file) and what each sets')
    .argument('[profile]', 'show one profile in full, with its PEP 508 marker environment')
    .option('-c, --config <file>', 'config file whose [targets.NAME] tables add profiles')
    .option('--json', 'print the profiles as JSON')
    .action(async (id: string | undefined, flags: TargetsFlags) => {
      const { loadConfig } = await import('../settings.js');
      const { defaultTargetFor, getProfile, profiles } = await import('../targets/profiles.js');
      const { Py2pkgError, singleLine } = await import('../errors.js');
      const { file, config } = await loadConfig(flags.config, process.env);
      const extra = config.targets ?? {};
      const all = [...Object.values(profiles), ...Object.values(extra)];
      if (id !== undefined) {
        const p = getProfile(id, extra);
        if (!p) throw new Py2pkgError('USAGE', `unknown target "${singleLine(id, 40)}" (known: ${all.map((x) => x.id).join(', ')})`);
        io.out(flags.json ? `${JSON.stringify(p, null, 2)}\n` : `${formatTarget(p)}\n`);
        return;
      }
      if (flags.json) {
        io.out(`${JSON.stringify({ defaults: defaultTargetFor, targets: all, configFile: file ?? null }, null, 2)}\n`);
        return;
      }
      io.out(`${formatTargetsTable(all, Object.values(defaultTargetFor))}\n`);
      io.out(`\n* default for its format (--format deb: ${defaultTargetFor.deb}, --format rpm: ${defaultTargetFor.rpm}).\n`);
      const added = Object.keys(extra);
      io.out(added.length > 0 ? `From ${file}: ${added.join(', ')}.\n` : 'Add your own in the config file ([targets.NAME], see README).\n');
      io.out('py2pkg targets PROFILE shows one in full, with the marker environment its requirements are evaluated in.\n');
    });
}
