/**
 * The requirement tree of a --recursive run, resolved for the TARGET: markers are evaluated in
 * the target profile's environment (src/deps/select.ts), extras only as asked (`name[x]`,
 * --with-extras on a root). Every node asks the target archive first (archive-index.ts) and
 * reuses the distribution's package when its version meets the bound; otherwise the node's
 * sdist is resolved on the index, fetched and admitted by the trust policy (the injected
 * `fetch`), and its own requirements are followed.
 *
 * Breadth first, no backtracking: the first requirement of a project decides its version; a
 * later one that excludes it is a RESOLVE_CONFLICT on that node, a project neither the archive
 * nor the index can give is RESOLVE_UNSATISFIABLE, and a cycle of converted projects is
 * RESOLVE_CYCLE on the edge that closes it. Every problem stays in the tree, on its node.
 */
import { canonicalizeName, parseRequirement } from '../python/pep508.js';
import { specifierContains } from '../python/pep440.js';
import { selectRequirements } from '../deps/select.js';
import { STDLIB_BACKPORTS } from '../deps/names.js';
import { isPy2pkgError, Py2pkgError, singleLine, worstExitStatus, ExitStatus } from '../errors.js';
import type { TargetProfile } from '../targets/profiles.js';
import type { PythonMetadata } from '../types.js';
import { archiveOffer, type ArchiveIndex } from './archive-index.js';

/** What the index and the trust policy gave for a node. */
export interface FetchedNode {
  name: string;
  version: string;
  requiresDist: string[];
  providesExtra: string[];
  requiresPython: string | undefined;
  filename: string;
  sha256: string;
  /** who vouched for it (the trust decision, one line) */
  evidence: string;
}

export interface NodeProblem {
  /** a catalogue code (src/errors.ts), or INTERNAL */
  code: string;
  exitStatus: number;
  reason: string;
}

export type NodeAction = 'reuse' | 'convert' | 'stdlib' | 'same' | 'error';

export interface PlanNode {
  /** the requirement as written (a Requires-Dist line without its marker, or the root as given) */
  requirement: string;
  project: string;
  specifier: string;
  extras: string[];
  action: NodeAction;
  /** reuse: the archive's package and version */
  archive?: { package: string; version: string };
  /** convert (and `same` referring to a conversion): the chosen release */
  release?: { name: string; version: string; filename: string; sha256: string; evidence: string };
  problem?: NodeProblem;
  children: PlanNode[];
}

export interface TreeOptions {
  profile: TargetProfile;
  archive: ArchiveIndex;
  fetch: (project: string, specifier: string, text: string) => Promise<FetchedNode>;
  /** config drop-depends (PEP 503 names): never followed */
  dropDepends?: string[];
  /** extras asked for every root (--with-extras) */
  rootExtras?: string[];
  warn?: (message: string) => void;
  /** how many queued nodes are fetched ahead (default PREFETCH; 0: one at a time) */
  prefetch?: number;
  /** default MAX_TREE_NODES */
  maxNodes?: number;
}

/** Fetches running ahead of the decisions: the index client waits on the network and the disk, not the CPU. */
export const PREFETCH = 6;

/** A tree is data from an index: past this many nodes the rest is not followed (each marked). */
export const MAX_TREE_NODES = 3000;

export interface Plan {
  target: string;
  archive: string;
  roots: PlanNode[];
  /** the projects to convert, in the order they were decided */
  convert: Array<{ project: string; name: string; version: string; extras: string[]; sha256: string; filename: string }>;
  reuse: Array<{ project: string; package: string; version: string }>;
  problems: number;
  /** worst status of the problems (0: the plan can run) */
  exitStatus: number;
}

function pythonAtLeast(have: string, since: string): boolean {
  return specifierContains(`>=${since}`, have, { prereleases: true });
}

function problemOf(e: unknown): NodeProblem {
  if (isPy2pkgError(e)) return { code: e.code, exitStatus: e.exitStatus, reason: singleLine(e.message, 300) };
  return { code: 'INTERNAL', exitStatus: ExitStatus.internal, reason: singleLine(e instanceof Error ? e.message : String(e), 300) };
}

function problem(code: 'RESOLVE_CONFLICT' | 'RESOLVE_UNSATISFIABLE' | 'RESOLVE_CYCLE', reason: string): NodeProblem {
  return { code, exitStatus: new Py2pkgError(code, reason).exitStatus, reason };
}

