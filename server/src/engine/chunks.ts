// Where a Python module's top-level statements start, found by a lexical scan (brackets, strings, comments,
// line continuations): the text is parsed chunk by chunk, each chunk from one top-level statement to the next,
// so that an edit re-parses one chunk and an unclosed bracket cannot re-shape the rest of the file.
//
// A chunk starts at a line whose first character is code at column 0, outside brackets, strings and
// backslash continuations, unless the line continues the statement before it (`else`, `elif`, `except`,
// `finally`, or the definition after a decorator). For valid Python every such line starts a top-level
// statement, so parsing chunk by chunk gives the tree a whole-file parse gives (test/engine/chunks.test.ts
// compares both on every file of the examples and fixtures). Missing a start only makes a chunk larger.
//
// One recovery for code being typed: a line at column 0 starting with `def`, `class`, `async def` or
// `import`, which no open bracket can contain, starts a chunk even inside brackets: an unclosed `(` stays
// an error in its own statement. An indented `def`, `class` or `async def` line ends an open bracket too (it
// starts no chunk): a bracket left open in a method does not swallow the statements after its class. Large
// classes and functions are cut further (definitionCuts), with their own recovery for brackets left open.

import type { TextChange } from './document';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const FF = 12;
const HASH = 35;
const BACKSLASH = 92;
const AT = 64;
const SQ = 39;
const DQ = 34;

/** Keywords that continue the statement before them when they start a line at column 0. */
const CONTINUATION = /(?:else|elif|except|finally)(?![\w\u0080-\uffff])/y;
/** Keywords that cannot be inside brackets: at column 0 they start a statement even after an unclosed bracket. */
const STATEMENT_ONLY = /(?:def|class|import|async[ \t]+def)(?![\w\u0080-\uffff])/y;

function matchesAt(re: RegExp, text: string, at: number): boolean {
  re.lastIndex = at;
  return re.test(text);
}

/**
 * Offsets where top-level chunks start, in order; the first is always 0 (comments and blank lines before
 * the first statement are a chunk of their own; those after a statement belong to its chunk). Chunk k is text[starts[k], starts[k + 1]).
 */
export function chunkStarts(text: string): number[] {
  const starts = [0];
  scan(text, 0, (s) => void starts.push(s));
  return starts;
}

/** The index of `target` in ascending `values` from index `from` on (-1: absent), by bisection. */
export function indexOfSorted(values: readonly number[], target: number, from = 0): number {
  let lo = from;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] === target) return mid;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * chunkStarts of `text`, given `old`, the chunk starts of the text before a change: [change.start, change.end)
 * of `text` replaced [change.start, change.end - change.delta) of it. Only the text from the chunk before the
 * change to the first start after it that was a start before (the rest then follows as before) is scanned.
 */
export function chunkStartsAfter(text: string, old: readonly number[], change: TextChange): number[] {
  // the last old start at or before the change, and one more back: the change may be on that start's line
  let k = old.length - 1;
  while (k > 0 && old[k] > change.start) k--;
  k = Math.max(0, k - 1);
  const from = old[k];
  const starts = old.slice(0, k + 1);
  // the index of an old start after k, at or after the change's old end, equal to `t` (-1: none)
  const oldIndex = (t: number): number => (t < change.end - change.delta ? -1 : indexOfSorted(old, t, k + 1));
  let rest = -1;
  scan(text, from, (s) => {
    const j = s >= change.end ? oldIndex(s - change.delta) : -1;
    if (j >= 0) {
      // a clean start whose text onwards is the old text's from old[j]: the same starts follow, moved
      rest = j;
      return false;
    }
    starts.push(s);
    return true;
  });
  if (rest >= 0) for (let j = rest; j < old.length; j++) starts.push(old[j] + change.delta);
  return starts;
}

/** Where a lexical scan is, at the start of a line: open brackets, an open triple-quoted string, a continuation. */
interface LexState {
  depth: number; // open brackets
  quote: number; // the quote character of an open triple-quoted string, or 0
  continued: boolean; // the line before ended with a backslash continuation
}

/**
 * Scans the line from `i` (its start) through its line break, updating `st`: the offset of the next line's start
 * (`text.length` at the end).
 */
