/**
 * Optimal parallel order over a dependency graph: each step starts the moment the steps it
 * waits for have finished, and never earlier. This is what the `incus` CLI lower bounds
 * assume (scripts/bench/cliLowerBound.ts): creation follows dependencies, removal follows
 * them backwards (dependents first), and nothing else holds a step back.
 */

/** One node of the graph: its key and the keys it depends on. */
export interface DependencyNode {
  key: string;
  /** Keys of nodes this one needs; keys outside the graph are ignored. */
  dependsOn: readonly string[];
}

/**
 * Runs `step` for every node once, each as soon as its dependencies' steps resolved.
 * Rejects with the first failed step (the others still run to the end).
 */
export async function runInDependencyOrder<T extends DependencyNode>(
  nodes: readonly T[],
  step: (node: T) => Promise<void>,
): Promise<void> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const started = new Map<string, Promise<void>>();
  const visit = (node: T, path: readonly string[]): Promise<void> => {
    const known = started.get(node.key);
    if (known) return known;
    if (path.includes(node.key)) {
      throw new Error(`dependency cycle: ${[...path, node.key].join(" -> ")}`);
    }
    const deps = node.dependsOn
      .map((k) => byKey.get(k))
      .filter((d): d is T => d !== undefined)
      .map((d) => visit(d, [...path, node.key]));
    const p = Promise.all(deps).then(() => step(node));
    started.set(node.key, p);
    return p;
  };
  await Promise.all(nodes.map((n) => visit(n, [])));
}

/**
 * The same in reverse: a node's step starts once the steps of every node that depends on
 * it resolved (what a teardown must do: an instance before its profile).
 */
export async function runInReverseDependencyOrder<T extends DependencyNode>(
  nodes: readonly T[],
  step: (node: T) => Promise<void>,
): Promise<void> {
  const keys = new Set(nodes.map((n) => n.key));
  const dependents = new Map<string, string[]>(nodes.map((n) => [n.key, []]));
  for (const n of nodes) {
    for (const d of new Set(n.dependsOn)) if (keys.has(d)) dependents.get(d)?.push(n.key);
  }
  const reversed = nodes.map((n) => ({
    node: n,
    key: n.key,
    dependsOn: dependents.get(n.key) ?? [],
  }));
  await runInDependencyOrder(reversed, (r) => step(r.node));
}
