// Engine findings and edits → LSP diagnostics and text edits.
import { DiagnosticSeverity, type Diagnostic, type TextEdit as LspTextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding, Severity, TextEdit } from '../engine/findings';
import { ruleDocUrl } from '../engine/rules/catalog';
import { LastIndex } from './lastIndex';

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

/** The findings last published for a document and their diagnostics, in the same order. */
export interface Published {
  findings: readonly Finding[];
  diagnostics: readonly Diagnostic[];
}

/**
 * The findings as diagnostics, reusing the diagnostic made for the same finding last time when it has not moved.
 * Incremental analysis keeps the finding objects of statements an edit did not touch, in order, and gives a
 * moved finding a new range object: a keystroke in a 5,000-line file makes new diagnostics for the few dozen
 * findings around it instead of 2,000 (and the encoder re-sends the bytes of the others). A finding moved and
 * moved back (a line typed and taken back) is where it was: its diagnostic is reused too.
 */
export function toDiagnostics(findings: readonly Finding[], last?: Published): Diagnostic[] {
  const out = new Array<Diagnostic>(findings.length);
  const at = last && new LastIndex(last.findings, findings);
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    const k = at ? at.of(i, f) : -1;
    const d = k >= 0 ? last!.diagnostics[k] : undefined;
    out[i] = d && sameRange(d.range, f.range) ? d : toDiagnostic(f);
  }
  return out;
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return (
    a === b ||
    (a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character)
  );
}

export function toLspEdit(e: TextEdit, td: Positions): LspTextEdit {
  return { range: { start: td.positionAt(e.start), end: td.positionAt(e.end) }, newText: e.newText };
}
