/** Readiness on the Home page: what `/healthz/ready` answers, why not, and each target's health. */
import type { AdminSummary } from '../../../src/admin/api.js';
import { api } from '../api.js';
import { Card, ErrorBox, Loading, StatusBadge } from '../components/common.js';
import { useLoad } from '../hooks.js';
import { Link } from '../router.js';

export function ReadinessCard({ summary }: { summary: AdminSummary | undefined }) {
  const ready = useLoad(api.ready, 3000);
  const r = ready.data;
  return (
    <Card title="Readiness" id="readiness">
      {ready.error ? <ErrorBox message={`Could not load readiness: ${ready.error}`} /> : null}
      {!r ? (
        <Loading what="readiness" />
      ) : (
        <p data-testid="readiness" data-ready={r.ready}>
          <StatusBadge status={r.ready ? 'ok' : 'failing'} />{' '}
          {r.ready ? (
            <strong>Ready</strong>
          ) : (
            <>
              <strong>Not ready</strong> — <code>/healthz/ready</code> answers 503
            </>
          )}
        </p>
      )}
      {r && r.pending.length ? (
        <ul className="issues" aria-label="Waiting for">
          {r.pending.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      {summary?.targets.length ? (
        <table aria-label="Target health">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Health</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {summary.targets.map((t) => (
              <tr key={`${t.backend}/${t.name}`}>
                <td>
                  <Link to="/backends/">{t.name}</Link>
                </td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td className="error-text small">{t.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
