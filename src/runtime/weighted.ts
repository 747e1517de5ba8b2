/**
 * Weighted random choice among a route's backends, as agentgateway does (`choose_weighted` over the
 * route's backends, per request): a backend with weight 2 gets twice the requests of one with weight 1;
 * weight 0 is never chosen; when every weight is 0 there is no backend (`no valid backends`).
 * The cumulative weights are built once at load; a pick is one random number and a short scan.
 */
export type Picker<T> = (random?: number) => T | undefined;

export function weightedPicker<T>(
  items: readonly { readonly weight: number; readonly value: T }[],
): Picker<T> {
  const live = items.filter((i) => i.weight > 0);
  const only = live[0];
  if (live.length <= 1) return () => only?.value;
  const cumulative: number[] = [];
  let total = 0;
  for (const i of live) cumulative.push((total += i.weight));
  return function pickWeighted(random = Math.random()) {
    const at = random * total;
    for (let k = 0; k < cumulative.length; k++) if (at < cumulative[k]!) return live[k]!.value;
    return live[live.length - 1]!.value;
  };
}
