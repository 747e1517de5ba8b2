import { api } from '../api.js';
import { Empty, ErrorBox, Loading, Tags } from '../components/common.js';
import { useLoad } from '../hooks.js';
import { Link } from '../router.js';

export function Routes() {
  const { data, error } = useLoad(api.summary, 10000);
  return (
    <>
      <h1>Routes</h1>
      <p className="lead">How requests are matched, which policies run and where they go.</p>
      {error ? <ErrorBox message={error} /> : null}
      {!data ? (
        <Loading what="routes" />
      ) : data.routes.length === 0 ? (
        <Empty>No routes configured.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Route</th>
              <th scope="col">Hostnames</th>
              <th scope="col">Matches</th>
              <th scope="col">Policies</th>
              <th scope="col">Backends</th>
            </tr>
          </thead>
          <tbody>
            {data.routes.map((r) => (
              <tr key={r.key}>
                <td>
                  <strong>{r.name}</strong>
                  <div className="muted small">
                    <code>{r.key}</code>
                  </div>
                </td>
                <td>
                  <Tags items={r.hostnames} />
                </td>
                <td>
                  <Tags items={r.matches} />
                </td>
                <td>
                  {Object.keys(r.policies).length ? (
                    <Link to={`/policies/#${encodeURIComponent(r.key)}`}>
                      <Tags items={Object.keys(r.policies)} />
                    </Link>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>
                  {r.backends.map((b, i) => (
                    <div key={i}>
                      {b.kind === 'mcp' ? (
                        <>
                          MCP <code>{b.name}</code> ({b.statefulMode}): <Tags items={b.targets} />
                        </>
                      ) : (
                        <>
                          host <code>{b.host}</code>
                        </>
                      )}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
