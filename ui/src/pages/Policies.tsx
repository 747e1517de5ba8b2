import type { RouteSummary } from '../../../src/admin/api.js';
import { api } from '../api.js';
import { CelCode } from '../components/Cel.js';
import { Card, Empty, ErrorBox, JsonView, Loading, Tags } from '../components/common.js';
import type {
  AuthorizationRule,
  AuthorizationRules,
  Cors,
  JwtAuth,
  RoutePolicies,
} from '../generated/config.js';
import { useLoad } from '../hooks.js';

const SHOWN = new Set(['jwtAuth', 'cors', 'mcpAuthorization', 'authorization']);

export function Policies() {
  const { data, error } = useLoad(api.summary, 10000);
  return (
    <>
      <h1>Policies</h1>
      <p className="lead">
        Per route, in the order they run: CORS, authentication (jwtAuth), HTTP authorization, rate limits,
        then the MCP authorization rules that decide every tool, prompt and resource.
      </p>
      {error ? <ErrorBox message={error} /> : null}
      {!data ? (
        <Loading what="policies" />
      ) : data.routes.length === 0 ? (
        <Empty>No routes configured.</Empty>
      ) : null}
      {data?.routes.map((r) => (
        <RoutePolicyCard key={r.key} route={r} />
      ))}
    </>
  );
}

function RoutePolicyCard({ route }: { route: RouteSummary }) {
  const p = route.policies as RoutePolicies;
  const others = Object.entries(p).filter(([k]) => !SHOWN.has(k));
  return (
    <Card
      title={
        <>
          Route <code>{route.key}</code>
        </>
      }
      id={route.key}
    >
      {Object.keys(p).length === 0 ? (
        <Empty>No policies: every request is forwarded and every item allowed.</Empty>
      ) : null}
      {p.cors ? <CorsView cors={p.cors} /> : null}
      {p.jwtAuth ? <JwtView jwt={p.jwtAuth} /> : null}
      {p.authorization ? <RulesView title="HTTP authorization" rules={p.authorization} /> : null}
      {p.mcpAuthorization ? <RulesView title="MCP authorization" rules={p.mcpAuthorization} /> : null}
      {others.map(([k, v]) => (
        <div className="policy" key={k}>
          <h3>{k}</h3>
          <JsonView value={v} label={`${k} policy`} />
        </div>
      ))}
    </Card>
  );
}

function CorsView({ cors }: { cors: Cors }) {
  return (
    <div className="policy">
      <h3>CORS</h3>
      <dl className="kv">
        <dt>Allowed origins</dt>
        <dd>
          <Tags items={cors.allowOrigins ?? []} />
        </dd>
        <dt>Allowed headers</dt>
        <dd>
          <Tags items={cors.allowHeaders ?? []} />
        </dd>
        <dt>Allowed methods</dt>
        <dd>
          <Tags items={cors.allowMethods ?? []} />
        </dd>
        <dt>Exposed headers</dt>
        <dd>
          <Tags items={cors.exposeHeaders ?? []} />
        </dd>
        <dt>Credentials</dt>
        <dd>{cors.allowCredentials ? 'allowed' : 'not allowed'}</dd>
        {cors.maxAge ? (
          <>
            <dt>Max age</dt>
            <dd>{cors.maxAge}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

function JwtView({ jwt }: { jwt: JwtAuth }) {
  const providers =
    'providers' in jwt ? jwt.providers : [{ issuer: jwt.issuer, audiences: jwt.audiences, jwks: jwt.jwks }];
  return (
    <div className="policy">
      <h3>JWT authentication</h3>
      <p>
        Mode <strong>{jwt.mode ?? 'optional'}</strong>
        {jwt.clockSkew ? <> · clock skew {jwt.clockSkew}</> : null}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Issuer</th>
            <th scope="col">Audiences</th>
            <th scope="col">Keys</th>
          </tr>
        </thead>
        <tbody>
          {providers.map((pr, i) => (
            <tr key={i}>
              <td>
                <code>{pr.issuer}</code>
              </td>
              <td>
                <Tags items={pr.audiences ?? []} />
              </td>
              <td>{describeJwks(pr.jwks)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function describeJwks(jwks: unknown) {
  if (typeof jwks === 'string') return <span>inline JWKS</span>;
  if (jwks && typeof jwks === 'object') {
    const j = jwks as { file?: string; url?: string };
    if (j.file)
      return (
        <>
          file <code>{j.file}</code>
        </>
      );
    if (j.url)
      return (
        <>
          URL <code>{j.url}</code>
        </>
      );
  }
  return <span className="muted">—</span>;
}

function ruleParts(rule: AuthorizationRule): { effect: 'allow' | 'deny' | 'require'; source: string } {
  if (typeof rule === 'string') return { effect: 'allow', source: rule };
  if ('deny' in rule) return { effect: 'deny', source: rule.deny };
  if ('require' in rule) return { effect: 'require', source: rule.require };
  return { effect: 'allow', source: rule.allow };
}

function RulesView({ title, rules }: { title: string; rules: AuthorizationRules }) {
  return (
    <div className="policy">
      <h3>{title}</h3>
      {rules.rules.length === 0 ? (
        <Empty>No rules.</Empty>
      ) : (
        <ol className="rules">
          {rules.rules.map((r, i) => {
            const { effect, source } = ruleParts(r);
            return (
              <li key={i}>
                <span className={`effect effect-${effect}`}>{effect}</span> <CelCode source={source} />
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
