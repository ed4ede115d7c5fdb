// The build for running py2pkg and `make demo` (scripts/setup.sh without --test): every file of
// tsconfig.run.json (src/, fixtures/, scripts/: no tests, no benchmarks) through TypeScript's
// transpileModule, one file at a time, without the type check. The output is tsc's, byte for
// byte (tsconfig.json sets isolatedModules, so `make lint` refuses code whose JavaScript would
// need type information); on a bare 2-core machine it takes a third of `tsc -p tsconfig.json`.
// `make build`, `make lint` and `make test` still run tsc with the full type check.
//
//   node scripts/transpile.js [TSCONFIG]     (default tsconfig.run.json)
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const configPath = resolve(process.argv[2] ?? 'tsconfig.run.json');
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
if (!config || config.errors.length > 0) {
  const why = config ? config.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ') : 'unreadable';
  process.stderr.write(`transpile: ${configPath}: ${why}\n`);
  process.exit(1);
}
// NodeNext takes each file's module format from package.json, which transpileModule does not
// read: this package is "type": "module", so every .ts file is an ES module
if (JSON.parse(readFileSync(join(dirname(configPath), 'package.json'), 'utf8')).type !== 'module') {
  process.stderr.write('transpile: package.json is not "type": "module"\n');
  process.exit(1);
}
const options = { ...config.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
const rootDir = options.rootDir ?? dirname(configPath);
const outDir = options.outDir ?? rootDir;

/** Write by rename, so a reader never sees half a file. */
function put(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

// the files of the config and, as tsc does, every project file they import (the demo's
// helpers in test/support/): relative `./x.js` imports name `./x.ts`
const files = [...config.fileNames];
for (let i = 0; i < files.length; i++) {
  for (const ref of ts.preProcessFile(readFileSync(files[i], 'utf8'), true, true).importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    const dep = resolve(dirname(files[i]), ref.fileName).replace(/\.js$/, '.ts');
    if (dep.endsWith('.ts') && existsSync(dep) && !files.includes(dep)) files.push(dep);
  }
}

let failed = 0;
for (const file of files) {
  const out = join(outDir, relative(rootDir, file)).replace(/\.ts$/, '.js');
  const r = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
  for (const d of r.diagnostics ?? []) {
    failed++;
    process.stderr.write(`transpile: ${relative(process.cwd(), file)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
  }
  if (r.sourceMapText !== undefined) {
    // tsc names the source relative to the map and leaves out sourceRoot when it is empty
    const map = JSON.parse(r.sourceMapText);
    map.file = basename(out);
    map.sources = [relative(dirname(out), file)];
    put(`${out}.map`, JSON.stringify(map));
  }
  put(out, r.outputText);
}
if (failed > 0) process.exit(1);
process.stdout.write(`transpile: ${files.length} files -> ${relative(process.cwd(), outDir) || '.'}/ (no type check: make lint has it)\n`);
