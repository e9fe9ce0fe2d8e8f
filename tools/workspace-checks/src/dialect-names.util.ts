import ts from 'typescript';

/** One place a dialect's name stands in code: a name, a string or a template part (never a comment). */
export interface DialectMention {
  readonly file: string;
  readonly line: number;
  readonly dialect: string;
  /** The whole token the name stands in (`featurebaseVersion`, `'HOOKYARD_PLATFORM_ENVIRONMENT'`). */
  readonly token: string;
}

/** The words of a token: split at anything but letters and digits, and where camel case turns. */
export function wordsOf(token: string): string[] {
  return token
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** The text of a node the check reads: identifiers, string and template literals, JSX text. */
function codeTextOf(node: ts.Node): string | null {
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isJsxText(node))
    return node.text;
  return null;
}

/** Where any of `dialects` stands as a word of a name or a string in `source` (TypeScript or TSX). */
export function dialectMentions(
  file: string,
  source: string,
  dialects: readonly string[],
): DialectMention[] {
  const parsed = ts.createSourceFile(
    file,
    source,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const mentions: DialectMention[] = [];
  const visit = (node: ts.Node): void => {
    const text = codeTextOf(node);
    if (text !== null) {
      const words = wordsOf(text);
      for (const dialect of dialects.filter((name) => words.includes(name))) {
        const { line } = parsed.getLineAndCharacterOfPosition(node.getStart(parsed));
        mentions.push({ file, line: line + 1, dialect, token: text });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(parsed);
  return mentions;
}
