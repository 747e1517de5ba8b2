/** Flattens config/build errors into located issues for logs, the admin API and the UI. */
export interface ReloadIssue {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;
  readonly message: string;
  /** `file:line:col: path: message` */
  readonly text: string;
}

interface IssueLike {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  message: string;
}

function fromIssue(i: IssueLike): ReloadIssue {
  const loc = [i.file, i.line, i.column].filter((x) => x !== undefined).join(':');
  const text = [loc, i.path, i.message].filter(Boolean).join(': ');
  return { file: i.file, line: i.line, column: i.column, path: i.path, message: i.message, text };
}

export function issuesOf(e: unknown): ReloadIssue[] {
  if (e && typeof e === 'object') {
    const issues = (e as { issues?: unknown }).issues;
    if (Array.isArray(issues)) return (issues as IssueLike[]).map(fromIssue);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) return errors.flatMap(issuesOf);
  }
  const message = e instanceof Error ? e.message : String(e);
  return [fromIssue({ message })];
}
