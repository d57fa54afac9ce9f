// A Python document kept open for editing: its text and syntax tree, updated incrementally. The edit journal
// says where the text changed since the last parse; the next parse re-parses only the top-level chunks there
// (moduleTree.ts).
import { ModuleTree } from './moduleTree';
import { LineIndex } from './text';

export interface DocumentEdit {
  /** UTF-16 offsets into the text before the edit. */
  start: number;
  end: number;
  newText: string;
}

/** A range of the text, in UTF-16 offsets. */
export interface TextRange {
  start: number;
  end: number;
}

/** Where the text changed between two versions: [start, end) of the newer text replaced [start, end - delta) of the older. */
export interface TextChange {
  start: number;
  end: number;
  /** Newer length minus older length. */
  delta: number;
}

/** Edits remembered for textChangeSince; an older version's change is then unknown. */
const EDITS_KEPT = 256;

export class PythonDocument {
  private treeValue: ModuleTree | undefined;
  private linesValue: LineIndex | undefined;
  private linesVersion = 0;
  private parsedVersion = 0;
  private parses = 0;
  private changed: TextRange[] | undefined;
  private version = 0;
  /** The last edits: [version after the edit, start, old end, new length]; a replace() clears them. */
  private edits: [number, number, number, number][] = [];
  private editsFrom = 0; // the oldest version textChangeSince can answer for

  /** `classPiecesMinChars`: classes and functions of this many characters or more are parsed in pieces (moduleTree.ts; tests lower it). */
  constructor(
    private textValue: string,
    private readonly options: { classPiecesMinChars?: number } = {},
  ) {}

  /** Counts changes of the text: edits and replacements. */
  get textVersion(): number {
    return this.version;
  }

  /**
   * The span of the current text that differs from the text at `version` (everything outside it is the same
   * text, shifted by `delta` after it); `null` when nothing changed, undefined when not known (replaced, or
   * too many edits ago).
   */
  textChangeSince(version: number): TextChange | null | undefined {
    if (version === this.version) return null;
    if (version < this.editsFrom || version > this.version) return undefined;
    let change: TextChange | undefined;
    for (const [v, start, end, length] of this.edits) {
      if (v <= version) continue;
      const d = length - (end - start);
      // the union, in the coordinates of the text after this edit
      change = change ? { start: Math.min(change.start, start), end: Math.max(change.end, end) + d, delta: change.delta + d } : { start, end: start + length, delta: d };
    }
    return change ?? null;
  }

  get text(): string {
    return this.textValue;
  }

  /** The text's line index, derived from the previous one when the edit journal says what changed. */
  get lines(): LineIndex {
    if (this.linesValue && this.linesVersion !== this.version) {
      const change = this.textChangeSince(this.linesVersion);
      this.linesValue = change ? this.linesValue.edited(this.textValue, change) : change === null ? this.linesValue : undefined;
    }
    this.linesValue ??= new LineIndex(this.textValue);
    this.linesVersion = this.version;
    return this.linesValue;
  }

  /** The current tree, parsing (only the changed chunks when possible) if the text changed since the last parse. */
  get tree(): ModuleTree {
    const change = this.treeValue && this.parsedVersion !== this.version ? this.textChangeSince(this.parsedVersion) : null;
    if (!this.treeValue || change === undefined) {
      this.treeValue?.delete();
      this.treeValue = undefined;
      this.treeValue = ModuleTree.parse(this.textValue, this.options.classPiecesMinChars);
      this.changed = undefined;
      this.parses++;
    } else if (change) {
      const old = this.treeValue;
      this.treeValue = undefined;
      try {
        const { tree, changed } = old.reparse(this.textValue, change);
        this.treeValue = tree;
        this.changed = changed;
      } catch (err) {
        old.delete();
        throw err;
      }
      this.parses++;
    }
    this.parsedVersion = this.version;
    return this.treeValue;
  }

  /** How many times the text was parsed so far (from scratch or incrementally). */
  get parseCount(): number {
    return this.parses;
  }

  /**
   * Where the syntax changed in the last parse (tree-sitter's changed ranges, offsets of the current text):
   * nodes outside them are the ones the previous tree had. Undefined when the last parse started from scratch.
   */
  get lastChangedRanges(): readonly TextRange[] | undefined {
    return this.changed;
  }

  /** Applies one edit to the text (the tree is brought up to date when next asked for). */
  edit(e: DocumentEdit): void {
    this.textValue = this.textValue.slice(0, e.start) + e.newText + this.textValue.slice(e.end);
    this.edits.push([++this.version, e.start, e.end, e.newText.length]);
    if (this.edits.length > EDITS_KEPT) this.editsFrom = this.edits.shift()![0];
  }

  /** Replaces the whole text (full sync); the next parse starts from scratch. */
  replace(text: string): void {
    this.textValue = text;
    this.edits = [];
    this.editsFrom = ++this.version;
    this.treeValue?.delete();
    this.treeValue = undefined;
  }

  dispose(): void {
    this.treeValue?.delete();
    this.treeValue = undefined;
  }
}
