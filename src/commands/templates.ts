/** `py2pkg templates export DIR`: the built-in templates and a README.md of what they can use. */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

interface ExportFlags {
  force?: boolean;
}

export function registerTemplates(program: Command, { io }: CommandContext): void {
  const templates = program.command('templates').description('the templates packages are rendered with (see --templates)');
  templates
    .command('export')
    .description('write the built-in templates (deb/*.hbs, rpm/*.hbs) and a README.md of their variables and helpers into DIR')
    .argument('<dir>', 'the directory to write (created when missing)')
    .option('--force', 'overwrite files that exist')
    .action(async (dir: string, flags: ExportFlags) => {
      const { exportTemplates } = await import('../render/export.js');
      const written = await exportTemplates(dir, Boolean(flags.force));
      for (const f of written) io.out(`${f}\n`);
    });
}
