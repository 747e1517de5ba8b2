import type { ReactNode } from 'react';
import type { ConfigIssue, TargetState } from '../../../src/admin/api.js';

export function Card(props: {
  title: ReactNode;
  id?: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const headingId = props.id ? `${props.id}-title` : undefined;
  return (
    <section className={`card ${props.className ?? ''}`} id={props.id} aria-labelledby={headingId}>
      <header className="card-header">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions ? <div className="card-actions">{props.actions}</div> : null}
      </header>
      <div className="card-body">{props.children}</div>
    </section>
  );
}

export function ErrorBox({ message, fix }: { message: string; fix?: string | undefined }) {
  return (
    <div className="error-box" role="alert">
      <p>{message}</p>
      {fix ? <pre className="fix">{fix}</pre> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}

const STATUS_TEXT: Record<TargetState, string> = { ok: 'ok', failing: 'failing', idle: 'idle' };

export function StatusBadge({ status, title }: { status: TargetState; title?: string | undefined }) {
  return (
    <span className={`badge badge-${status}`} title={title}>
      <span className="dot" aria-hidden="true" />
      {STATUS_TEXT[status]}
    </span>
  );
}

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function IssueList({ issues }: { issues: readonly ConfigIssue[] }) {
  if (!issues.length) return null;
  return (
    <ul className="issues">
      {issues.map((i, n) => (
        <li key={n}>
          <code>
            {i.file}:{i.line}:{i.column}
          </code>{' '}
          {i.path ? <code className="muted">{i.path}</code> : null} {i.message}
        </li>
      ))}
    </ul>
  );
}

export function Tags({ items }: { items: readonly string[] }) {
  if (!items.length) return <span className="muted">—</span>;
  return (
    <span className="tags">
      {items.map((t) => (
        <code key={t} className="tag">
          {t}
        </code>
      ))}
    </span>
  );
}
