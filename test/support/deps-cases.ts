/**
 * Shared by the tests split from deps.test.ts.
 */
import { relationStrings, translateSpecifierSet } from '../../src/deps/deb-relations.js';
import { NO_DEPENDENCY_OPTIONS, type DependencyOptions } from '../../src/deps/index.js';
import { parseSpecifierSet } from '../../src/python/pep440.js';
import { profiles, type TargetProfile } from '../../src/targets/profiles.js';
import type { PythonMetadata } from '../../src/types.js';
import { demoMetadata } from './demo-metadata.js';

export const debian12 = profiles.debian12 as TargetProfile;
export const el9 = profiles.el9 as TargetProfile;
export const el8 = profiles.el8 as TargetProfile;

export function meta(requiresDist: string[], extra: Partial<PythonMetadata> = {}): PythonMetadata {
  return demoMetadata({ name: 'example', version: '1.0', summary: 'x', requiresDist, ...extra });
}

export const opts = (o: Partial<DependencyOptions> = {}): DependencyOptions => ({ ...NO_DEPENDENCY_OPTIONS, ...o });
export const deb = (spec: string, epoch = 0n): string[] => relationStrings('python3-x', translateSpecifierSet(parseSpecifierSet(spec), epoch).bounds);
