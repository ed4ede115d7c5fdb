/** The work behind `py2pkg trust`, loaded only when the command runs. */
import { Py2pkgError } from '../errors.js';
import { canonicalizeName } from '../python/pep508.js';
import { loadConfig, trustSettings } from '../settings.js';
import { publisherFromSpec } from '../trust/admit.js';
import { describeIdentity } from '../trust/continuity.js';
import { normalizeFingerprint } from '../trust/policy.js';
import { publisherRecord } from '../trust/publisher.js';
import { readStore, updateStore, type StoreEntry } from '../trust/store.js';
import type { Io } from './context.js';
import type { TrustFlags } from './trust.js';

function record(e: StoreEntry): Record<string, unknown> {
  return {
    project: e.project,
    origin: e.origin,
    firstSeen: e.firstSeen,
    firstVersion: e.firstVersion,
    firstSha256: e.firstSha256,
    pgp: e.pgp,
    ...(e.publisher ? { publisher: publisherRecord(e.publisher) } : {}),
  };
}

export async function runTrust(action: 'list' | 'show' | 'pin' | 'forget', name: string | undefined, flags: TrustFlags, io: Io): Promise<void> {
  const { config } = await loadConfig(flags.config, process.env);
  const { trustStore: file } = await trustSettings({ ...(flags.trustStore ? { trustStore: flags.trustStore } : {}) }, config.trust, process.env);
  const project = name === undefined ? undefined : canonicalizeName(name);
  switch (action) {
    case 'list': {
      const entries = [...(await readStore(file)).values()];
      if (flags.json) io.out(`${JSON.stringify({ store: file, projects: entries.map(record) }, null, 2)}\n`);
      else if (entries.length === 0) io.err(`py2pkg: the trust store ${file} pins no project\n`);
      else
        for (const e of entries)
          io.out(`${e.project}\t${describeIdentity(e)}\t(${e.origin === 'pin' ? 'pinned by hand' : `first use: ${e.firstVersion}`}, ${e.firstSeen})\n`);
      return;
    }
    case 'show': {
      const e = (await readStore(file)).get(project as string);
      if (!e) throw new Py2pkgError('USAGE', `the trust store ${file} has no entry for ${project}`, { hint: 'py2pkg trust list shows the projects it has' });
      if (flags.json) {
        io.out(`${JSON.stringify({ store: file, ...record(e) }, null, 2)}\n`);
        return;
      }
      io.out(
        [
          `project:       ${e.project}`,
          `identity:      ${describeIdentity(e)}`,
          `origin:        ${e.origin === 'pin' ? 'pinned with py2pkg trust pin' : 'trust on first use'}`,
          `first seen:    ${e.firstSeen}`,
          ...(e.firstVersion ? [`first release: ${e.firstVersion} (sdist sha256 ${e.firstSha256})`] : []),
          `store:         ${file}`,
          '',
        ].join('\n'),
      );
      return;
    }
    case 'pin': {
      const pgp = (flags.pgp ?? []).map((f) => normalizeFingerprint(f, '--pgp'));
      const publisher = flags.publisher ? publisherFromSpec(flags.publisher) : undefined;
      if (pgp.length === 0 && !publisher) throw new Py2pkgError('USAGE', 'py2pkg trust pin needs --pgp FINGERPRINT or --publisher SPEC');
      const entry: StoreEntry = {
        project: project as string,
        firstSeen: new Date().toISOString(),
        firstVersion: '',
        firstSha256: '',
        pgp,
        ...(publisher ? { publisher } : {}),
        origin: 'pin',
      };
      await updateStore(file, (entries) => {
        if (entries.has(entry.project))
          throw new Py2pkgError(
            'USAGE',
            `the trust store already pins ${entry.project}; run py2pkg trust forget ${entry.project} first if the change is reviewed`,
          );
        return { entries: new Map(entries).set(entry.project, entry), result: undefined };
      });
      io.err(`py2pkg: pinned ${describeIdentity(entry)} for ${entry.project} in ${file}\n`);
      return;
    }
    case 'forget': {
      const removed = await updateStore(file, (entries) => {
        const e = entries.get(project as string);
        if (!e) return { result: undefined };
        const next = new Map(entries);
        next.delete(project as string);
        return { entries: next, result: e };
      });
      if (!removed)
        throw new Py2pkgError('USAGE', `the trust store ${file} has no entry for ${project}`, { hint: 'py2pkg trust list shows the projects it has' });
      io.err(`py2pkg: forgot ${project} (was ${describeIdentity(removed)}); its next conversion is a first use again\n`);
      return;
    }
  }
}
