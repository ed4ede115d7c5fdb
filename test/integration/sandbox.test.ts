/**
 * The build sandbox, tested with a hostile setup.py: it probes what it can reach (network,
 * other processes' environments and command lines, the caller's files, the system) and
 * writes what it found into a module that gets packaged. The test converts it with the
 * real CLI and reads the findings back out of the .deb.
 */
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createServer, type Server } from 'node:net';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeSignedProbeSdist } from '../support/signed-sdist.js';
import { keysDir, py2pkg, SYSTEM_PATH, upstreamPub } from '../support/project.js';

const CANARY = 'py2pkg-canary-secret-4f1d2c';

const SETUP_PY = String.raw`
import json, os, socket, sys
from setuptools import setup

port = int(open("PORT").read())
found = {}
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    found["loopback_connect"] = True
except OSError as e:
    found["loopback_connect"] = False
leaks = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for what in ("environ", "cmdline"):
        try:
            data = open(f"/proc/{pid}/{what}", "rb").read()
            if b"${CANARY}" in data:
                leaks.append(f"{pid}/{what}")
        except OSError:
            pass
found["canary_in_proc"] = leaks
found["canary_in_env"] = any("${CANARY}" in v for v in os.environ.values())
found["env_keys"] = sorted(os.environ)
found["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found["visible"] = {p: os.path.exists(p) for p in ["/root", "/home", "/work", "/var", "/run", "/etc/shadow", os.environ.get("PY2PKG_PROBE_KEYS", "/nonexistent"), "${keysDir}"]}
def can_write(p):
    try:
        open(p, "w").write("x")
        return True
    except OSError:
        return False
found["write_usr"] = can_write("/usr/py2pkg-sandbox-probe")
found["write_tmp"] = can_write("/tmp/py2pkg-sandbox-probe")
found["uid"] = os.getuid()
open("probe/findings.py", "w").write("# " + json.dumps(found) + "\n")
setup(name="probe", version="1.0", packages=["probe"])
`;

let server: Server;
let port = 0;
let connections = 0;
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'py2pkg-sandbox-'));
  server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server.close();
  await rm(work, { recursive: true, force: true });
  await rm('/tmp/py2pkg-sandbox-probe', { force: true });
});

test('hostile build code finds no network, no secrets, no other processes, a read-only system', async () => {
  // the probe really can reach the server when it is not sandboxed
  const direct = await execa('/usr/bin/python3', ['-c', `import socket; socket.create_connection(("127.0.0.1", ${port}), timeout=2).close(); print("ok")`], {
    env: { PATH: SYSTEM_PATH },
    extendEnv: false,
  });
  assert.equal(direct.stdout.trim(), 'ok');
  const before = connections;

  const sdist = await writeSignedProbeSdist(work, 'probe', SETUP_PY, [{ path: 'PORT', data: String(port) }]);
  const out = join(work, 'out');
  await mkdir(out);
  // the canary stands for a secret in py2pkg's own environment (a passphrase, a token)
  const r = await py2pkg(['--format', 'deb', '--trusted-keys', upstreamPub, '--out', out, '--maintainer', 'T <t@example.org>', '--quiet', sdist], {
    PY2PKG_PASSPHRASE: CANARY,
    AWS_SECRET_ACCESS_KEY: CANARY,
    PY2PKG_PROBE_KEYS: keysDir,
  });
  assert.equal(r.exitCode, 0, r.stderr);

  const x = join(work, 'x');
  await execa('/usr/bin/dpkg-deb', ['-x', join(out, 'python3-probe_1.0-1_all.deb'), x], { env: { PATH: SYSTEM_PATH }, extendEnv: false });
  const text = await readFile(join(x, 'usr/lib/python3/dist-packages/probe/findings.py'), 'utf8');
  const found = JSON.parse(text.slice(2)) as Record<string, any>;

  assert.equal(found.loopback_connect, false, 'the build reached the network');
  assert.equal(connections, before, 'the server saw a connection from the build');
  assert.deepEqual(found.canary_in_proc, [], 'a secret was readable from /proc');
  assert.equal(found.canary_in_env, false, 'a secret reached the build environment');
  for (const k of found.env_keys as string[]) assert.doesNotMatch(k, /PASSPHRASE|SECRET|TOKEN|AWS|PROXY|GNUPG|SSH/, `leaked variable ${k}`);
  assert.ok((found.pids as number[]).length <= 4, `the build sees other processes: ${found.pids}`);
  for (const [path, visible] of Object.entries(found.visible as Record<string, boolean>)) assert.equal(visible, false, `${path} is visible inside the sandbox`);
  assert.equal(found.write_usr, false, '/usr is writable');
  assert.equal(existsSync('/tmp/py2pkg-sandbox-probe'), false, 'the build wrote into the host /tmp');
});
