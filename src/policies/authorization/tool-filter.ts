/**
 * Static per-target shaping: `tools: {include, exclude}` globs on
 * a target hide tools for everyone, before any CEL rule runs. Names are the upstream's (unprefixed) names.
 *
 * - no `include` → every tool is included; otherwise only names matching one of its globs
 * - a name matching any `exclude` glob is hidden (exclude wins over include)
 * - globs: `*` any run of characters (also none), `?` one character; everything else is literal and
 *   case-sensitive (`get-*`, `*_admin`, `echo`).
 */

export interface ToolFilterConfig {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
}

function globSource(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** One matcher for a glob list: exact names by Set lookup, the rest as one anchored RegExp. */
function compileGlobs(globs: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const patterns: string[] = [];
  for (const g of globs) {
    if (g.includes('*') || g.includes('?')) patterns.push(globSource(g));
    else exact.add(g);
  }
  const re = patterns.length > 0 ? new RegExp(`^(?:${patterns.join('|')})$`, 'su') : undefined;
  if (!re) return (name) => exact.has(name);
  return (name) => exact.has(name) || re.test(name);
}

const ALL = function allTools(): boolean {
  return true;
};

export function compileToolFilter(cfg?: ToolFilterConfig): (name: string) => boolean {
  if (!cfg || (cfg.include === undefined && (cfg.exclude === undefined || cfg.exclude.length === 0)))
    return ALL;
  const included = cfg.include === undefined ? ALL : compileGlobs(cfg.include);
  const excluded = cfg.exclude && cfg.exclude.length > 0 ? compileGlobs(cfg.exclude) : undefined;
  return function toolFilter(name: string): boolean {
    return included(name) && !(excluded && excluded(name));
  };
}
