// POSIX shell quoting for the one place a command string is unavoidable: the command line that ssh hands to
// the remote user's login shell. Every user-supplied piece goes through `quote`, which wraps it in single
// quotes (inside which a POSIX shell interprets nothing) and writes each embedded single quote as '\''.

/** Characters that never need quoting in a POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export class QuoteError extends Error {}

/** Quotes one word for a POSIX shell (sh, dash, bash, zsh). NUL bytes cannot be passed through a shell: refused. */
export function quote(word: string): string {
  if (word.includes('\0')) throw new QuoteError('a NUL byte cannot be passed to a remote shell');
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each word and joins them with spaces: a simple command. */
export function quoteArgs(words: readonly string[]): string {
  return words.map(quote).join(' ');
}

/**
 * A remote path that may start with `~/` (the remote home): the tilde part stays outside the quotes as
 * "$HOME" so the remote shell expands it, and the rest is quoted.
 */
export function quotePath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) {
    const rest = path.slice(2);
    return rest === '' ? '"$HOME"/' : `"$HOME"/${quote(rest)}`;
  }
  return quote(path);
}

/**
 * Quoting for rsync's `-e` option, which rsync splits into words itself: it knows single and double quotes
 * but not backslashes, and a doubled quote character inside quotes stands for one literal quote.
 */
export function rsyncQuote(word: string): string {
  if (word.includes('\0')) throw new QuoteError('a NUL byte cannot be passed to rsync');
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, "''")}'`;
}

/** A valid environment variable name (exported on the remote side). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** `export NAME=value` with the value quoted; the name is checked. */
export function exportLine(name: string, value: string): string {
  if (!isEnvName(name)) throw new QuoteError(`not a valid environment variable name: ${JSON.stringify(name)}`);
  return `export ${name}=${quote(value)}`;
}
