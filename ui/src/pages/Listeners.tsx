import { api } from '../api.js';
import { Empty, ErrorBox, Loading, Tags } from '../components/common.js';
import { useLoad } from '../hooks.js';

export function Listeners() {
  const { data, error } = useLoad(api.summary, 10000);
  return (
    <>
      <h1>Listeners</h1>
      <p className="lead">Ports the gateway binds, and the listeners on each (matched by host name).</p>
      {error ? <ErrorBox message={error} /> : null}
      {!data ? (
        <Loading what="listeners" />
      ) : data.listeners.length === 0 ? (
        <Empty>No listeners configured.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Bind</th>
              <th scope="col">Address</th>
              <th scope="col">Listener</th>
              <th scope="col">Hostname</th>
              <th scope="col">Protocol</th>
              <th scope="col">Routes</th>
            </tr>
          </thead>
          <tbody>
            {data.listeners.map((l) => (
              <tr key={l.key}>
                <td>
                  <code>{l.bind}</code>
                </td>
                <td>
                  <code>
                    {l.address.includes(':') ? `[${l.address}]` : l.address}:{l.port}
                  </code>
                </td>
                <td>{l.name}</td>
                <td>{l.hostname || <span className="muted">any</span>}</td>
                <td>{l.protocol}</td>
                <td>
                  <Tags items={l.routes} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
