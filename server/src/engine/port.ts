// "Port this file": applies every fix (safe and unsafe) pass after pass, as fix-all does, then marks each line
// it could not convert with a `# TODO(mindport) MSPxxx: ...` comment above it (same indentation), and removes
// torch imports nothing uses any more. The result always parses at least as well as the input: a pass that
// would add syntax errors is retried by halves (keepParsing), and fixes that break the syntax are skipped (left as
// TODOs).
import type { MappingDatabase } from '../mappings/database';
import { analyzeText } from './analyze';
import { applyEdits, ImportPlanner } from './edits';
import { resolve } from './resolve';
import type { Finding, Fix, TextEdit } from './findings';
import { countSyntaxErrors, fixPasses, keepParsing, keyedFixes, type KeyedFix } from './fixAll';
import { parseSyntax } from './moduleTree';
import { withCodeCells } from './ipynbWrite';
import { neutraliseMagics, type NotebookJson } from './notebook';
import type { Node } from './parser';
import { enclosingStatement, eol, indentAt, isMemberName, lineEndWithBreak, lineStartOf, parameterName } from './rules/util';
import type { Settings } from './settings';

export interface PortSummary {
  /** fixes applied */
  converted: number;
  /** findings left as TODO comments */
  left: number;
  perRule: Record<string, { converted: number; left: number }>;
  /** converted / (converted + left), 1 when there was nothing to do */
  rate: number;
}

export interface PortResult {
  text: string;
  summary: PortSummary;
}

const MAX_PASSES = 12;
const PORTED_ROOTS = /^(torch|torchvision|torchaudio|torchtext|torch_scatter|torch_geometric|torch_npu|dgl|timm|apex|einops)(\.|$)/;
export const TODO_PREFIX = '# TODO(mindport)';

function bump(per: PortSummary['perRule'], code: string, key: 'converted' | 'left', n = 1): void {
  per[code] ??= { converted: 0, left: 0 };
  per[code][key] += n;
}

function preferredFix(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.edits.length > 0);
}

export function portText(text: string, settings: Settings, db: MappingDatabase): PortResult {
  const perRule: PortSummary['perRule'] = {};
  const broken = new Set<string>(); // fixes (by code and title at a place) that broke the syntax
  let todo: KeyedFix[] = []; // the pass's fixes
  const passes = fixPasses(text, settings, db, {
    maxPasses: MAX_PASSES,
    choose: (findings, at) => {
      todo = keyedFixes(findings, at, preferredFix, broken).chosen;
      return todo.map((t) => t.fix);
    },
    mend: (at, errors) => keepParsing(at, todo, errors, broken),
    applied: (fixes) => {
      for (const t of todo) if (fixes.has(t.fix)) bump(perRule, t.code, 'converted');
    },
  });
  const base = passes.baseErrors;
  let current = passes.text;
  current = rewriteReferences(current, settings, db, perRule, base);
  current = removeUnusedImports(current, base);
  const marked = markTodos(current, settings, db, perRule, base);
  current = marked;
  let converted = 0;
  let left = 0;
  for (const v of Object.values(perRule)) {
    converted += v.converted;
    left += v.left;
  }
  return { text: current, summary: { converted, left, perRule, rate: converted + left === 0 ? 1 : Math.round((1000 * converted) / (converted + left)) / 1000 } };
}

