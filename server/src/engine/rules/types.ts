// The contract between the analysis driver and each rule.
import type { MappedEntry, MappingDatabase, Target } from '../../mappings/database';
import type { ImportPlanner } from '../edits';
import type { Finding, Severity } from '../findings';
import type { Tree } from '../parser';
import type { ApiUse, Resolution } from '../resolve';
import type { UseVerdict } from './apiMapping';
import type { Settings } from '../settings';
import type { LineIndex } from '../text';

export interface RuleMeta {
  code: string;
  /** kebab-case name, as in Ruff */
  name: string;
  summary: string;
  severity: Severity;
  fix: 'always' | 'sometimes' | 'none';
}

export type Report = Omit<Finding, 'severity' | 'range'> & { severity?: Severity };

export interface RuleContext {
  text: string;
  tree: Tree;
  lines: LineIndex;
  resolution: Resolution;
  db: MappingDatabase;
  settings: Settings;
  target: Target;
  imports: ImportPlanner;
  /** Records a finding; severity defaults to the rule's. */
  report(finding: Report): void;
  /** Whether a code is enabled (select/ignore and severity `off`). */
  enabled(code: string): boolean;
  /** Marks a use as handled by a specialised rule, so the generic mapping rules stay silent on it. */
  claim(use: ApiUse): void;
  claimed(use: ApiUse): boolean;
  /** What the database says of a use's name for the target (entry, twin choice): classifyUse's table. */
  verdictOf(use: ApiUse): UseVerdict;
  /** The mapping database's entry for a use's name (verdictOf(use).entry). */
  entryOf(use: ApiUse): MappedEntry | undefined;
  /**
   * Whether the document's whole text matches `re` (not global), asked once per analysis. Incremental analysis
   * carries the answer over an edit that leaves the matches of FILE_TEXT_FACTS (incremental.ts) as they were: a
   * rule asking about text outside the tree it is given must add its pattern there.
   */
  textHas(re: RegExp): boolean;
}

export interface Rule {
  /** Codes this module can emit. */
  codes: string[];
  /** Rules with a lower order run first (specialised rules claim uses before the generic mapping rules). */
  order?: number;
  check(ctx: RuleContext): void;
}
