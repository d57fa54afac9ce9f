// Typing rehearsed in the document a user is about to type in, while the server has nothing else to do.
//
// The first keystrokes in a freshly opened large file were the slowest of all (in the edit benchmark, the first
// dozen took twice the others): the incremental paths of the parser, the analysis, the diagnostics' conversion
// and the publish's encoding run for the first time on that document, and V8 compiles and re-compiles them on a
// background thread that competes with the editor. Here a line is typed after a line of code in the middle of
// the document, one character at a time, each step analysed incrementally (and, through `step`, converted and
// encoded as a publish would be, nothing sent), then taken back.
//
// One step runs per turn of the event loop, so input is read between steps. The caller must call stop() before
// anything reads the document (the server does so whenever input arrives): stop() takes the typed text back at
// once, without analysing; the next analysis re-parses both edits incrementally as it would any two.
import type { PythonDocument } from '../engine/document';

/** What is typed: a call with a subscript, a list, a keyword and a method, with syntax errors on the way. */
export const REHEARSED_LINE = 'h = torch.cat([a, b[0]], dim=1).mean()';

/** Lines looked at, from the middle of the document on, for one to type after. */
const LINES_LOOKED_AT = 50;

/**
 * Where to type: the end of an indented line of code (inside a definition, so that one statement is re-checked;
 * not a comment) near the middle of the document, not continued by a backslash; with that line's indentation.
 */
export function rehearsalPlace(doc: PythonDocument): { at: number; indent: string } | undefined {
  const lines = doc.lines;
  const text = doc.text;
  const mid = Math.floor(lines.lineCount / 2);
  for (let l = mid; l < Math.min(lines.lineCount, mid + LINES_LOOKED_AT); l++) {
    const start = lines.lineStart(l);
    const end = lines.lineEnd(l);
    const first = text.charCodeAt(start);
    if (end - start < 2 || (first !== 32 && first !== 9) || text.charCodeAt(end - 1) === 92 || /^[ \t]*#/.test(text.slice(start, end))) continue;
    return { at: end, indent: /^[ \t]*/.exec(text.slice(start, end))![0] };
  }
  return undefined;
}

export type RehearsalEnd = 'finished' | 'stopped' | 'failed';

export class TypingRehearsal {
  /** Characters typed so far and not yet taken back. */
  private typed = 0;
  private next = 0;
  private timer: ReturnType<typeof setImmediate> | undefined;
  private over = false;
  private readonly pieces: string[];

  /**
   * @param step analyses the document as it now is (called after every edit, the last time after the typing is
   *   taken back); an exception ends the rehearsal, the text taken back
   * @param onEnd told once how the rehearsal ended (with the error when it failed)
   */
  constructor(
    private readonly doc: PythonDocument,
    private readonly place: { at: number; indent: string },
    private readonly step: () => void,
    private readonly onEnd: (how: RehearsalEnd, err?: unknown) => void,
  ) {
    // Enter inserts the line break with the indentation, then one character at a time
    this.pieces = [`\n${place.indent}`, ...REHEARSED_LINE];
  }

  get running(): boolean {
    return !this.over;
  }

  /** Runs the rehearsal one step per turn of the event loop. */
  start(): void {
    if (this.over || this.timer) return;
    const turn = () => {
      this.timer = undefined;
      if (this.over) return;
      if (this.advance()) this.timer = setImmediate(turn);
    };
    this.timer = setImmediate(turn);
  }

  /** Runs the whole rehearsal now (for a server that cannot tell when input arrives). */
  runAll(): void {
    while (!this.over && this.advance());
  }

  /** Ends the rehearsal if it is running: the typed text is taken back at once (not analysed). */
  stop(): void {
    if (this.over) return;
    this.end('stopped');
  }

  /** One step; false once the rehearsal is over. */
  private advance(): boolean {
    try {
      if (this.next < this.pieces.length) {
        const piece = this.pieces[this.next++];
        this.doc.edit({ start: this.place.at + this.typed, end: this.place.at + this.typed, newText: piece });
        this.typed += piece.length;
        this.step();
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
    if (this.over) return;
    this.over = true;
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    this.takeBack(); // whatever happens, the text is the editor's again
    this.onEnd(how, err);
  }
}
