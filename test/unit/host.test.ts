import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingCompilerPackages } from '../../src/python/build.js';
import { buildsCompiledFor, parseOsRelease } from '../../src/targets/host.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';

const BOOKWORM = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const profile = (id: string) => profiles[id] as TargetProfile;

test('os-release: ID and VERSION_CODENAME, quoted or not', () => {
  assert.deepEqual(parseOsRelease(BOOKWORM), { id: 'debian', codename: 'bookworm' });
  assert.deepEqual(parseOsRelease('ID=\'ubuntu\'\nVERSION_CODENAME="jammy"\n'), { id: 'ubuntu', codename: 'jammy' });
  assert.deepEqual(parseOsRelease('garbage'), { id: '', codename: '' });
});

test('compiled code is packaged only for the profile that is this machine (family, codename, Python)', () => {
  const host = parseOsRelease(BOOKWORM);
  assert.equal(buildsCompiledFor(profile('debian12'), '3.11', host), true);
  for (const id of ['debian13', 'ubuntu22.04', 'ubuntu24.04', 'el8', 'el9', 'el10', 'fedora'])
    assert.equal(buildsCompiledFor(profile(id), '3.11', host), false, id);
  // the same release with another build Python, or an unknown host: never
  assert.equal(buildsCompiledFor(profile('debian12'), '3.12', host), false);
  assert.equal(buildsCompiledFor(profile('debian12'), '3.11', parseOsRelease('')), false);
  assert.equal(buildsCompiledFor(profile('ubuntu22.04'), '3.10', parseOsRelease('ID=ubuntu\nVERSION_CODENAME=jammy\n')), true);
});

test('the compiler packages a C build needs, named for apt-get', () => {
  assert.deepEqual(
    missingCompilerPackages(() => true),
    [],
  );
  assert.deepEqual(
    missingCompilerPackages(() => false),
    ['gcc', 'python3-dev'],
  );
  assert.deepEqual(
    missingCompilerPackages((p) => p === '/usr/bin/cc'),
    ['python3-dev'],
  );
});
