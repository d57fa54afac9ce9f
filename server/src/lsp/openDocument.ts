// An open document's positions for the LSP handlers: TextDocument's offsetAt/positionAt/getText over the engine's LineIndex,
// sharing the PythonDocument's text and updated in place by each edit (only the edited span is scanned for line
// breaks). vscode-languageserver-textdocument would keep a second copy of a large file's text, rebuilt and
// flattened on every keystroke.
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';
import type { TextChange } from '../engine/document';
import { LineIndex } from '../engine/text';

export class OpenDocument implements Pick<TextDocument, 'uri' | 'languageId' | 'version' | 'lineCount' | 'getText' | 'positionAt' | 'offsetAt'> {
  private lines: LineIndex;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    text: string,
  ) {
    this.lines = new LineIndex(text);
  }

  get lineCount(): number {
    return this.lines.lineCount;
  }

  getText(range?: Range): string {
    const text = this.lines.text;
    return range ? text.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : text;
  }

  positionAt(offset: number): Position {
    return this.lines.positionAt(offset);
  }

  offsetAt(position: Position): number {
    return position.line < 0 ? 0 : this.lines.offsetAt(position);
  }

  /** The text is now `text`: the previous text changed by `change` (offsets in the new text, as TextChange). */
  edited(text: string, change: TextChange): void {
    this.lines = this.lines.edited(text, change);
  }

  /** The whole text was replaced. */
  replaced(text: string): void {
    this.lines = new LineIndex(text);
  }
}
