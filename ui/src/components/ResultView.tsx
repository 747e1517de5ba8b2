/** Renders MCP content blocks: text (JSON pretty-printed), images, audio, embedded resources, links. */
import type { CallToolResult, GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { JsonView } from './common.js';

type Block = CallToolResult['content'][number];

export function ToolResultView({ result }: { result: CallToolResult }) {
  return (
    <div className={`result ${result.isError ? 'result-error' : ''}`}>
      {result.isError ? <p className="error-text">The tool reported an error:</p> : null}
      {result.content.map((b, i) => (
        <ContentBlock key={i} block={b} />
      ))}
      {result.content.length === 0 && !result.structuredContent ? (
        <p className="muted">(empty result)</p>
      ) : null}
      {result.structuredContent ? (
        <>
          <h4>Structured content</h4>
          <JsonView value={result.structuredContent} label="Structured content" />
        </>
      ) : null}
    </div>
  );
}

export function PromptResultView({ result }: { result: GetPromptResult }) {
  return (
    <div className="result">
      {result.description ? <p>{result.description}</p> : null}
      {result.messages.map((m, i) => (
        <div key={i} className="message">
          <span className="role">{m.role}</span>
          <ContentBlock block={m.content as Block} />
        </div>
      ))}
    </div>
  );
}

export function ResourceResultView({ result }: { result: ReadResourceResult }) {
  return (
    <div className="result">
      {result.contents.map((c, i) => (
        <ContentBlock key={i} block={{ type: 'resource', resource: c } as Block} />
      ))}
    </div>
  );
}

function ContentBlock({ block }: { block: Block }) {
  switch (block.type) {
    case 'text':
      return <TextBlock text={block.text} />;
    case 'image':
      return (
        <img
          className="result-image"
          src={`data:${block.mimeType};base64,${block.data}`}
          alt={`image result (${block.mimeType})`}
        />
      );
    case 'audio':
      return <audio controls src={`data:${block.mimeType};base64,${block.data}`} aria-label="audio result" />;
    case 'resource': {
      const r = block.resource;
      return (
        <div className="embedded">
          <div className="muted small">
            resource <code>{r.uri}</code> {r.mimeType ? `(${r.mimeType})` : ''}
          </div>
          {'text' in r && typeof r.text === 'string' ? (
            <TextBlock text={r.text} />
          ) : 'blob' in r && typeof r.blob === 'string' && r.mimeType?.startsWith('image/') ? (
            <img className="result-image" src={`data:${r.mimeType};base64,${r.blob}`} alt={r.uri} />
          ) : (
            <p className="muted">
              binary content (
              {'blob' in r && typeof r.blob === 'string' ? Math.floor((r.blob.length * 3) / 4) : 0} bytes)
            </p>
          )}
        </div>
      );
    }
    case 'resource_link':
      return (
        <p>
          link to resource <code>{block.uri}</code> {block.name ? `(${block.name})` : ''}
        </p>
      );
    default:
      return <JsonView value={block} label="content block" />;
  }
}

function TextBlock({ text }: { text: string }) {
  const t = text.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return <JsonView value={JSON.parse(t) as unknown} label="JSON result" />;
    } catch {
      // not JSON after all
    }
  }
  return <pre className="text-result">{text}</pre>;
}
