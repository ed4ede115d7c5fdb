/**
 * Where OSV records come from (`--osv FILE|DIR|URL`): OSV's PyPI export (all.zip, read with
 * the unpack stage's zip directory reader and a per-member inflate cap), a directory of record
 * files, one record file, or the query API at a URL (POST /v1/querybatch, then GET
 * /v1/vulns/ID for each id it names). Every byte is capped before it is parsed; every record
 * goes through osv.ts's validator. Only records that name a queried project are kept.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { Py2pkgError, isPy2pkgError, singleLine } from '../errors.js';
import { canonicalizeName } from '../python/pep508-types.js';
import { readZipDirectory } from '../sdist/zip-read.js';
import { httpGet, httpPost, type NetConfig } from '../source/http.js';
import { redactUrl } from '../source/url.js';
import { MAX_RECORD_BYTES, namesProject, parseOsvJson, type OsvRecord } from './osv.js';

export const MAX_OSV_FILES = 500_000;
export const MAX_OSV_ZIP_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_BATCH_RESPONSE = 32 * 1024 * 1024;
/** OSV's querybatch takes at most 1000 queries per request */
const BATCH = 1000;

export interface OsvQuery {
  project: string;
  version: string;
}

export interface OsvSource {
  kind: 'zip' | 'dir' | 'file' | 'api';
  where: string;
  /** by canonical project name */
  records: Map<string, OsvRecord[]>;
  /** how many records were read in all */
  read: number;
}

function invalid(where: string, why: string): Py2pkgError {
  return new Py2pkgError('OSV_INVALID', `${singleLine(where, 160)}: ${singleLine(why, 200)}`);
}

class Collector {
  readonly records = new Map<string, OsvRecord[]>();
  read = 0;
  private readonly seen = new Set<string>();
  constructor(private readonly projects: Set<string>) {}

