// What the engine reports: findings with ranges, messages and fixes. Plain data (no tree nodes), so findings
// can cross worker threads and be turned into LSP diagnostics, SARIF or JSON without the engine.
import type { Range } from './text';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
/** Ruff's meaning: a safe fix keeps the program's behaviour; an unsafe one may change it. */
export type Applicability = 'safe' | 'unsafe';

/** A text replacement in UTF-16 offsets of the analysed text. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  applicability: Applicability;
  edits: TextEdit[];
}

export interface Finding {
  code: string;
  message: string;
  severity: Severity;
  start: number;
  end: number;
  range: Range;
  /** The first fix is the preferred one. */
  fixes: Fix[];
  data?: {
    torchApi?: string;
    msApi?: string;
    twin?: 'mint' | 'classic';
    confidence?: 'high' | 'low';
  };
}

export interface UseStats {
  /** torch API uses resolved with high confidence */
  apiUses: number;
  same: number;
  args: number;
  behavior: number;
  /** no twin, or not in the database */
  none: number;
  /** no twin, and none needed: the port deletes them (device moves, CUDA settings; entries marked notNeeded) */
  notNeeded: number;
  /** uses whose twin exists in the configured version and runs on the configured device */
  ready: number;
  lowConfidence: number;
}

export function emptyStats(): UseStats {
  return { apiUses: 0, same: 0, args: 0, behavior: 0, none: 0, notNeeded: 0, ready: 0, lowConfidence: 0 };
}

/** `a` plus `times` × `b` (-1: a part taken out again). */
export function addStats(a: UseStats, b: UseStats, times = 1): UseStats {
  return {
    apiUses: a.apiUses + times * b.apiUses,
    same: a.same + times * b.same,
    args: a.args + times * b.args,
    behavior: a.behavior + times * b.behavior,
    none: a.none + times * b.none,
    notNeeded: a.notNeeded + times * b.notNeeded,
    ready: a.ready + times * b.ready,
    lowConfidence: a.lowConfidence + times * b.lowConfidence,
  };
}

export function readyPercent(s: UseStats): number {
  return s.apiUses === 0 ? 100 : Math.round((1000 * s.ready) / s.apiUses) / 10;
}
