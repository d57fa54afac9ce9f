// Typing rehearsed in the document a user is about to type in, while the server has nothing else to do.
//
// The first keystrokes in a freshly opened large file were the slowest of all (in the edit benchmark, the first
// dozen took twice the others): the incremental paths of the parser, the analysis, the diagnostics' conversion
// and the publish's encoding run for the first time on that document, and V8 compiles and re-compiles them on a
// background thread that competes with the editor. Here a line is typed after a line of code inside a function
// or class near the middle of the document, one character at a time, each step analysed incrementally (and,
// through `step`, converted and encoded as a publish would be, nothing sent), then taken back.
//
// One step runs per turn of the event loop, so input is read between steps. The caller must call stop() before
// anything reads the document (the server does so whenever input arrives): stop() takes the typed text back at
// once, without analysing. The analysis then last saw a rehearsed text (`leftBehind`): the caller analyses the
// text taken back before the document's next edit, so that the edit's change is only its own (the two together
// span the text between them, and two places far apart made the first keystroke a whole-file analysis).
import type { PythonDocument } from '../engine/document';
import type { TopLevelStatement } from '../engine/moduleTree';

/** What is typed: a call with a subscript, a list, a keyword and a method, with syntax errors on the way. */
export const REHEARSED_LINE = 'h = torch.cat([a, b[0]], dim=1).mean()';

/** Where the rehearsal types, and what: `line` after a line break and `indent`. */
export interface RehearsalPlace {
  at: number;
  indent: string;
  line: string;
}

/** Lines looked at, from the middle of the document on, for one to type after. */
const LINES_LOOKED_AT = 50;

/** Top-level statements whose bodies are typed in one statement at a time (incremental.ts: members, bodies). */
const DEFINITIONS = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/**
 * Where to type: the end of an indented line of code (not a comment, not continued by a backslash) inside a
 * top-level function or class, near the middle of the document; with that line's indentation. Not in the body of
 * a top-level loop or `if`: in a flat script a bracket left open there can take the names that statement binds
 * from the rest of the module, and every statement reading them is checked again (the whole file). Without such
 * a line, the end of the document, at module level, binding a name the document does not use (nothing depends on
 * it). None in an empty document.
 */
export function rehearsalPlace(doc: PythonDocument): RehearsalPlace | undefined {
  const lines = doc.lines;
  const text = doc.text;
  const mid = Math.floor(lines.lineCount / 2);
  let statements: readonly TopLevelStatement[] | undefined;
  for (let l = mid; l < Math.min(lines.lineCount, mid + LINES_LOOKED_AT); l++) {
    const start = lines.lineStart(l);
    const end = lines.lineEnd(l);
    const first = text.charCodeAt(start);
    if (end - start < 2 || (first !== 32 && first !== 9) || text.charCodeAt(end - 1) === 92 || /^[ \t]*#/.test(text.slice(start, end))) continue;
    statements ??= doc.tree.statements;
    if (!DEFINITIONS.has(statementAt(statements, start)?.type ?? '')) continue;
    return { at: end, indent: /^[ \t]*/.exec(text.slice(start, end))![0], line: REHEARSED_LINE };
  }
  if (text.trim() === '') return undefined;
  return { at: text.length, indent: '', line: REHEARSED_LINE.replace(/^h\b/, unusedName(text)) };
}

/** `h`, or the first of `h_1`, `h_2`, ... that `text` does not contain as a word. */
function unusedName(text: string): string {
  for (let k = 0; ; k++) {
    const name = k === 0 ? 'h' : `h_${k}`;
    if (!new RegExp(`\\b${name}\\b`).test(text)) return name;
  }
}

/** The top-level statement spanning `offset`, if any (the list is in document order). */
function statementAt(statements: readonly TopLevelStatement[], offset: number): TopLevelStatement | undefined {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (statements[m].end <= offset) lo = m + 1;
    else if (statements[m].start > offset) hi = m - 1;
    else return statements[m];
  }
  return undefined;
}

export type RehearsalEnd = 'finished' | 'stopped' | 'failed';

export class TypingRehearsal {
  /** Characters typed so far and not yet taken back. */
  private typed = 0;
  private next = 0;
  private timer: ReturnType<typeof setImmediate> | undefined;
  /** How it ended; undefined while it runs. */
  private how: RehearsalEnd | undefined;
  private readonly pieces: string[];

  /**
   * @param step analyses the document as it now is (called after every edit, the last time after the typing is
   *   taken back); returning true takes the typing back at the next step (the analysis has become costly: it
   *   went to the whole file); an exception ends the rehearsal, the text taken back
   * @param onEnd told once how the rehearsal ended (with the error when it failed)
   */
  constructor(
    private readonly doc: PythonDocument,
    private readonly place: RehearsalPlace,
    private readonly step: () => boolean | void,
    private readonly onEnd: (how: RehearsalEnd, err?: unknown) => void,
  ) {
    // Enter inserts the line break with the indentation, then one character at a time
    this.pieces = [`\n${place.indent}`, ...place.line];
  }

  get running(): boolean {
    return this.how === undefined;
  }

  /**
   * Ended with its typing taken back but not analysed (stopped part-way): the analysis last saw a rehearsed text,
   * and the document's own text should be analysed before its next edit.
   */
  get leftBehind(): boolean {
    return this.how === 'stopped' && this.next > 0; // each piece typed was analysed by its step at once
  }

  /** Runs the rehearsal one step per turn of the event loop. */
  start(): void {
    if (!this.running || this.timer) return;
    const turn = () => {
      this.timer = undefined;
      if (!this.running) return;
      if (this.advance()) this.timer = setImmediate(turn);
    };
    this.timer = setImmediate(turn);
  }

  /** Runs the whole rehearsal now (for a server that cannot tell when input arrives). */
  runAll(): void {
    while (this.running && this.advance());
  }

  /** Ends the rehearsal if it is running: the typed text is taken back at once (not analysed). */
  stop(): void {
    if (!this.running) return;
    this.end('stopped');
  }

  /** One step; false once the rehearsal is over. */
  private advance(): boolean {
    try {
      if (this.next < this.pieces.length) {
        const piece = this.pieces[this.next++];
        this.doc.edit({ start: this.place.at + this.typed, end: this.place.at + this.typed, newText: piece });
        this.typed += piece.length;
        if (this.step() === true) this.next = this.pieces.length;
        return true;
      }
      this.takeBack();
      this.step();
      this.end('finished');
    } catch (err) {
      this.end('failed', err);
    }
    return false;
  }

  private takeBack(): void {
    if (this.typed === 0) return;
    this.doc.edit({ start: this.place.at, end: this.place.at + this.typed, newText: '' });
    this.typed = 0;
  }

  private end(how: RehearsalEnd, err?: unknown): void {
    if (!this.running) return;
    this.how = how;
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.takeBack(); // whatever happens, the text is the editor's again
    this.onEnd(how, err);
  }
}