  add(r: OsvRecord): void {
    this.read++;
    for (const p of this.projects) {
      if (!namesProject(r, p)) continue;
      const key = `${p}\u0000${r.id}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.records.set(p, [...(this.records.get(p) ?? []), r]);
    }
  }
}

async function readZip(path: string, size: number, c: Collector): Promise<void> {
  if (size > MAX_OSV_ZIP_BYTES) throw invalid(path, `larger than ${MAX_OSV_ZIP_BYTES} bytes`);
  const fh = await open(path, 'r');
  try {
    let members;
    try {
      members = await readZipDirectory(fh, size, { maxBytes: MAX_OSV_ZIP_BYTES, maxEntries: MAX_OSV_FILES, maxEntryBytes: MAX_RECORD_BYTES });
    } catch (e) {
      throw invalid(path, isPy2pkgError(e) ? e.message : String(e));
    }
    for (const m of members) {
      if (m.isDir || !m.name.endsWith('.json')) continue;
      const where = `${path}:${m.name}`;
      if (m.usize > MAX_RECORD_BYTES || m.csize > MAX_RECORD_BYTES) throw invalid(where, `the record is larger than ${MAX_RECORD_BYTES} bytes`);
      const raw = Buffer.alloc(m.csize);
      const { bytesRead } = await fh.read(raw, 0, m.csize, m.dataStart);
      if (bytesRead !== m.csize) throw invalid(where, 'the zip member is truncated');
      let data: Buffer;
      try {
        data = m.method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: MAX_RECORD_BYTES });
      } catch {
        throw invalid(where, `the member does not inflate within ${MAX_RECORD_BYTES} bytes`);
      }
      c.add(parseOsvJson(data, where));
    }
  } finally {
    await fh.close();
  }
}

async function readRecordFile(path: string, c: Collector): Promise<void> {
  const st = await stat(path);
  if (st.size > MAX_RECORD_BYTES) throw invalid(path, `the record is larger than ${MAX_RECORD_BYTES} bytes`);
  c.add(parseOsvJson(await readFile(path), path));
}

async function readDir(dir: string, c: Collector): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  if (names.length > MAX_OSV_FILES) throw invalid(dir, `more than ${MAX_OSV_FILES} record files`);
  for (const n of names) {
    const st = await stat(join(dir, n));
    if (st.isFile()) await readRecordFile(join(dir, n), c);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The ids a querybatch answer names, per query (validated: same count, ids, no paging). */
export function parseBatchAnswer(body: Buffer, count: number, where: string): string[][] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(where, 'the querybatch answer is not JSON');
  }
  if (!isObject(doc) || !Array.isArray(doc.results)) throw invalid(where, 'the querybatch answer has no results list');
  if (doc.results.length !== count) throw invalid(where, `the querybatch answer has ${doc.results.length} results for ${count} queries`);
  return doc.results.map((r: unknown) => {
    if (!isObject(r)) throw invalid(where, 'a querybatch result is not an object');
    if (r.next_page_token !== undefined)
      throw invalid(where, 'the querybatch answer is paged (next_page_token); py2pkg does not follow pages: use the PyPI export instead');
    if (r.vulns === undefined) return [];
    if (!Array.isArray(r.vulns) || r.vulns.length > 10_000) throw invalid(where, "a querybatch result's vulns is not a list (or too long)");
    return r.vulns.map((v: unknown) => {
      if (!isObject(v) || typeof v.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(v.id))
        throw invalid(where, 'a querybatch vuln has no valid id');
      return v.id;
    });
  });
}

async function readApi(base: URL, queries: OsvQuery[], net: NetConfig, c: Collector): Promise<void> {
  const root = base.href.replace(/\/+$/, '').replace(/\/v1\/querybatch$/, '');
  const batchUrl = new URL(`${root}/v1/querybatch`);
  const ids = new Set<string>();
  for (let i = 0; i < queries.length; i += BATCH) {
    const chunk = queries.slice(i, i + BATCH);
    const body = Buffer.from(JSON.stringify({ queries: chunk.map((q) => ({ package: { name: q.project, ecosystem: 'PyPI' }, version: q.version })) }));
    const r = await httpPost(batchUrl, body, net, {
      what: 'OSV querybatch',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      maxBytes: MAX_BATCH_RESPONSE,
      tooLargeCode: 'FETCH_TOO_LARGE',
    });
    for (const list of parseBatchAnswer(r.body ?? Buffer.alloc(0), chunk.length, redactUrl(batchUrl))) for (const id of list) ids.add(id);
  }
  for (const id of [...ids].sort()) {
    const url = new URL(`${root}/v1/vulns/${encodeURIComponent(id)}`);
    const r = await httpGet(url, net, {
      what: `OSV record ${id}`,
      headers: { accept: 'application/json' },
      maxBytes: MAX_RECORD_BYTES,
      tooLargeCode: 'FETCH_TOO_LARGE',
    });
    const rec = parseOsvJson(r.body ?? Buffer.alloc(0), redactUrl(url));
    if (rec.id !== id) throw invalid(redactUrl(url), `asked for ${id}, got ${rec.id}`);
    c.add(rec);
  }
}

/** Read the OSV data `spec` names, keeping the records that name one of the queried projects. */
export async function loadOsv(spec: string, queries: OsvQuery[], net: () => NetConfig): Promise<OsvSource> {
  const c = new Collector(new Set(queries.map((q) => canonicalizeName(q.project))));
  if (/^https?:\/\//i.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new Py2pkgError('USAGE', `--osv ${singleLine(spec, 100)} is not a URL`);
    }
    await readApi(url, queries, net(), c);
    return { kind: 'api', where: redactUrl(url), records: c.records, read: c.read };
  }
  const st = await stat(spec).catch(() => undefined);
  if (!st)
    throw new Py2pkgError(
      'USAGE',
      `--osv ${singleLine(spec, 100)}: no such file or directory (give OSV's PyPI all.zip, a directory of records, one record, or the API's URL)`,
    );
  if (st.isDirectory()) {
    await readDir(spec, c);
    return { kind: 'dir', where: spec, records: c.records, read: c.read };
  }
  const head = Buffer.alloc(4);
  const fh = await open(spec, 'r');
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50) {
    await readZip(spec, st.size, c);
    return { kind: 'zip', where: spec, records: c.records, read: c.read };
  }
  await readRecordFile(spec, c);
  return { kind: 'file', where: spec, records: c.records, read: c.read };
}
