/**
 * Which releases on the index the trust policy could admit, judged from what the index says
 * about each file before anything is downloaded (pure): the evidence kinds a project table pins
 * must be offered (a signature for pgp, a PEP 740 provenance object for publisher, a reviewed
 * sha256 the index publishes for sha256), all of them with require = "all"; without a table the
 * default decides (any/tofu: a signature or provenance offered; unsigned: admitted; none:
 * refused). The conversion still verifies the evidence itself: this is the candidate it
 * would start from, which `py2pkg outdated` reports as the newest admissible release.
 */
import type { IndexFile } from '../source/simple-api.js';
import { ruleFor, type TrustPolicy } from '../trust/policy.js';

export interface Admissibility {
  admits: boolean;
  /** for people: which rule and which offered evidence, or why not */
  why: string;
}

export function admissible(policy: TrustPolicy, project: string, file: IndexFile): Admissibility {
  const sig = file.gpgSig === true;
  const prov = file.provenance !== undefined;
  const sha = file.hashes.sha256;
  const rule = ruleFor(policy, project);
  if (rule) {
    const kinds: Array<{ kind: string; offered: boolean }> = [];
    if (rule.pgp.length > 0) kinds.push({ kind: 'pgp', offered: sig });
    if (rule.publishers.length > 0) kinds.push({ kind: 'publisher', offered: prov });
    if (rule.sha256.length > 0) kinds.push({ kind: 'sha256', offered: sha !== undefined && rule.sha256.includes(sha) });
    const offered = kinds.filter((k) => k.offered).map((k) => k.kind);
    const admits = rule.require === 'all' ? offered.length === kinds.length : offered.length > 0;
    const missing = kinds.filter((k) => !k.offered).map((k) => k.kind);
    return admits
      ? { admits, why: `project ${rule.project}: ${offered.join(' + ')} offered` }
      : {
          admits,
          why: `project ${rule.project} wants ${rule.require === 'all' ? 'all of' : 'one of'} ${kinds.map((k) => k.kind).join(', ')}; the index offers no ${missing.join(', ')}`,
        };
  }
  switch (policy.default) {
    case 'unsigned':
      return { admits: true, why: 'default unsigned' };
    case 'none':
      return { admits: false, why: `default none: the policy names no rule for ${project}` };
    default: {
      const offered = [...(sig ? ['signature'] : []), ...(prov ? ['provenance'] : [])];
      return offered.length > 0
        ? { admits: true, why: `default ${policy.default}: ${offered.join(' + ')} offered` }
        : { admits: false, why: `default ${policy.default}: the index offers no signature or provenance` };
    }
  }
}
