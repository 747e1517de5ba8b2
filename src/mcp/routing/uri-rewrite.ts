import type { JsonObject } from '../protocol/messages.js';
import { isObject } from '../protocol/messages.js';

/**
 * URI rewriting inside results when multiplexing: resource links and embedded resources in tool results
 * and prompt messages, and the contents of resources/read, get the `<target>+` prefix so the client can
 * read them back through the gateway.
 */
export function prefixContentUris(result: JsonObject, prefix: (uri: string) => string): JsonObject {
  if (!Array.isArray(result.content)) return result;
  return { ...result, content: result.content.map((c: unknown) => prefixContent(c, prefix)) };
}

export function prefixPromptUris(result: JsonObject, prefix: (uri: string) => string): JsonObject {
  if (!Array.isArray(result.messages)) return result;
  return {
    ...result,
    messages: result.messages.map((m: unknown) =>
      isObject(m) && m.content !== undefined ? { ...m, content: prefixContent(m.content, prefix) } : m,
    ),
  };
}

export function prefixReadUris(result: JsonObject, prefix: (uri: string) => string): JsonObject {
  if (!Array.isArray(result.contents)) return result;
  return {
    ...result,
    contents: result.contents.map((c: unknown) =>
      isObject(c) && typeof c.uri === 'string' ? { ...c, uri: prefix(c.uri) } : c,
    ),
  };
}

function prefixContent(c: unknown, prefix: (uri: string) => string): unknown {
  if (!isObject(c)) return c;
  if (c.type === 'resource_link' && typeof c.uri === 'string') return { ...c, uri: prefix(c.uri) };
  if (c.type === 'resource' && isObject(c.resource) && typeof c.resource.uri === 'string') {
    return { ...c, resource: { ...c.resource, uri: prefix(c.resource.uri) } };
  }
  return c;
}
