/**
 * A reload of an empty file (an editor's truncate-then-write, a ConfigMap mid-update) would close every
 * listener: it is refused instead. Empty = nothing but whitespace and YAML comments.
 */
export const EMPTY_CONFIG_MESSAGE = 'config file is empty; keeping the previous config';

export function emptyConfigError(text: string): Error | undefined {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#') && t !== '---' && t !== '...') return undefined;
  }
  return new Error(EMPTY_CONFIG_MESSAGE);
}