function oneLine(s: string, max = 150): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Adds a TODO comment above the statement of every finding left, once per line and code. */
function markTodos(text: string, settings: Settings, db: MappingDatabase, perRule: PortSummary['perRule'], base: number): string {
  const analysis = analyzeText(text, settings, db);
  const tree = parseSyntax(text);
  const nl = eol(text);
  const edits: TextEdit[] = [];
  const seen = new Set<string>();
  const codesAt = new Map<number, string[]>();
  for (const f of analysis.findings) {
    if (f.severity === 'hint') continue;
    const node = tree.rootNode.descendantForIndex(f.start, Math.max(f.start, f.end - 1)) ?? tree.rootNode;
    const stmt = enclosingStatement(node) ?? node;
    const at = lineStartOf(text, stmt.startIndex);
    const key = `${at}:${f.code}:${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // a TODO already written for this code right above (a fix left one): count it, do not repeat it
    const above = text.slice(Math.max(0, at - 400), at).split(/\r?\n/).slice(-4).join('\n');
    bump(perRule, f.code, 'left');
    if (above.includes(`${TODO_PREFIX} ${f.code}: ${oneLine(f.message)}`)) continue;
    const list = codesAt.get(at) ?? [];
    list.push(f.code);
    codesAt.set(at, list);
    edits.push({ start: at, end: at, newText: `${indentAt(text, stmt.startIndex)}${TODO_PREFIX} ${f.code}: ${oneLine(f.message)}${nl}` });
  }
  // torch names still used where no rule left a TODO, and the imports they need
  const todoLines = new Set(edits.map((e) => e.start));
  const extra = new Map<number, { indent: string; names: Set<string> }>();
  for (const imp of torchImports(tree.rootNode)) {
    const users = liveUses(tree.rootNode, imp);
    if (!users.length) continue;
    const names = new Set<string>();
    for (const u of users) {
      let top: Node = u;
      while (top.parent?.type === 'attribute' && top.parent.childForFieldName('object')?.id === top.id) top = top.parent;
      names.add(top.text.replace(/\s+/g, ''));
      const stmt = enclosingStatement(u) ?? u;
      const at = lineStartOf(text, stmt.startIndex);
      if (todoLines.has(at)) continue;
      const e = extra.get(at) ?? { indent: indentAt(text, stmt.startIndex), names: new Set<string>() };
      e.names.add(top.text.replace(/\s+/g, ''));
      extra.set(at, e);
    }
    const at = lineStartOf(text, imp.stmt.startIndex);
    const list = [...names].slice(0, 8).join(', ');
    edits.push({ start: at, end: at, newText: `${indentAt(text, imp.stmt.startIndex)}${TODO_PREFIX}: still needed for ${list}${names.size > 8 ? ', …' : ''}; remove this import once those are ported${nl}` });
  }
  for (const [at, e] of extra) {
    bump(perRule, 'manual', 'left');
    edits.push({ start: at, end: at, newText: `${e.indent}${TODO_PREFIX}: port ${[...e.names].join(', ')} by hand (no automatic conversion known)${nl}` });
  }
  const out = applyEdits(text, edits).text;
  return countSyntaxErrors(out) > base ? text : out;
}

interface ImportInfo {
  stmt: Node;
  /** local names bound by the statement, with the node to remove for each */
  names: { local: string; node: Node }[];
}

function torchImports(root: Node): ImportInfo[] {
  const out: ImportInfo[] = [];
  for (const s of root.namedChildren) {
    if (!s) continue;
    if (s.type === 'import_statement') {
      const names: ImportInfo['names'] = [];
      for (const c of s.namedChildren) {
        if (!c) continue;
        const dotted = c.type === 'aliased_import' ? c.childForFieldName('name')?.text ?? '' : c.text;
        if (!PORTED_ROOTS.test(dotted)) continue;
        const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text ?? '' : dotted.split('.')[0];
        names.push({ local, node: c });
      }
      if (names.length) out.push({ stmt: s, names });
    } else if (s.type === 'import_from_statement') {
      const mod = s.childForFieldName('module_name');
      if (!mod || !PORTED_ROOTS.test(mod.text)) continue;
      const names: ImportInfo['names'] = [];
      for (const c of s.namedChildren) {
        if (!c || c.id === mod.id) continue;
        if (c.type === 'dotted_name') names.push({ local: c.text, node: c });
        else if (c.type === 'aliased_import') names.push({ local: c.childForFieldName('alias')?.text ?? '', node: c });
        else if (c.type === 'wildcard_import') names.push({ local: '*', node: c });
      }
      if (names.length) out.push({ stmt: s, names });
    }
  }
  return out;
}

/** Identifiers (outside import statements) that refer to a name an import binds. */
function usesOfImport(root: Node, imp: ImportInfo): Node[] {
  const locals = new Set(imp.names.map((n) => n.local));
  const out: Node[] = [];
  if (locals.has('*')) return [imp.stmt];
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'import_statement' || n.type === 'import_from_statement' || n.type === 'comment' || n.type === 'string') continue;
    if (n.type === 'identifier' && locals.has(n.text) && !isMemberName(n) && !boundInFunction(n)) out.push(n);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}


/** The first module-level statement after `stmt` that binds `name` (a def, a class, an assignment). */
function rebindingAfter(root: Node, stmt: Node, name: string): Node | undefined {
  for (const s of root.namedChildren) {
    if (!s || s.startIndex <= stmt.startIndex) continue;
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if ((def?.type === 'function_definition' || def?.type === 'class_definition') && def.childForFieldName('name')?.text === name) return s;
    if (s.type === 'expression_statement') {
      const e = s.namedChildren[0];
      // (an annotation without a value, `x: T`, binds nothing)
      const target = e?.type === 'assignment' && e.childForFieldName('right') ? e.childForFieldName('left') : undefined;
      if (target && bindsName(target, name)) return s;
    }
  }
  return undefined;
}

/**
 * The uses of an import's names that read the import: not those after a later module-level definition of the name
 * (a helper a fix inserted, `class DropPath`), which takes over from there.
 */
function liveUses(root: Node, imp: ImportInfo): Node[] {
  const out: Node[] = [];
  for (const n of imp.names) {
    const rebound = n.local === '*' ? undefined : rebindingAfter(root, imp.stmt, n.local);
    for (const u of usesOfImport(root, { stmt: imp.stmt, names: [n] })) if (!rebound || !runsAfter(u, rebound)) out.push(u);
  }
  return out;
}

/**
 * Whether a use reads the rebinding's value: it comes after the statement, or in the body of a function the statement
 * defines (run later); a use in the statement itself (a right side, a base class, a decorator, a default) reads the
 * import.
 */
function runsAfter(use: Node, rebound: Node): boolean {
  if (use.startIndex >= rebound.endIndex) return true;
  if (use.startIndex < rebound.startIndex) return false;
  for (let p: Node | null = use; p && p.id !== rebound.id; p = p.parent) {
    const parent = p.parent;
    if (p.type === 'block' && parent?.type === 'function_definition') return true;
    // the name being bound is not a read: the def's or class's name, the assignment's target
    if ((parent?.type === 'function_definition' || parent?.type === 'class_definition') && parent.childForFieldName('name')?.id === p.id) return true;
    if (parent?.type === 'assignment' && parent.childForFieldName('left')?.id === p.id) return true;
  }
  return false;
}

/** Whether an assignment target binds `name` (`x`, `a, x`, `[x, *rest]`; not `self.x` or `d[x]`). */
function bindsName(target: Node, name: string): boolean {
  if (target.type === 'identifier') return target.text === name;
  if (target.type === 'attribute' || target.type === 'subscript') return false;
  return target.namedChildren.some((c) => !!c && bindsName(c, name));
}

/** Whether `statements` (a function's body, not its nested functions or classes) assign `name`. */
function assignsIn(body: Node, name: string): boolean {
  const stack: Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.id !== body.id && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) continue;
    if (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'for_statement' || n.type === 'as_pattern') {
      const target = n.type === 'as_pattern' ? n.childForFieldName('alias') : n.childForFieldName('left');
      if (target && bindsName(target, name)) return true;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/**
 * Whether the identifier `n` names a function's own binding of its text (a parameter, or a name the function
 * assigns), which hides the module-level import of the same name: `def __init__(self, checkpoint=False)`.
 */
function boundInFunction(n: Node): boolean {
  for (let p: Node | null = n.parent; p; p = p.parent) {
    if (p.type !== 'function_definition' && p.type !== 'lambda') continue;
    const params = p.childForFieldName('parameters');
    if (params?.namedChildren.some((c) => c && parameterName(c) === n.text)) return true;
    const body = p.childForFieldName('body');
    if (body && p.type === 'function_definition' && assignsIn(body, n.text)) return true;
  }
  return false;
}

/** Removes torch-family imports (or single names of them) that nothing refers to any more. */
function removeUnusedImports(text: string, base: number): string {
  const tree = parseSyntax(text);
  const edits: TextEdit[] = [];
  for (const imp of torchImports(tree.rootNode)) {
    const used = imp.names.filter((n) => n.local === '*' || liveUses(tree.rootNode, { stmt: imp.stmt, names: [n] }).length > 0);
    if (used.length === imp.names.length) continue;
    const others = imp.stmt.namedChildren.filter((c) => c && c.type !== 'comment' && c.id !== imp.stmt.childForFieldName('module_name')?.id).length;
    if (used.length === 0 && others === imp.names.length) {
      const after = text.slice(imp.stmt.endIndex, lineEndWithBreak(text, imp.stmt.endIndex));
      if (lineStartOf(text, imp.stmt.startIndex) === imp.stmt.startIndex - indentAt(text, imp.stmt.startIndex).length && /^[ \t]*(#.*)?\r?\n?$/.test(after)) {
        // keep a trailing comment of the line
        const comment = /#.*/.exec(after)?.[0];
        edits.push({
          start: lineStartOf(text, imp.stmt.startIndex),
          end: comment ? imp.stmt.endIndex + after.indexOf('#') + comment.length : lineEndWithBreak(text, imp.stmt.endIndex),
          newText: comment ?? '',
        });
      }
      continue;
    }
    // drop single names: rebuild the name list
    const keep = imp.stmt.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.id !== imp.stmt.childForFieldName('module_name')?.id && (!imp.names.some((n) => n.node.id === c.id) || used.some((u) => u.node.id === c.id)));
    if (!keep.length) continue;
    const first = imp.stmt.namedChildren.find((c) => c && c.id !== imp.stmt.childForFieldName('module_name')?.id && c.type !== 'comment')!;
    const lastNode = [...imp.stmt.namedChildren].reverse().find((c) => c && c.type !== 'comment')!;
    edits.push({ start: first.startIndex, end: lastNode.endIndex, newText: keep.map((k) => k.text).join(', ') });
  }
  const out = applyEdits(text, edits).text;
  return countSyntaxErrors(out) > base ? text : out;
}

/**
 * Non-call references left after the fixes (annotations such as `x: torch.Tensor`, dtypes passed as values, whose
 * own fixes may have clashed with another's edit): renamed to their MindSpore twin when the database has a
 * same-behaviour one (mappings/overlay-types.json has the types and dtypes). Counted as MSP101 conversions.
 */
function rewriteReferences(text: string, settings: Settings, db: MappingDatabase, perRule: PortSummary['perRule'], base: number): string {
  const tree = parseSyntax(text);
  const res = resolve(tree);
  const planner = new ImportPlanner(tree, text, res.moduleBindings, res.boundNames);
  const target = { version: settings.mindsporeVersion, device: settings.device, api: settings.targetApi };
  const edits: TextEdit[] = [];
  let n = 0;
  for (const use of res.uses) {
    if (use.via !== 'import' || use.context === 'call' || use.context === 'base' || use.context === 'decorator') continue;
    if (!use.qname.startsWith('torch.')) continue;
    const entry = db.get(use.qname);
    const twin = entry ? db.choose(entry, target).twin : undefined;
    const api = twin && twin.status === 'same' ? twin.api : undefined;
    if (!api || !/^mindspore\.[\w.]+$/.test(api)) continue;
    const plan = planner.plan(api);
    edits.push({ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr });
    if (plan.edit) edits.push(plan.edit);
    n++;
  }
  if (!n) return text;
  const out = applyEdits(text, edits).text;
  if (countSyntaxErrors(out) > base) return text;
  bump(perRule, 'MSP101', 'converted', n);
  return out;
}

export interface CellsPortResult {
  /** The ported code cells, or undefined when the cells could not be told apart after the port (nothing written). */
  cells?: string[];
  summary: PortSummary;
}

/**
 * "Port this notebook": the code cells are ported as one text (an import in one cell serves the others), each
 * separated from the next by a marker comment line, and each line the analysis blanks (`%magic`, `!shell`, a
 * `%%bash` body) replaced by a marker comment of its own. Port only adds and changes statements and adds comment
 * lines above them, so the markers come through: the text is cut at the cell markers and the blanked lines put back.
 */
export function portCells(cells: readonly string[], settings: Settings, db: MappingDatabase): CellsPortResult {
  let tag = 'mindport';
  for (let n = 0; cells.some((c) => c.includes(tag)); n++) tag = `mindport${n}`;
  const cellMark = `# ${tag}-cell`;
  const kept: string[] = []; // blanked lines, by number
  const marked = cells.map((cell) => {
    const blanked = neutraliseMagics(cell).split('\n');
    return cell
      .split('\n')
      .map((line, i) => {
        if (line === blanked[i]) return line;
        kept.push(line);
        return `${/^[ \t]*/.exec(line)![0]}# ${tag}-line-${kept.length - 1}${line.endsWith('\r') ? '\r' : ''}`;
      })
      .join('\n');
  });
  const res = portText(marked.join(`\n${cellMark}\n`), settings, db);
  const parts = res.text.split(new RegExp(`(?:^|\\r?\\n)${cellMark}\\r?\\n`));
  if (parts.length !== cells.length) return { summary: res.summary };
  const line = new RegExp(`^[ \\t]*# ${tag}-line-(\\d+)\\r?$`, 'gm');
  return { cells: parts.map((p) => p.replace(line, (_m, k: string) => kept[Number(k)])), summary: res.summary };
}

/** A notebook ported (portCells) into a copy of its JSON: markdown, outputs and metadata as they were. */
export function portNotebook(nb: NotebookJson, settings: Settings, db: MappingDatabase): { json: string; summary: PortSummary } | { skipped: string } {
  const res = portCells(nb.code.map((c) => c.source), settings, db);
  if (!res.cells) return { skipped: 'its cells could not be told apart after the port (a cell marker was lost); nothing written' };
  return { json: withCodeCells(nb.json, nb.code, res.cells), summary: res.summary };
}
