/**
 * HTTP(S)_PROXY / NO_PROXY as curl and Python's requests read them (lower case first).
 * Node's own fetch ignores these variables, so py2pkg's HTTP client (http.ts) applies them.
 */
import { isIP } from 'node:net';
import { Py2pkgError } from '../errors.js';
import { redactUrl } from './url.js';

export interface ProxyEnv {
  http: string | undefined;
  https: string | undefined;
  noProxy: string | undefined;
}

export function proxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  return {
    http: pick('http_proxy') ?? pick('all_proxy'),
    https: pick('https_proxy') ?? pick('all_proxy'),
    noProxy: pick('no_proxy'),
  };
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

/**
 * NO_PROXY: comma/space separated; `*` matches all; `example.org` and `.example.org` match
 * the host and its subdomains; `host:port` only that port; IPv4 CIDR (`10.0.0.0/8`).
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
    if (cidr) {
      if (isIP(host) !== 4) continue;
      const bits = Number(cidr[2]);
      const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
      if ((ipv4ToInt(host) & mask) === (ipv4ToInt(cidr[1] ?? '') & mask)) return true;
      continue;
    }
    let entryPort: string | undefined;
    const withPort = /^(.*[^:]):(\d+)$/.exec(entry);
    if (withPort && !entry.startsWith('[') && isIP(entry) !== 6) {
      entry = withPort[1] ?? entry;
      entryPort = withPort[2];
    }
    entry = entry.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy URL for a request, or undefined for a direct connection. */
export function proxyFor(url: URL, env: ProxyEnv): URL | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const raw = url.protocol === 'https:' ? env.https : env.http;
  if (!raw || bypassesProxy(url, env.noProxy)) return undefined;
  let proxy: URL;
  try {
    // `proxy:3128` without a scheme means http://proxy:3128, as curl reads it
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Py2pkgError('CONFIG', `the ${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} variable is not a URL: ${redactUrl(raw)}`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Py2pkgError('CONFIG', `proxy ${redactUrl(proxy)}: only http:// and https:// proxies are supported`);
  }
  return proxy;
}
