/** The Playground's item search: every word must appear in the name, title, description or URI. */
export function matches(
  query: string,
  item: { name: string; title?: string | undefined; description?: string | undefined; uri?: string },
): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [item.name, item.title, item.description, item.uri].filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => text.includes(w));
}
