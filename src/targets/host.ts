/**
 * The system py2pkg runs on, from /etc/os-release: compiled extension modules built here
 * link against this system's C library and Python ABI, so binary packages of them are made
 * only for the target profile that describes this very system (same family, same release
 * codename, same Python as the build's). Decided on the profile's fields, never its id.
 */
import { readFileSync } from 'node:fs';
import type { TargetProfile } from './profiles.js';

export interface HostSystem {
  /** os-release ID, e.g. `debian` */
  id: string;
  /** os-release VERSION_CODENAME, e.g. `bookworm` */
  codename: string;
}

/** Parse os-release text (KEY=value, values optionally quoted). */
export function parseOsRelease(text: string): HostSystem {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields.set(m[1] as string, (m[2] as string).replace(/^(["'])(.*)\1$/, '$2'));
  }
  return { id: fields.get('ID') ?? '', codename: fields.get('VERSION_CODENAME') ?? '' };
}

let memo: HostSystem | null | undefined;

export function hostSystem(): HostSystem | undefined {
  if (memo === undefined) {
    try {
      memo = parseOsRelease(readFileSync('/etc/os-release', 'utf8').slice(0, 16 * 1024));
    } catch {
      memo = null;
    }
  }
  return memo ?? undefined;
}

/** Whether binary packages holding compiled code built on this host fit the target. */
export function buildsCompiledFor(target: TargetProfile, buildPython: string, host: HostSystem | undefined = hostSystem()): boolean {
  if (!host || !host.codename) return false;
  return target.family === 'debian' && host.codename === target.distribution && target.pythonVersion === buildPython;
}

/** The host, for an error message: `Debian bookworm`. */
export function describeHost(host: HostSystem | undefined = hostSystem()): string {
  return host && host.codename ? `${host.id} ${host.codename}` : 'an unknown system';
}
