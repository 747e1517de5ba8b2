/** "What can this identity do?": every item of every target on the route, allowed or denied, and why. */
import { useMemo, useState } from 'react';
import type { ExplainItem, ExplainResult } from '../../../src/admin/api.js';
import { api } from '../api.js';
import { CelCode } from '../components/Cel.js';
import { Card, Empty, ErrorBox, JsonView } from '../components/common.js';

export function ExplainCard({ token, route }: { token: string; route: string | undefined }) {
  const [result, setResult] = useState<ExplainResult>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState('');
  const [asked, setAsked] = useState<{ token: string; route: string | undefined }>();

  async function explain() {
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.explain(token.trim() || undefined, route));
      setAsked({ token: token.trim(), route });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const byTarget = new Map<string, ExplainItem[]>();
    for (const item of result?.items ?? []) {
      if (f && !`${item.exposedName} ${item.target} ${item.kind}`.toLowerCase().includes(f)) continue;
      const key = `${item.route} · ${item.target}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), item]);
    }
    return [...byTarget.entries()];
  }, [result, filter]);

  const stale = asked && (asked.token !== token.trim() || asked.route !== route);
  const allowed = result?.items.filter((i) => i.allowed).length ?? 0;

  return (
    <Card
      title="What can this identity do?"
      id="explain"
      actions={
        <button type="button" onClick={() => void explain()} disabled={busy}>
          {busy ? 'Asking…' : result ? 'Explain again' : 'Explain'}
        </button>
      }
    >
      <p className="muted small">
        Asks the gateway to evaluate its authorization rules for the token above (or anonymously) against
        every tool, prompt and resource of every target, without calling any of them.
      </p>
      {error ? <ErrorBox message={`Could not explain: ${error}`} /> : null}
      {stale ? <p className="warning small">The token or endpoint changed since: explain again.</p> : null}
      {result ? (
        <div className="explain">
          <div className="identity">
            {result.identity.error ? (
              <ErrorBox
                message={`token rejected: ${result.identity.error} — requests with it fail; shown below as anonymous.`}
              />
            ) : result.identity.claims ? (
              <details>
                <summary>
                  Verified identity: <strong>{String(result.identity.claims['sub'] ?? '(no sub)')}</strong>
                </summary>
                <JsonView value={result.identity.claims} label="Verified claims" />
              </details>
            ) : (
              <p>
                Identity: <strong>anonymous</strong> (no token).
              </p>
            )}
          </div>
          <p role="status">
            {allowed} of {result.items.length} items allowed.
          </p>
          {result.targetErrors?.map((t) => (
            <ErrorBox
              key={`${t.route}/${t.target}`}
              message={`Target ${t.target} could not be listed: ${t.message}`}
            />
          ))}
          {result.items.length ? (
            <div className="field inline">
              <label htmlFor="explain-filter">Filter</label>
              <input
                id="explain-filter"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                placeholder="name or target"
              />
            </div>
          ) : (
            <Empty>No items.</Empty>
          )}
          {groups.map(([group, items]) => (
            <table key={group} className="explain-table">
              <caption>{group}</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Deciding rule</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={`${i.kind}/${i.name}`} className={i.allowed ? 'allowed' : 'denied'}>
                    <td>
                      <span className="muted small">{i.kind}</span> <code>{i.exposedName}</code>
                    </td>
                    <td>
                      <span className={`decision ${i.allowed ? 'decision-allow' : 'decision-deny'}`}>
                        {i.allowed ? '✓ allowed' : '✗ denied'}
                      </span>
                    </td>
                    <td>
                      {i.rule ? (
                        <>
                          <span className="muted small">
                            {i.rule.ref} {i.rule.effect}
                          </span>{' '}
                          <CelCode source={i.rule.source} />
                        </>
                      ) : null}
                      <div className="muted small">{i.reason}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
      ) : null}
    </Card>
  );
}