const requirementText = (name: string, extras: string[], specifier: string) => `${name}${extras.length ? `[${extras.join(',')}]` : ''}${specifier}`;

export async function resolveTree(rootTexts: string[], o: TreeOptions): Promise<Plan> {
  const decided = new Map<string, PlanNode>();
  const queue: PlanNode[] = [];
  const drop = new Set(o.dropDepends ?? []);
  const roots = rootTexts.map((text): PlanNode => {
    const req = parseRequirement(text);
    const extras = [...new Set([...req.extras.map(canonicalizeName), ...(o.rootExtras ?? [])])].sort();
    return { requirement: text, project: req.normalizedName, specifier: req.specifier, extras, action: 'error', children: [] };
  });
  queue.push(...roots);

  /** the children a converted node's requirements give for the extras asked */
  const expand = (node: PlanNode, meta: FetchedNode, extras: string[]): PlanNode[] => {
    const known = new Set(meta.providesExtra.map(canonicalizeName));
    const asked = extras.filter((x) => known.has(x) || meta.requiresDist.some((l) => l.includes(x)));
    for (const x of extras) if (!asked.includes(x)) o.warn?.(`${meta.name} ${meta.version} has no extra ${x} (asked by ${node.requirement})`);
    const md = { name: meta.name, requiresDist: meta.requiresDist, providesExtra: meta.providesExtra } as unknown as PythonMetadata;
    let sel;
    try {
      sel = selectRequirements(md, o.profile, { withExtras: asked, dependsMap: {}, extraDepends: [], dropDepends: [...drop] });
    } catch {
      sel = selectRequirements(md, o.profile, { withExtras: [], dependsMap: {}, extraDepends: [], dropDepends: [...drop] });
    }
    const have = new Set(node.children.map((c) => c.requirement));
    const out: PlanNode[] = [];
    for (const s of sel.selected) {
      if (s.kind !== 'depends') continue;
      const childExtras = s.req.extras.map(canonicalizeName).sort();
      const text = requirementText(s.req.name, childExtras, s.req.specifier);
      if (have.has(text)) continue;
      have.add(text);
      out.push({ requirement: text, project: s.req.normalizedName, specifier: s.req.specifier, extras: childExtras, action: 'error', children: [] });
    }
    return out;
  };
  const fetched = new Map<string, FetchedNode>();
  // fetches run ahead of the decisions (up to PREFETCH queued nodes at a time); decisions stay in breadth-first order
  const started = new Map<string, Promise<FetchedNode>>();
  const fetchOnce = (n: PlanNode): Promise<FetchedNode> => {
    const key = `${n.project}\n${n.specifier}`;
    let p = started.get(key);
    if (!p) {
      p = o.fetch(n.project, n.specifier, n.requirement);
      p.catch(() => {});
      started.set(key, p);
    }
    return p;
  };
  const isStdlib = (n: PlanNode) => {
    const since = STDLIB_BACKPORTS[n.project];
    return since !== undefined && pythonAtLeast(o.profile.pythonFullVersion, since);
  };
  const prefetch = () => {
    for (const q of queue.slice(0, o.prefetch ?? PREFETCH)) {
      if (decided.has(q.project) || isStdlib(q) || archiveOffer(o.archive, q.project, q.specifier, o.profile)?.meets) continue;
      void fetchOnce(q);
    }
  };

  let seen = 0;
  while (queue.length > 0) {
    const node = queue.shift() as PlanNode;
    if (++seen > (o.maxNodes ?? MAX_TREE_NODES)) {
      node.problem = problem('RESOLVE_UNSATISFIABLE', `the tree has more than ${o.maxNodes ?? MAX_TREE_NODES} nodes: not followed further`);
      continue;
    }
    if (isStdlib(node)) {
      node.action = 'stdlib';
      continue;
    }
    const first = decided.get(node.project);
    if (first) {
      node.action = 'same';
      if (first.action === 'reuse' && first.archive) {
        node.archive = first.archive;
        const offer = archiveOffer(o.archive, node.project, node.specifier, o.profile);
        if (!offer?.meets)
          node.problem = problem(
            'RESOLVE_CONFLICT',
            `${node.requirement} excludes ${first.archive.package} ${first.archive.version} from the archive, reused for ${first.requirement}`,
          );
      } else if (first.action === 'convert' && first.release) {
        node.release = first.release;
        if (node.specifier && !specifierContains(node.specifier, first.release.version, { prereleases: true })) {
          node.problem = problem(
            'RESOLVE_CONFLICT',
            `${node.requirement} excludes ${first.release.name} ${first.release.version}, chosen for ${first.requirement}`,
          );
        } else {
          const added = node.extras.filter((x) => !first.extras.includes(x));
          if (added.length > 0) {
            first.extras = [...first.extras, ...added].sort();
            const more = expand(first, fetched.get(node.project) as FetchedNode, first.extras);
            first.children.push(...more);
            queue.push(...more);
          }
        }
      }
      continue;
    }
    decided.set(node.project, node);
    const offer = archiveOffer(o.archive, node.project, node.specifier, o.profile);
    if (offer?.meets) {
      node.action = 'reuse';
      node.archive = { package: offer.package, version: offer.version };
      continue;
    }
    try {
      prefetch();
      const meta = await fetchOnce(node);
      fetched.set(node.project, meta);
      node.release = { name: meta.name, version: meta.version, filename: meta.filename, sha256: meta.sha256, evidence: meta.evidence };
      if (meta.requiresPython && !specifierContains(meta.requiresPython, o.profile.pythonFullVersion, { prereleases: true })) {
        node.action = 'error';
        node.problem = problem(
          'RESOLVE_UNSATISFIABLE',
          `${meta.name} ${meta.version} requires Python ${meta.requiresPython}; ${o.profile.id} has ${o.profile.pythonFullVersion}${offer ? `, and the archive's ${offer.package} ${offer.version} does not meet ${node.specifier}` : ''}`,
        );
        continue;
      }
      node.action = 'convert';
      node.children = expand(node, meta, node.extras);
      queue.push(...node.children);
    } catch (e) {
      node.action = 'error';
      const p = problemOf(e);
      if (p.code === 'INDEX_NOT_FOUND' || p.code === 'NO_MATCHING_SDIST') {
        const inArchive = offer
          ? `the archive's ${offer.package} ${offer.version} does not meet ${node.specifier || 'it'}`
          : `${o.archive.source} has no package for ${node.project}`;
        node.problem = problem('RESOLVE_UNSATISFIABLE', `${inArchive}, and the index has no match: ${p.reason}`);
      } else node.problem = p;
    }
  }

  markCycles(roots);
  return summarize(roots, o);
}

