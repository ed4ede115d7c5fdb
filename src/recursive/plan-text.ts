/**
 * The plan for people: the tree, one node a line, what happens to it and why; problems carry
 * their code and reason on the offending node. Every name and version from an index or an
 * archive is flattened to one line (hostile metadata stays on its line).
 */
import { singleLine } from '../errors.js';
import type { Plan, PlanNode } from './tree.js';

function describe(n: PlanNode): string {
  const req = singleLine(n.requirement, 120);
  if (n.problem) return `${req}  error[${n.problem.code}]: ${singleLine(n.problem.reason, 300)}`;
  switch (n.action) {
    case 'reuse':
      return `${req}  reuse ${singleLine(n.archive?.package ?? '', 80)} ${singleLine(n.archive?.version ?? '', 60)} from the archive`;
    case 'convert':
      return `${req}  convert ${singleLine(n.release?.name ?? '', 80)} ${singleLine(n.release?.version ?? '', 40)} (${singleLine(n.release?.evidence ?? '', 120)})`;
    case 'stdlib':
      return `${req}  in the standard library of the target's Python`;
    case 'same':
      return n.archive
        ? `${req}  (reused above: ${singleLine(n.archive.package, 80)} ${singleLine(n.archive.version, 60)})`
        : `${req}  (converted above: ${singleLine(n.release?.name ?? n.project, 80)} ${singleLine(n.release?.version ?? '', 40)})`;
    default:
      return req;
  }
}

export function planLines(plan: Plan): string[] {
  const lines = [`plan for ${plan.target} (archive: ${singleLine(plan.archive, 200)}):`];
  const walk = (n: PlanNode, prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? describe(n) : `${prefix}${last ? '└─ ' : '├─ '}${describe(n)}`);
    const next = top ? '' : `${prefix}${last ? '   ' : '│  '}`;
    n.children.forEach((c, i) => walk(c, next, i === n.children.length - 1, false));
  };
  for (const r of plan.roots) walk(r, '', true, true);
  const parts = [`convert ${plan.convert.length}`, `reuse ${plan.reuse.length} from the archive`];
  if (plan.problems) parts.push(`${plan.problems} problem${plan.problems === 1 ? '' : 's'}`);
  lines.push(`plan: ${parts.join(', ')}`);
  return lines;
}

/** The plan for tools (--json). */
export function planJson(plan: Plan): object {
  const node = (n: PlanNode): object => ({
    requirement: n.requirement,
    project: n.project,
    action: n.problem ? 'error' : n.action,
    ...(n.extras.length ? { extras: n.extras } : {}),
    ...(n.archive ? { archive: n.archive } : {}),
    ...(n.release ? { release: n.release } : {}),
    ...(n.problem ? { problem: n.problem } : {}),
    children: n.children.map(node),
  });
  return {
    target: plan.target,
    archive: plan.archive,
    exitStatus: plan.exitStatus,
    problems: plan.problems,
    convert: plan.convert,
    reuse: plan.reuse,
    tree: plan.roots.map(node),
  };
}
