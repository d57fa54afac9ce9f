// Analysing one file from disk (Python or notebook) into a FileResult: what the CLI, the workspace scan and
// the report share.
import type { MappingDatabase } from '../mappings/database';
import { analyzeText } from './analyze';
import type { Finding, UseStats } from './findings';
import { emptyStats } from './findings';
import { cellOf } from './notebook';
import { readSource, type SourceFile } from './files';
import { settingsForFile, type Settings } from './settings';
import { LineIndex } from './text';

export interface FileFinding extends Finding {
  /** 0-based cell index for notebooks (markdown cells counted, as editors number cells); the range is relative to that cell. */
  cell?: number;
}

export interface FileResult {
  path: string;
  findings: FileFinding[];
  stats: UseStats;
  syntaxErrors: number;
  lineCount: number;
  skipped?: string;
  warning?: string;
  internalErrors: string[];
  /** The project's other files whose classes the analysis used (engine/projectIndex.ts). */
  projectFiles?: string[];
}

export function analyzeSource(src: SourceFile, settings: Settings, db: MappingDatabase): FileResult {
  if (src.kind === 'skipped') {
    return { path: src.path, findings: [], stats: emptyStats(), syntaxErrors: 0, lineCount: 0, skipped: src.reason, internalErrors: [] };
  }
  const a = analyzeText(src.text, settingsForFile(settings, src.path), db);
  let findings: FileFinding[] = a.findings;
  if (src.kind === 'notebook') {
    const idx = src.cells.map((c) => new LineIndex(c));
    findings = a.findings.map((f) => {
      const s = cellOf(src.notebook, f.start);
      const e = cellOf(src.notebook, f.end);
      const end = e.cell === s.cell ? e.offset : src.cells[s.cell].length;
      return { ...f, cell: src.cellIndex[s.cell], start: s.offset, end, range: idx[s.cell].range(s.offset, end) };
    });
  }
  return {
    path: src.path,
    findings,
    stats: a.stats,
    syntaxErrors: a.syntaxErrors,
    lineCount: countLines(src.text),
    warning: src.warning,
    internalErrors: a.internalErrors,
    ...(a.projectFiles ? { projectFiles: a.projectFiles } : {}),
  };
}

export function analyzeFile(path: string, settings: Settings, db: MappingDatabase): FileResult {
  return analyzeSource(readSource(path), settings, db);
}

/** Lines as `text.split('\n').length` counts them, without making the array. */
function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * A result once its report part is written: each finding keeps only what the summary and the exit status read
 * (code, severity, the first fix's applicability). A scan keeps every file's result to the end; the full
 * findings of 400k lines would be hundreds of megabytes the garbage collector walks again and again.
 */
export function forSummary(r: FileResult): FileResult {
  const findings = r.findings.map((f) => ({ code: f.code, severity: f.severity, fixes: f.fixes.slice(0, 1).map((x) => ({ applicability: x.applicability })) }));
  return { ...r, findings: findings as unknown as FileResult['findings'] };
}
