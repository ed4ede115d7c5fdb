/** The PythonMetadata of a made-up project (Demo.Pkg 1.0.0) that unit tests vary field by field. */
import type { PythonMetadata } from '../../src/types.js';

export function demoMetadata(over: Partial<PythonMetadata> = {}): PythonMetadata {
  return {
    metadataVersion: '2.1',
    name: 'Demo.Pkg',
    version: '1.0.0',
    summary: 'A demo',
    description: '',
    projectUrls: [],
    licenseFiles: [],
    classifiers: [],
    requiresDist: [],
    providesExtra: [],
    dynamic: [],
    ...over,
  };
}
