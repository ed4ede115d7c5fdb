/** The SRPM route of --source: the one function the SRPM builder provides (replaced at merge). */
import { Py2pkgError } from '../../errors.js';
import type { SourceContext, SourceOutput } from './types.js';

export function buildRpmSource(ctx: SourceContext): Promise<SourceOutput> {
  return Promise.reject(new Py2pkgError('UNSUPPORTED_EXTENSION', `source RPMs (--source --format rpm) are not built yet for ${ctx.metadata.name}`, { hint: 'use --source with --format deb, or a binary --format rpm package' }));
}
