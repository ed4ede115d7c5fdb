/**
 * The network around a test index, on loopback only: a throw-away CA (TEST-ONLY, made with
 * openssl) with a server certificate for 127.0.0.1/localhost, and a small forwarding proxy
 * (CONNECT and absolute-form GET) that refuses anything but 127.0.0.1.
 */
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { send } from './index-server.js';
import { SYSTEM_PATH } from './project.js';

export interface TestCa {
  caFile: string;
  cert: string;
  key: string;
}

/** A throw-away CA (TEST-ONLY, 2 days) and a server certificate for 127.0.0.1/localhost. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  const run = (args: string[]) => execa('/usr/bin/openssl', args, { cwd: dir, env: { PATH: SYSTEM_PATH }, extendEnv: false });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=py2pkg TEST-ONLY CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await writeFile(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  ]);
  return { caFile: join(dir, 'ca.pem'), cert: await readFile(join(dir, 'server.pem'), 'utf8'), key: await readFile(join(dir, 'server.key'), 'utf8') };
}

export interface TestProxy {
  url: string;
  /** "CONNECT host:port" or "GET http://…" per request */
  seen: string[];
  close: () => Promise<void>;
}

/** A forwarding proxy for loopback targets only; with `auth`, it wants Proxy-Authorization. */
export async function startProxy(opts: { auth?: { user: string; password: string } } = {}): Promise<TestProxy> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const want = opts.auth ? `Basic ${Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64')}` : undefined;
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (want && req.headers['proxy-authorization'] !== want) return send(res, 407, 'proxy auth', { 'proxy-authenticate': 'Basic realm="proxy"' });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      return send(res, 400, 'absolute-form only');
    }
    if (target.hostname !== '127.0.0.1') return send(res, 403, 'loopback only');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request({ host: '127.0.0.1', port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => send(res, 502, 'bad gateway'));
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    if (want && req.headers['proxy-authorization'] !== want) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const up = net.connect(Number(port), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      socket.destroy();
    });
    socket.on('close', () => up.destroy());
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
