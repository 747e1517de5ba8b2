/**
 * Multiplexed names (agentgateway's scheme): tools and prompts are `<target>_<name>` (split on the first
 * `_`; target names never contain one), resource URIs and templates are `<target>+<uri>`. With a single
 * target and `prefixMode: conditional` names pass through untouched.
 */
export interface Naming {
  readonly prefixing: boolean;
  /** Client-facing name of an upstream tool/prompt. */
  name(target: string, upstreamName: string): string;
  /** Client-facing URI of an upstream resource or template. */
  uri(target: string, upstreamUri: string): string;
  /** The owning target and the upstream's own name, or undefined when the name names no target. */
  splitName(name: string): { target: string; name: string } | undefined;
  splitUri(uri: string): { target: string; uri: string } | undefined;
}

export function createNaming(targets: readonly string[], prefixMode: 'conditional' | 'always'): Naming {
  const prefixing = targets.length > 1 || prefixMode === 'always';
  const known = new Set(targets);
  const only = targets[0];
  if (!prefixing) {
    return {
      prefixing,
      name: (_t, n) => n,
      uri: (_t, u) => u,
      splitName: (name) => (only === undefined ? undefined : { target: only, name }),
      splitUri: (uri) => (only === undefined ? undefined : { target: only, uri }),
    };
  }
  const split = (value: string, sep: string): { target: string; rest: string } | undefined => {
    const i = value.indexOf(sep);
    if (i <= 0) return undefined;
    const target = value.slice(0, i);
    return known.has(target) ? { target, rest: value.slice(i + 1) } : undefined;
  };
  return {
    prefixing,
    name: (t, n) => `${t}_${n}`,
    uri: (t, u) => `${t}+${u}`,
    splitName: (name) => {
      const s = split(name, '_');
      return s && s.rest !== '' ? { target: s.target, name: s.rest } : undefined;
    },
    splitUri: (uri) => {
      const s = split(uri, '+');
      return s && s.rest !== '' ? { target: s.target, uri: s.rest } : undefined;
    },
  };
}
