// Engine findings and edits → LSP diagnostics and text edits.
import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity, TextEdit } from '../engine/findings';
import { ruleDocUrl } from '../engine/rules/catalog';

/** What the conversions need of a document: its positions (a TextDocument, or the server's OpenDocument). */
export type Positions = Pick<TextDocument, 'positionAt'>;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * A finding as an LSP diagnostic. Nothing more than VS Code shows is sent: a large file has thousands of
 * findings and every edit re-sends them all (the API names and fix kinds stay in the server's analysis, which
 * code actions and hovers use).
 */
export function toDiagnostic(f: Finding, td?: Positions): Diagnostic {
  return {
    range: td ? { start: td.positionAt(f.start), end: td.positionAt(f.end) } : f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleDocUrl(f.code) },
    source: 'mindport',
    message: f.message,
  };
}

export function toLspEdit(e: TextEdit, td: Positions): LspTextEdit {
  return { range: { start: td.positionAt(e.start), end: td.positionAt(e.end) }, newText: e.newText };
}
