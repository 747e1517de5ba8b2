/**
 * Multiplexed names (agentgateway's scheme): tools and prompts are `<target>_<name>` (split after the
 * longest target name that prefixes it, so target names may contain `_`), resource URIs and templates are `<target>+<uri>`. With a single
 * target and `prefixMode: conditional` or `never` names pass through untouched. With several targets
 * and `prefixMode: never`, tools and prompts keep their own names (`resolvesNames`: the owner is found
 * by listing, see unprefixed.ts) while resources stay prefixed, as in agentgateway.
 */
export interface Naming {
  /** Client-facing names or URIs differ from the upstream's (several targets, or `always`). */
  readonly prefixing: boolean;
  /** Tool and prompt names carry no target (`prefixMode: never`, several targets). */
  readonly resolvesNames: boolean;
  /** Client-facing name of an upstream tool/prompt. */
  name(target: string, upstreamName: string): string;
  /** Client-facing URI of an upstream resource or template. */
  uri(target: string, upstreamUri: string): string;
  /** The owning target and the upstream's own name, or undefined when the name names no target. */
  splitName(name: string): { target: string; name: string } | undefined;
  splitUri(uri: string): { target: string; uri: string } | undefined;
}

export function createNaming(
  targets: readonly string[],
  prefixMode: 'conditional' | 'always' | 'never',
): Naming {
  const prefixing = targets.length > 1 || prefixMode === 'always';
  const resolvesNames = prefixMode === 'never' && targets.length > 1;
  const known = new Set(targets);
  const only = targets[0];
  if (!prefixing) {
    return {
      prefixing,
      resolvesNames,
      name: (_t, n) => n,
      uri: (_t, u) => u,
      splitName: (name) => (only === undefined ? undefined : { target: only, name }),
      splitUri: (uri) => (only === undefined ? undefined : { target: only, uri }),
    };
  }
  // Target names may contain `_` (agentgateway allows it): the longest target name that prefixes the
  // value wins, so `a_b_tool` belongs to target `a_b` rather than `a` when both exist.
  const byLength = [...known].sort((a, b) => b.length - a.length);
  const split = (value: string, sep: string): { target: string; rest: string } | undefined => {
    const target = byLength.find((t) => value.startsWith(`${t}${sep}`));
    return target === undefined ? undefined : { target, rest: value.slice(target.length + sep.length) };
  };
  return {
    prefixing,
    resolvesNames,
    name: resolvesNames ? (_t, n) => n : (t, n) => `${t}_${n}`,
    uri: (t, u) => `${t}+${u}`,
    splitName: (name) => {
      if (resolvesNames) return undefined;
      const s = split(name, '_');
      return s && s.rest !== '' ? { target: s.target, name: s.rest } : undefined;
    },
    splitUri: (uri) => {
      const s = split(uri, '+');
      return s && s.rest !== '' ? { target: s.target, uri: s.rest } : undefined;
    },
  };
}
