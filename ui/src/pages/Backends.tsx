import { api } from '../api.js';
import { Card, Empty, ErrorBox, Loading, StatusBadge } from '../components/common.js';
import { useLoad } from '../hooks.js';
import { SessionsCard } from './BackendsSessions.js';

export function Backends() {
  const summary = useLoad(api.summary, 3000);
  const targets = summary.data?.targets;
  return (
    <>
      <h1>Backends and targets</h1>
      <p className="lead">MCP servers behind each route, with their live status (refreshed every 3 s).</p>
      {summary.error ? <ErrorBox message={summary.error} /> : null}
      <Card title="Targets" id="targets">
        {!targets ? (
          <Loading what="targets" />
        ) : targets.length === 0 ? (
          <Empty>No MCP targets configured.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">Kind</th>
                <th scope="col">Command / URL</th>
                <th scope="col">Backend</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {targets.map((t) => (
                <tr key={`${t.backend}/${t.name}`}>
                  <td>
                    <strong>{t.name}</strong>
                  </td>
                  <td>{t.kind}</td>
                  <td>
                    <code className="wrap">{t.detail}</code>
                  </td>
                  <td>
                    <code>{t.backend}</code>
                    <div className="muted small">{t.route}</div>
                  </td>
                  <td>
                    <StatusBadge status={t.status} title={t.error} />
                    {t.error ? <div className="error-text small">{t.error}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <SessionsCard />
    </>
  );
}
