/**
 * ~/.netrc (or $NETRC): `machine HOST login USER password PASS`, `default`, and `macdef`
 * blocks skipped — the format curl, ftp and Python's requests read. Pure parsing plus one read.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from './url.js';

export interface NetrcEntry {
  /** undefined for the `default` entry */
  machine: string | undefined;
  login: string;
  password: string;
}

export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*#/.test(line)) continue;
    const words = line.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    for (let w = 0; w < words.length; w++) {
      const word = words[w] ?? '';
      if (word === 'macdef') {
        // a macro runs to the next empty line
        while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
        break;
      }
      tokens.push(word.startsWith('"') ? word.slice(1, -1).replace(/\\(.)/g, '$1') : word);
    }
  }
  let current: NetrcEntry | undefined;
  for (let t = 0; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok === 'machine' || tok === 'default') {
      current = { machine: tok === 'machine' ? (tokens[++t] ?? '').toLowerCase() : undefined, login: '', password: '' };
      entries.push(current);
    } else if (current && (tok === 'login' || tok === 'password' || tok === 'account')) {
      const value = tokens[++t] ?? '';
      if (tok === 'login') current.login = value;
      else if (tok === 'password') current.password = value;
    }
  }
  return entries;
}

/** Credentials for a host name: its `machine` entry, else `default`. */
export function netrcLookup(entries: readonly NetrcEntry[], hostname: string): Credentials | undefined {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hit = entries.find((e) => e.machine === host) ?? entries.find((e) => e.machine === undefined);
  if (!hit || (hit.login === '' && hit.password === '')) return undefined;
  return { username: hit.login, password: hit.password };
}

/** $NETRC, else $HOME/.netrc; a missing or unreadable file means no entries. */
export function loadNetrc(env: NodeJS.ProcessEnv): NetrcEntry[] {
  const path = env.NETRC || join(env.HOME || homedir(), '.netrc');
  try {
    return parseNetrc(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
