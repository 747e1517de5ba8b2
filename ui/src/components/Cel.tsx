import { tokenizeCel } from '../lib/cel.js';

/** A CEL expression with syntax highlighting. */
export function CelCode({ source }: { source: string }) {
  return (
    <code className="cel">
      {tokenizeCel(source).map((t, i) =>
        t.kind === 'space' || t.kind === 'text' ? (
          t.text
        ) : (
          <span key={i} className={`cel-${t.kind}`}>
            {t.text}
          </span>
        ),
      )}
    </code>
  );
}