/** Depth first over the converted projects' edges: an edge back to a project on the path closes a cycle. */
function markCycles(roots: PlanNode[]): void {
  const byProject = new Map<string, PlanNode>();
  const visit = (n: PlanNode) => {
    if (n.action === 'convert') byProject.set(n.project, n);
    n.children.forEach(visit);
  };
  roots.forEach(visit);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const nameOf = (project: string) => byProject.get(project)?.release?.name ?? project;
  const dfs = (project: string) => {
    const node = byProject.get(project);
    if (!node) return;
    state.set(project, 'open');
    path.push(project);
    for (const child of node.children) {
      if (child.problem || !byProject.has(child.project)) continue;
      const s = state.get(child.project);
      if (s === 'open') {
        const cycle = [...path.slice(path.indexOf(child.project)), child.project].map(nameOf);
        child.problem = problem('RESOLVE_CYCLE', `${cycle.join(' -> ')}: the projects require each other`);
      } else if (s === undefined) dfs(child.project);
    }
    path.pop();
    state.set(project, 'done');
  };
  for (const r of roots) if (r.action === 'convert' && !state.has(r.project)) dfs(r.project);
}

function summarize(roots: PlanNode[], o: TreeOptions): Plan {
  const plan: Plan = { target: o.profile.id, archive: o.archive.source, roots, convert: [], reuse: [], problems: 0, exitStatus: 0 };
  const statuses: number[] = [];
  const seen = new Set<PlanNode>();
  const queue = [...roots];
  while (queue.length > 0) {
    const n = queue.shift() as PlanNode;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.problem) {
      plan.problems++;
      statuses.push(n.problem.exitStatus);
    }
    if (n.action === 'convert' && n.release)
      plan.convert.push({
        project: n.project,
        name: n.release.name,
        version: n.release.version,
        extras: n.extras,
        sha256: n.release.sha256,
        filename: n.release.filename,
      });
    if (n.action === 'reuse' && n.archive) plan.reuse.push({ project: n.project, ...n.archive });
    queue.push(...n.children);
  }
  plan.exitStatus = worstExitStatus(statuses);
  return plan;
}
