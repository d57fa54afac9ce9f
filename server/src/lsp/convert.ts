// Engine findings and edits → LSP diagnostics and text edits.
import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity, TextEdit } from '../engine/findings';
import { ruleDocUrl } from '../engine/rules/catalog';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding, td?: TextDocument): Diagnostic {
  return {
    range: td ? { start: td.positionAt(f.start), end: td.positionAt(f.end) } : f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleDocUrl(f.code) },
    source: 'mindport',
    message: f.message,
    data: { ...f.data, fix: f.fixes[0]?.applicability ?? null },
  };
}

export function toLspEdit(e: TextEdit, td: TextDocument): LspTextEdit {
  return { range: { start: td.positionAt(e.start), end: td.positionAt(e.end) }, newText: e.newText };
}