function lexLine(text: string, i: number, st: LexState): number {
  const n = text.length;
  st.continued = false;
  // the rest of the line (and any triple-quoted string running on)
  while (i < n) {
    const c = text.charCodeAt(i);
    if (st.quote !== 0) {
      if (c === BACKSLASH) {
        i += 2;
        continue;
      }
      if (c === st.quote && text.charCodeAt(i + 1) === st.quote && text.charCodeAt(i + 2) === st.quote) {
        st.quote = 0;
        i += 3;
        continue;
      }
      if (c === LF || c === CR) break;
      i++;
      continue;
    }
    if (c === LF || c === CR) break;
    if (c === HASH) {
      while (i < n && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) i++;
      break;
    }
    if (c === SQ || c === DQ) {
      if (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c) {
        st.quote = c;
        i += 3;
        continue;
      }
      // a one-line string: ends at its quote or at the end of the line (unterminated)
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) {
          const e = text.charCodeAt(i + 1);
          // a backslash before a line break continues the string on the next line
          if (e === CR && text.charCodeAt(i + 2) === LF) i += 3;
          else i += 2;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        if (d === LF || d === CR) break;
        i++;
      }
      continue;
    }
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === LF || e === CR) {
        st.continued = true;
        return i + (e === CR && text.charCodeAt(i + 2) === LF ? 3 : 2);
      }
      i++;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) st.depth++;
    else if ((c === 41 || c === 93 || c === 125) && st.depth > 0) st.depth--;
    i++;
  }
  // past the line break
  if (i < n) i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
  return i;
}

/** The offset after the indentation (spaces, tabs, form feeds) of the line starting at `i`. */
function indentEnd(text: string, i: number): number {
  for (let c = text.charCodeAt(i); c === SPACE || c === TAB || c === FF; c = text.charCodeAt(++i));
  return i;
}

function hasFormFeed(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === FF) return true;
  return false;
}

/** Whether the line starting at `i` begins, at column 0, with code (not blank, not a comment). */
function codeAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return i < text.length && c !== SPACE && c !== TAB && c !== FF && c !== HASH && c !== LF && c !== CR;
}

/**
 * Scans `text` from `from`, a chunk start (outside brackets, strings and continuations), and calls `onStart`
 * with each later chunk start until it returns false.
 */
function scan(text: string, from: number, onStart: (start: number) => boolean | void): void {
  const n = text.length;
  const st: LexState = { depth: 0, quote: 0, continued: false };
  let afterDecorator = false; // the last logical line at column 0 was a decorator
  let i = from;
  while (i < n) {
    const lineStart = i;
    if (st.quote === 0 && !st.continued) {
      if (codeAt(text, i)) {
        if (st.depth > 0 && matchesAt(STATEMENT_ONLY, text, i)) st.depth = 0; // recovery: the bracket was never closed
        if (st.depth === 0) {
          const continues = afterDecorator || matchesAt(CONTINUATION, text, i);
          if (!continues && lineStart > from && onStart(lineStart) === false) return;
          afterDecorator = text.charCodeAt(i) === AT;
        }
      } else if (st.depth > 0 && matchesAt(DEFINITION, text, indentEnd(text, i))) {
        // an indented definition cannot be inside brackets either: the bracket was never closed (so it stays in its
        // method, and the statements after the class still start chunks)
        st.depth = 0;
      }
    }
    i = lexLine(text, i, st);
  }
}

/** A definition at the start of a line (after its indentation): `def`, `class`, `async def`. */
const DEFINITION = /(?:def|class|async[ \t]+def)(?![\w\u0080-\uffff])/y;
const CLASS = /class(?![\w\u0080-\uffff])/y;
const FUNCTION = /(?:def|async[ \t]+def)(?![\w\u0080-\uffff])/y;
/** What a statement starts with (a keyword or a name), as a line left inside an unclosed bracket cannot well. */
const WORD = /[A-Za-z_\u0080-\uffff]/y;

/** Where a definition's chunk is cut (definitionCuts): the starts of its pieces, and of its tails. */
export interface DefinitionCuts {
  members: number[];
  /**
   * Where the comments indented less than the body after the definition's last line start (they are not in it),
   * or, after a bracket left open, the module's statements the chunk holds, each: none if neither.
   */
  tails: number[];
}

/**
 * Where the class or function statement text[start, end) (a top-level chunk: decorators, the `class` or `def`
 * line, its body, and the blank lines and comments after it) is cut: at the lines of its body, at the body's
 * indentation, that begin a member of a class (a decorator, `def`, `async def` or `class`; a decorated
 * definition starts at its first decorator) or a statement of a function (any code line but `else`, `elif`,
 * `except` and `finally`, and the definition after a decorator), from the second on; and where the comments
 * after its last line begin, from the first one indented less than the body. The text from the header to the
 * second member, from each member to the next, and the tail can then be parsed alone: an indented piece parses
 * as its lines would in the definition (a comment indented less than the body, commented-out code, between or
 * inside members included). As at the top level, a definition line ends a bracket left open before it (an
 * unclosed `(` stays an error in its own method); in a function whose brackets do not balance (code being
 * typed), so does a line at the body's indentation starting with a word, and one at column 0 (which the
 * top-level scan left in the function's chunk) ends the function: it and what follows are the tail, parsed as
 * the module's statements. Undefined when the definition is not to be cut: a line of code indented less than
 * the body (inside brackets) or unlike it (tabs and spaces), or a body of one member.
 */
