import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendPackage, debianPackageForBuildRequirement, parseBuildSystem } from '../../src/python/backends.js';
import { parseConsoleScripts } from '../../src/python/build.js';
import { bwrapArgs } from '../../src/python/sandbox.js';

test('parseBuildSystem: PEP 517 fallback, explicit backends, refusals', async () => {
  assert.deepEqual(await parseBuildSystem('[tool.black]\nline-length = 100\n'), {
    backend: 'setuptools.build_meta:__legacy__',
    requires: ['setuptools', 'wheel'],
    legacy: true,
  });
  assert.deepEqual(await parseBuildSystem('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'), {
    backend: 'hatchling.build',
    requires: ['hatchling'],
    legacy: false,
  });
  const noBackend = await parseBuildSystem('[build-system]\nrequires = ["setuptools>=61"]\n');
  assert.equal(noBackend.backend, 'setuptools.build_meta:__legacy__');
  await assert.rejects(parseBuildSystem('[build-system\n'), { code: 'METADATA_INVALID' });
  await assert.rejects(parseBuildSystem('[build-system]\nrequires = "x"\n'), { code: 'METADATA_INVALID' });
  await assert.rejects(parseBuildSystem('[build-system]\nrequires = []\nbuild-backend = "os; import x"\n'), { code: 'METADATA_INVALID' });
  await assert.rejects(parseBuildSystem('[build-system]\nrequires = []\nbuild-backend = "local"\nbackend-path = ["."]\n'), { code: 'UNSUPPORTED_BACKEND' });
});

test('backends and build requirements map to the Debian packages that provide them', () => {
  assert.equal(backendPackage('flit_core.buildapi'), 'flit');
  assert.equal(backendPackage('setuptools.build_meta:__legacy__'), 'python3-setuptools');
  assert.equal(backendPackage('poetry.core.masonry.api'), 'python3-poetry-core');
  assert.equal(backendPackage('nope.backend'), undefined);
  assert.equal(debianPackageForBuildRequirement('setuptools_scm'), 'python3-setuptools-scm');
  assert.equal(debianPackageForBuildRequirement('Cython'), 'cython3'); // dh-python's map
  assert.equal(debianPackageForBuildRequirement('setuptools'), 'python3-setuptools'); // not the map's runtime python3-pkg-resources
  assert.equal(debianPackageForBuildRequirement('ninja'), 'ninja-build');
});

test('parseConsoleScripts reads console_scripts and gui_scripts only', () => {
  const text = '[console_scripts]\nslugger = slugger.cli:main\n\n[gui_scripts]\nviewer=x:y\n[other]\nnot = a:b\n';
  assert.deepEqual(parseConsoleScripts(text), ['slugger', 'viewer']);
  assert.deepEqual(parseConsoleScripts(''), []);
});

test('bwrapArgs: no network, own PID namespace, read-only system, clean env, only /build writable', () => {
  const args = bwrapArgs({ buildDir: '/tmp/w/box', cwd: '/build/src', pythonVersion: '3.11', env: { SOURCE_DATE_EPOCH: '1' } }, ['/usr/bin/python3', '-V']);
  const joined = args.join(' ');
  assert.ok(args.includes('--unshare-all'));
  assert.ok(args.includes('--die-with-parent'));
  assert.ok(args.includes('--clearenv'));
  assert.match(joined, /--ro-bind \/usr \/usr/);
  assert.match(joined, /--bind \/tmp\/w\/box \/build/);
  assert.doesNotMatch(joined, /--bind \/ |--bind \/root|--bind \/home|--share-net/);
  const binds = args.flatMap((a, i) => (a === '--bind' ? [args[i + 1]] : []));
  assert.deepEqual(binds, ['/tmp/w/box']);
  assert.deepEqual(args.slice(-3), ['--', '/usr/bin/python3', '-V']);
  const envKeys = args.flatMap((a, i) => (a === '--setenv' ? [args[i + 1]] : []));
  assert.ok(envKeys.includes('HOME') && envKeys.includes('SOURCE_DATE_EPOCH'));
  assert.ok(!envKeys.some((k) => /KEY|PASS|TOKEN|PROXY|GNUPG/i.test(k ?? '')));
});

test('checkBuildDependencies: backend module and direct requirements, markers evaluated, Debian package named', async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  // eslint-disable-next-line @typescript-eslint/unbound-method -- node:path's functions do not use `this`
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { checkBuildDependencies } = await import('../../src/python/build.js');
  const site = mkdtempSync(join(tmpdir(), 'py2pkg-site-'));
  try {
    mkdirSync(join(site, 'setuptools'));
    writeFileSync(join(site, 'setuptools', 'build_meta.py'), '');
    mkdirSync(join(site, 'setuptools-66.1.1.egg-info'));
    mkdirSync(join(site, 'wheel-0.38.4.dist-info'));
    mkdirSync(join(site, 'setuptools_scm-7.1.0.dist-info'));
    const ok = {
      backend: 'setuptools.build_meta',
      requires: ['setuptools>=61', 'wheel', 'setuptools-scm[toml]>=6', 'tomli; python_version < "3.11"'],
      legacy: false,
    };
    assert.doesNotThrow(() => checkBuildDependencies(ok, [site]));
    assert.throws(
      () => checkBuildDependencies({ backend: 'hatchling.build', requires: ['hatchling'], legacy: false }, [site]),
      (e: any) => e.code === 'BACKEND_MISSING' && /apt-get install python3-hatchling/.test(e.message),
    );
    assert.throws(
      () => checkBuildDependencies({ ...ok, requires: ['setuptools', 'hatch-vcs', 'Cython>=3; python_version >= "3"'] }, [site]),
      (e: any) => e.code === 'BACKEND_MISSING' && /apt-get install python3-hatch-vcs cython3$/.test(e.message),
    );
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
});
