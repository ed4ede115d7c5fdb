/** The one exec wrapper, against real processes. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { run } from '../../src/exec.js';

test('arguments are passed as an array: no shell sees them', async () => {
  const r = await run('/bin/echo', ['$(id)', '`id`', '; rm -rf /', '*']);
  assert.equal(r.stdout, '$(id) `id` ; rm -rf / *\n');
});

test('the environment is explicit: nothing is inherited from the parent', async () => {
  process.env.PY2PKG_TEST_SECRET = 'leak';
  try {
    const r = await run('/usr/bin/env', [], { env: { ONLY: 'this' } });
    const keys = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0])
      .sort();
    assert.deepEqual(keys, ['LANG', 'LC_ALL', 'ONLY', 'PATH']);
    assert.match(r.stdout, /^PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
  } finally {
    delete process.env.PY2PKG_TEST_SECRET;
  }
});

test('a failure carries the tool name, exit status and the tail of stderr', async () => {
  await assert.rejects(run('/bin/sh', ['-c', 'for i in 1 2 3; do echo line$i >&2; done; echo the real reason >&2; exit 3']), (e: any) => {
    assert.equal(e.code, 'TOOL_FAILED');
    assert.match(e.message, /^sh exited with status 3: the real reason$/);
    assert.match(e.detail, /line3\nthe real reason/);
    return true;
  });
  const r = await run('/bin/sh', ['-c', 'exit 4'], { check: false });
  assert.equal(r.exitCode, 4);
});

test('a missing tool is TOOL_MISSING', async () => {
  await assert.rejects(run('/usr/bin/py2pkg-no-such-tool', []), { code: 'TOOL_MISSING' });
});

test('a timeout kills the whole process group', async () => {
  const marker = `/tmp/py2pkg-exec-timeout-${process.pid}`;
  const started = Date.now();
  await assert.rejects(run('/bin/sh', ['-c', `(sleep 2; touch ${marker}) & sleep 30`], { timeoutMs: 300 }), (e: any) => {
    assert.equal(e.code, 'TOOL_FAILED');
    assert.match(e.message, /did not finish within/);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(existsSync(marker), false, 'a grandchild survived the timeout');
});

test('stdin input and binary stdout', async () => {
  const r = await run('/usr/bin/sha256sum', ['-'], { input: 'abc' });
  assert.match(r.stdout, /^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad {2}-/);
  const b = await run('/usr/bin/printf', ['\\x00\\xff'], { binaryStdout: true });
  assert.deepEqual([...b.stdoutBuffer!], [0, 255]);
});

test('output past maxBuffer kills the child', async () => {
  await assert.rejects(run('/usr/bin/yes', [], { maxBuffer: 1024 * 1024, timeoutMs: 10_000 }), /more output than/);
});

test('onSpawn runs once the child runs, before it ends; not at all when it cannot start', async () => {
  const events: string[] = [];
  // the child prints only after a moment: onSpawn must come first, while it runs
  const done = run('/bin/sh', ['-c', 'sleep 0.2; echo ended'], { onSpawn: () => events.push('spawned') }).then((r) => events.push(r.stdout.trim()));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(events, ['spawned']);
  await done;
  assert.deepEqual(events, ['spawned', 'ended']);
  let called = false;
  await assert.rejects(run('/nonexistent/tool', [], { onSpawn: () => (called = true) }));
  assert.equal(called, false);
});
