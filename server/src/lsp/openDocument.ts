// An open document's positions for the LSP handlers: TextDocument's offsetAt/positionAt/getText over the
// PythonDocument's text and line index (derived after each edit from the one before; incremental analysis reads
// the same index). vscode-languageserver-textdocument would keep a second copy of a large file's text, rebuilt
// and flattened on every keystroke.
import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';
import type { PythonDocument } from '../engine/document';

export class OpenDocument implements Pick<TextDocument, 'uri' | 'languageId' | 'version' | 'lineCount' | 'getText' | 'positionAt' | 'offsetAt'> {
  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    private readonly doc: PythonDocument,
  ) {}

  get lineCount(): number {
    return this.doc.lines.lineCount;
  }

  getText(range?: Range): string {
    const text = this.doc.text;
    return range ? text.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : text;
  }

  positionAt(offset: number): Position {
    return this.doc.lines.positionAt(offset);
  }

  offsetAt(position: Position): number {
    return position.line < 0 ? 0 : this.doc.lines.offsetAt(position);
  }
}