export function definitionCuts(text: string, start: number, end: number): DefinitionCuts | undefined {
  // valid code balances its brackets: cut only where a statement can start; with recovery only if not
  const first = cutsOf(text, start, end, false);
  if (first.balanced || !first.function) return first.cuts;
  return cutsOf(text, start, end, true).cuts;
}

function cutsOf(text: string, start: number, end: number, recover: boolean): { cuts: DefinitionCuts | undefined; balanced: boolean; function: boolean } {
  const st: LexState = { depth: 0, quote: 0, continued: false };
  const members: number[] = [];
  let indent = ''; // the body's indentation, once its first line is seen
  let fn: boolean | undefined; // a function (else a class), once its header line is seen
  let count = 0;
  let afterDecorator = false;
  let unbalanced = false; // a bracket was left open at a definition
  let rejected = false; // not to be cut (the scan goes on, to tell whether its brackets balance)
  const more: number[] = []; // module statements after the tail's first (recovery)
  let tail = -1; // the first comment line indented less than the body after the body began, while only comments followed it
  let i = start;
  while (i < end) {
    const lineStart = i;
    if (!rejected && st.quote === 0 && !st.continued) {
      const col = indentEnd(text, i) - i;
      const c = text.charCodeAt(i + col);
      if (i + col < end && c !== LF && c !== CR) {
        if (indent === '') {
          // the header: decorators, then the class or def line (lines inside its brackets aside); then the body's
          // first line of code (not a comment) sets its indentation
          if (col === 0 && st.depth === 0 && c !== HASH && c !== AT) {
            if (fn !== undefined) rejected = true; // a second statement at column 0: not a definition with a body
            else if (matchesAt(CLASS, text, i)) fn = false;
            else if (matchesAt(FUNCTION, text, i)) fn = true;
            else rejected = true;
          }
          if (col > 0 && c !== HASH && st.depth === 0) indent = text.slice(i, i + col);
        } else if (hasFormFeed(text, i, i + col)) {
          rejected = true; // a form feed in the indentation: tree-sitter counts the columns after it only
        } else if (c === HASH && st.depth === 0 && (tail >= 0 || (col < indent.length && indent.startsWith(text.slice(i, i + col))))) {
          // a comment indented less than the body, and any comment after it: after the definition (the tail),
          // unless a line of the body follows (tree-sitter closes the blocks a comment is indented less than only
          // once no code line follows it in them)
          if (tail < 0) tail = lineStart;
        } else if (recover && col === 0 && matchesAt(WORD, text, i)) {
          // a statement at column 0 that the top-level scan left in the chunk (a bracket opened in the body was left
          // open): the definition ends before it, and what follows is the module's, chunk by chunk (the tails)
          tail = lineStart;
          scan(text, lineStart, (s) => (s < end ? void more.push(s) : false));
          break;
        } else if (col < indent.length || !text.startsWith(indent, i)) {
          rejected = true; // a line of code indented less than the body (inside brackets), or otherwise, inside it
        } else tail = -1; // the body goes on: the comments before this line are in the definition
        if (!rejected && indent !== '' && tail < 0 && col === indent.length && c !== HASH) {
          const definition = matchesAt(DEFINITION, text, i + col);
          const statement = fn === true && !matchesAt(CONTINUATION, text, i + col);
          if (st.depth > 0 && (definition || (recover && statement && matchesAt(WORD, text, i + col)))) {
            st.depth = 0; // recovery: the bracket was never closed
            unbalanced = true;
          }
          if (st.depth === 0) {
            if (definition || c === AT || statement) {
              if (!afterDecorator && ++count >= 2) members.push(lineStart);
              afterDecorator = c === AT;
            } else afterDecorator = false;
          }
        }
      }
    }
    i = lexLine(text, i, st);
  }
  const balanced = !unbalanced && st.depth === 0 && st.quote === 0 && st.continued === false;
  return { cuts: members.length && !rejected ? { members, tails: tail >= 0 ? [tail, ...more] : [] } : undefined, balanced, function: fn === true };
}
