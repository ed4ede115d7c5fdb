/** fileSystemError: what a full disk or a wrong mode makes node:fs throw becomes one FILE_SYSTEM line, not an internal error. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitStatus, fileSystemError } from '../../src/errors.js';

/** An error shaped as node:fs throws it. */
const fsError = (code: string, syscall: string, more: { path?: string; dest?: string } = {}) =>
  Object.assign(new Error(`${code}: something, ${syscall}`), { code, syscall, errno: -1, ...more });

test('ENOSPC on copyfile names the destination, exit status 7, and what to do', () => {
  const e = fileSystemError(fsError('ENOSPC', 'copyfile', { path: '/tmp/w/built.rpm', dest: '/out/.x.rpm.1.partial' }));
  assert.ok(e);
  assert.equal(e.code, 'FILE_SYSTEM');
  assert.equal(e.exitStatus, ExitStatus.tool);
  assert.equal(
    e.oneLine(),
    'py2pkg: error[FILE_SYSTEM]: no space left on the device (ENOSPC): copyfile /out/.x.rpm.1.partial (free space on that file system, or point --out, --repo or $TMPDIR elsewhere)',
  );
});

test('quota, read-only, permissions, I/O and open-file limits each say what to do; a write without a path names the call', () => {
  for (const [code, words] of [
    ['EDQUOT', /quota/],
    ['EROFS', /read-only.*writable/],
    ['EACCES', /permission denied.*owner and mode/],
    ['EPERM', /not permitted.*owner and mode/],
    ['EIO', /input\/output.*dmesg/],
    ['EMFILE', /too many open files.*ulimit -n/],
    ['ENFILE', /too many open files on this machine/],
  ] as const) {
    const e = fileSystemError(fsError(code, 'open', { path: '/repo/x' }));
    assert.ok(e, code);
    assert.match(e.oneLine(), words);
    assert.match(e.oneLine(), new RegExp(`\\(${code}\\): open /repo/x `));
  }
  assert.match(fileSystemError(fsError('ENOSPC', 'write'))!.oneLine(), /\(ENOSPC\): write \(/);
});

test("anything else is left alone: other errno codes (ENOENT is the caller's to explain), plain errors, non-errors", () => {
  assert.equal(fileSystemError(fsError('ENOENT', 'open', { path: '/x' })), undefined);
  assert.equal(fileSystemError(new Error('boom')), undefined);
  assert.equal(fileSystemError(Object.assign(new Error('no syscall'), { code: 'ENOSPC' })), undefined);
  assert.equal(fileSystemError('ENOSPC'), undefined);
  assert.equal(fileSystemError(undefined), undefined);
});
