// Small helpers shared by the specialised rules (MSP2xx–MSP4xx): call arguments, statements and lines,
// tree walks, device checks, and a standard "advice" report for uses the mapping database gives to a rule.
import type { Fix, Severity, TextEdit } from '../findings';
import type { Node, Tree } from '../parser';
import type { MappingDatabase } from '../../mappings/database';
import type { ApiUse, ClassInfo } from '../resolve';
import type { RuleContext } from './types';

export function isAscend(ctx: Pick<RuleContext, 'target'>): boolean {
  return ctx.target.device.startsWith('Ascend');
}

export function deviceName(ctx: Pick<RuleContext, 'target'>): string {
  return isAscend(ctx) ? 'Ascend' : ctx.target.device;
}

export interface CallArgs {
  readonly list: Node;
  readonly positional: readonly Node[];
  readonly keywords: ReadonlyMap<string, { arg: Node; name: Node; value: Node }>;
  readonly hasSplat: boolean;
  readonly all: readonly Node[];
}

const NO_KEYWORDS: ReadonlyMap<string, { arg: Node; name: Node; value: Node }> = new Map();
/**
 * A call's arguments, read afresh on every call: a per-tree memo (kept until the analysis of the file ended)
 * answered 6 % of the corpus's 211,600 questions and kept 200,000 argument lists alive past the young
 * generation, the largest part of what the analysis promoted.
 */
export function callArgs(call: Node | undefined | null): CallArgs | undefined {
  if (!call) return undefined;
  const t = call.tree;
  const l = t.fieldChild(call.id, 'arguments');
  if (l < 0 || t.typeAt(l) !== 'argument_list') return undefined;
  const positional: Node[] = [];
  const all: Node[] = [];
  let keywords: Map<string, { arg: Node; name: Node; value: Node }> | undefined;
  let hasSplat = false;
  // read by index: the list's namedChildren array, cached on a node object made for this call, was made for nothing
  for (let c = t.firstNamedChildAt(l); c >= 0; c = t.nextNamedSiblingAt(c)) {
    const type = t.typeAt(c);
    if (type === 'comment') continue;
    const a = t.node(c);
    all.push(a);
    if (type === 'keyword_argument') {
      const name = t.fieldChild(c, 'name');
      const value = t.fieldChild(c, 'value');
      if (name >= 0 && value >= 0) (keywords ??= new Map()).set(t.textAt(name), { arg: a, name: t.node(name), value: t.node(value) });
    } else if (type === 'list_splat' || type === 'dictionary_splat') hasSplat = true;
    else positional.push(a);
  }
  return { list: t.node(l), positional, keywords: keywords ?? NO_KEYWORDS, hasSplat, all };
}

/** Argument by keyword or by position. */
export function argOf(args: CallArgs | undefined, name: string, pos: number): Node | undefined {
  if (!args) return undefined;
  return args.keywords.get(name)?.value ?? (pos >= 0 ? args.positional[pos] : undefined);
}

/** Pre-order walk; return false from `fn` to skip a node's children. */
export function walk(node: Node, fn: (n: Node) => boolean | void, depth = 0): void {
  if (depth > 400) return;
  node.tree.walkNamed(node.id, fn, 400 - depth);
}

export function findAll(node: Node, pred: (n: Node) => boolean): Node[] {
  const out: Node[] = [];
  walk(node, (n) => {
    if (pred(n)) out.push(n);
  });
  return out;
}

const SIMPLE_STATEMENTS = new Set([
  'expression_statement', 'return_statement', 'delete_statement', 'raise_statement', 'assert_statement', 'pass_statement',
  'import_statement', 'import_from_statement', 'global_statement', 'nonlocal_statement', 'break_statement', 'continue_statement',
]);
const COMPOUND_STATEMENTS = new Set([
  'if_statement', 'for_statement', 'while_statement', 'try_statement', 'with_statement', 'function_definition',
  'class_definition', 'decorated_definition', 'match_statement',
]);

export function isStatementNode(n: Node): boolean {
  return SIMPLE_STATEMENTS.has(n.type) || COMPOUND_STATEMENTS.has(n.type);
}

/** The statement (simple or compound) that contains a node. */
export function enclosingStatement(node: Node): Node | undefined {
  let n: Node | null = node;
  while (n) {
    if (isStatementNode(n) && (n.parent?.type === 'block' || n.parent?.type === 'module')) return n;
    n = n.parent;
  }
  return undefined;
}

export function enclosing(node: Node, types: string[]): Node | undefined {
  let n = node.parent;
  while (n) {
    if (types.includes(n.type)) return n;
    n = n.parent;
  }
  return undefined;
}

export function lineStartOf(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

export function lineEndOf(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** End of the line including its line break. */
export function lineEndWithBreak(text: string, offset: number): number {
  let i = lineEndOf(text, offset);
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

export function indentAt(text: string, offset: number): string {
  const s = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(s, s + 200))![0];
}

export function eol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Whether the statement is the only thing on its line(s) (nothing before it, only a comment after it). */
export function ownsLines(text: string, stmt: Node): boolean {
  const before = text.slice(lineStartOf(text, stmt.startIndex), stmt.startIndex);
  const after = text.slice(stmt.endIndex, lineEndOf(text, stmt.endIndex));
  return /^[ \t]*$/.test(before) && /^[ \t]*(#.*)?$/.test(after);
}

/**
 * Deletes a statement with its line. When it is the only statement of its block, it becomes `pass` so the
 * block stays valid. Returns undefined when the statement shares its line with others.
 */
export function deleteStatementEdit(text: string, stmt: Node): TextEdit | undefined {
  if (!ownsLines(text, stmt)) return undefined;
  const block = stmt.parent;
  const siblings = block ? block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
  if (block?.type === 'block' && siblings.length === 1) {
    return { start: stmt.startIndex, end: stmt.endIndex, newText: 'pass' };
  }
  return { start: lineStartOf(text, stmt.startIndex), end: lineEndWithBreak(text, stmt.endIndex), newText: '' };
}

/** Inserts a line (with the given indentation) after a statement's last line. */
export function insertAfterStatement(text: string, stmt: Node, line: string, indent: string): TextEdit {
  const at = lineEndOf(text, stmt.endIndex);
  return { start: at, end: at, newText: `${eol(text)}${indent}${line}` };
}

/** Inserts lines before the line a statement starts on, each with the statement's indentation. */
export function insertBeforeStatement(text: string, stmt: Node, lines: string[]): TextEdit {
  const at = lineStartOf(text, stmt.startIndex);
  const ind = indentAt(text, stmt.startIndex);
  const nl = eol(text);
  return { start: at, end: at, newText: lines.map((l) => (l ? ind + l : l) + nl).join('') };
}

/** Re-indents a block of source lines: removes `from` and adds `to` at the start of every line that has it. */
export function reindent(src: string, from: string, to: string): string {
  return src
    .split(/(\r?\n)/)
    .map((part, i) => {
      if (i % 2 === 1 || part === '') return part;
      if (part.startsWith(from)) return to + part.slice(from.length);
      if (/^[ \t]*$/.test(part)) return part;
      return to + part.replace(/^[ \t]*/, '');
    })
    .join('');
}

/** Whether a node contains a string literal spanning several lines (re-indenting would change it). */
export function hasMultilineString(node: Node): boolean {
  return findAll(node, (n) => n.type === 'string' && n.startPosition.row !== n.endPosition.row).length > 0;
}

/** The attribute name of a call `x.name(...)`, or the identifier of `name(...)`. */
export function calleeName(call: Node): string | undefined {
  return calleeNameAt(call.tree, call.id);
}

/** calleeName of the call with index `call` in tree `t` (without a node object). */
export function calleeNameAt(t: Tree, call: number): string | undefined {
  const fn = t.fieldChild(call, 'function');
  if (fn < 0) return undefined;
  const type = t.typeAt(fn);
  if (type === 'identifier') return t.textAt(fn);
  if (type !== 'attribute') return undefined;
  const attribute = t.fieldChild(fn, 'attribute');
  return attribute < 0 ? undefined : t.textAt(attribute);
}

export function calleeObject(call: Node): Node | undefined {
  const t = call.tree;
  const fn = t.fieldChild(call.id, 'function');
  const object = fn >= 0 && t.typeAt(fn) === 'attribute' ? t.fieldChild(fn, 'object') : -1;
  return object < 0 ? undefined : t.node(object);
}

/** The distinct qualified names of a list of uses, and the positions in it of each name's uses (ascending). */
interface UsesByName {
  names: string[];
  positions: number[][];
}
/** Built once per list (one analysis's uses). */
const groupedUses = new WeakMap<readonly ApiUse[], UsesByName>();

function usesByName(uses: readonly ApiUse[]): UsesByName {
  let grouped = groupedUses.get(uses);
  if (!grouped) {
    const slot = new Map<string, number[]>();
    const names: string[] = [];
    const positions: number[][] = [];
    for (let i = 0; i < uses.length; i++) {
      const at = slot.get(uses[i].qname);
      if (at) at.push(i);
      else {
        const list = [i];
        slot.set(uses[i].qname, list);
        names.push(uses[i].qname);
        positions.push(list);
      }
    }
    groupedUses.set(uses, (grouped = { names, positions }));
  }
  return grouped;
}

/** Answers by API name, per database and question: names recur from file to file (a scan, a session's documents). */
const answerTables = new WeakMap<MappingDatabase, Map<string, Map<string, unknown>>>();
/** Answers kept per question before its table starts again (a bound for a long-running server). */
const MAX_ANSWERS = 50_000;

/**
 * The table of answers to one question about API names (`key`: which question) that depend on nothing but the
 * name and the database: kept across analyses.
 */
export function answersByName<T>(db: MappingDatabase, key: string): Map<string, T> {
  let byKey = answerTables.get(db);
  if (!byKey) answerTables.set(db, (byKey = new Map()));
  let answers = byKey.get(key);
  if (!answers || answers.size >= MAX_ANSWERS) byKey.set(key, (answers = new Map()));
  return answers as Map<string, T>;
}

/**
 * The uses rule `rule` reports, claimed (whether or not its code is enabled) so that MSP101–105 and the rules
 * after it stay silent on them: those not yet claimed whose qualified name passes `byName` and, when given, that
 * pass `byUse` as well. `byName` must depend on the name alone (and the database, `ruleOwned`): its answers are
 * kept per database and `rule`, so it is asked once per distinct name, not once per use or per file. In
 * document order.
 */
export function claimUses(ctx: RuleContext, rule: string, byName: (qname: string) => boolean, byUse?: (u: ApiUse) => boolean): ApiUse[] {
  const uses = ctx.resolution.uses;
  const { names, positions } = usesByName(uses);
  const verdicts = answersByName<boolean>(ctx.db, `claim ${rule}`);
  let picked: number[] | undefined;
  let sorted = true;
  for (let k = 0; k < names.length; k++) {
    let passes = verdicts.get(names[k]);
    if (passes === undefined) verdicts.set(names[k], (passes = byName(names[k])));
    if (!passes) continue;
    for (const i of positions[k]) {
      const u = uses[i];
      if (ctx.claimed(u) || (byUse !== undefined && !byUse(u))) continue;
      ctx.claim(u);
      if (!picked) picked = [];
      else if (picked[picked.length - 1] > i) sorted = false;
      picked.push(i);
    }
  }
  if (!picked) return [];
  if (!sorted) picked.sort((a, b) => a - b);
  return picked.map((i) => uses[i]);
}

/** Whether the database entry of an API names this rule as the one that reports it. */
export function ruleOwned(ctx: RuleContext, code: string, qname: string): boolean {
  return ctx.db.get(qname)?.rule === code;
}

export function tick(s: string): string {
  return `\`${s}\``;
}

/** MindSpore twins of torch methods that are attributes: a call renamed to one would call its value (`x.shape(0)`). */
const ATTRIBUTE_TWINS = new Set(['mindspore.Tensor.shape']);

/**
 * The method name a method use is renamed to for its twin: a method of the receiver's MindSpore class (a Tensor's, a
 * Module's on the Cell it becomes). Undefined when the twin is no such method (a function needs a human) or is an
 * attribute the use calls.
 */
export function methodTwinName(use: ApiUse, twinApi: string): string | undefined {
  if (use.context === 'call' && ATTRIBUTE_TWINS.has(twinApi)) return undefined;
  return /^mindspore\.(?:Tensor|nn\.Cell)\.(\w+)$/.exec(twinApi)?.[1];
}

/**
 * The fix that renames a use to the twin the database chooses for the target: unsafe unless the caller knows the
 * twin behaves the same (rule-owned APIs usually differ).
 */
export function twinRenameFix(ctx: RuleContext, use: ApiUse, applicability: 'safe' | 'unsafe' = 'unsafe'): Fix | undefined {
  const entry = ctx.entryOf(use);
  if (!entry) return undefined;
  const twin = ctx.db.choose(entry, ctx.target).twin;
  if (!twin) return undefined;
  if (use.via === 'method') {
    const m = methodTwinName(use, twin.api);
    if (!m || m === use.nameNode.text) return undefined;
    return { title: `Use ${twin.api}`, applicability, edits: [{ start: use.nameNode.startIndex, end: use.nameNode.endIndex, newText: m }] };
  }
  if (!/^mindspore\.[\w.]+$/.test(twin.api) || /\.[A-Z]\w*\.[a-z]/.test(twin.api)) return undefined;
  const plan = ctx.imports.plan(twin.api);
  if (plan.expr === use.node.text) return undefined;
  const edits: TextEdit[] = [{ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr }];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Use ${twin.api}`, applicability, edits };
}

/**
 * Reports a use: the rule's `lead` (what is wrong), then what to do: the mapping database's advice for the API,
 * else the rule's `fallback`, then the rule's `tail`. A rule whose lead already says what to do passes
 * `withAdvice: false` (no advice, no fallback), so the message does not say it twice in other words.
 */
export function reportAdvice(
  ctx: RuleContext,
  code: string,
  use: ApiUse,
  lead: string,
  opts: { severity?: Severity; fixes?: Fix[]; node?: Node; withAdvice?: boolean; fallback?: string; tail?: string } = {},
): void {
  const todo = opts.withAdvice === false ? undefined : (ctx.entryOf(use)?.advice ?? opts.fallback);
  const node = opts.node ?? use.call ?? use.node;
  const parts = [lead, todo, opts.tail].filter((p) => p);
  ctx.report({
    code,
    message: `${parts.join(' ')}${use.confidence === 'low' ? ' (low confidence: the receiver is guessed from the method name)' : ''}`,
    severity: opts.severity ?? (use.confidence === 'low' ? 'info' : undefined),
    start: node.startIndex,
    end: node.endIndex,
    fixes: opts.fixes ?? [],
    data: { torchApi: use.qname, confidence: use.confidence },
  });
}

/** Names MindSpore APIs in a fix's code: each name's import is planned (`ms.X`, `mint.X`) and its edit kept in `edits`. */
export function mindsporeNamer(ctx: Pick<RuleContext, 'imports'>, edits: TextEdit[]): (api: string) => string {
  return (api) => {
    const p = ctx.imports.plan(api);
    if (p.edit) edits.push(p.edit);
    return p.expr;
  };
}

const PARAMETER_TYPES = new Set(['identifier', 'default_parameter', 'typed_parameter', 'typed_default_parameter', 'list_splat_pattern', 'dictionary_splat_pattern']);

/** The name a node of a function's parameter list declares (`x`, `x=1`, `x: int`, `*args`, `**kw`); undefined for `*`, `/`. */
export function parameterName(p: Node): string | undefined {
  if (!PARAMETER_TYPES.has(p.type)) return undefined;
  if (p.type === 'identifier') return p.text;
  const named = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
  return named?.type === 'identifier' ? named.text : named ? parameterName(named) : undefined;
}

/** A literal integer, possibly negative (`1`, `-1`). */
export function isLiteralInt(n: Node): boolean {
  if (n.type === 'integer') return true;
  if (n.type === 'unary_operator') return n.namedChildren.length === 1 && n.namedChildren[0]?.type === 'integer';
  return false;
}

/** Dimensions given as literals: an integer, or a tuple or list of them. */
export function isLiteralDims(n: Node): boolean {
  if (isLiteralInt(n)) return true;
  if (n.type === 'tuple' || n.type === 'list') return n.namedChildren.every((c) => !!c && isLiteralInt(c));
  return false;
}

/**
 * Whether an expression can be written twice with no difference: a name, attributes of one (`self.w`), and items of
 * those at a literal or a name (`layers[-1].bias`, `self.encoder[0].weight`, `heads[key].weight`).
 */
export function isRepeatable(n: Node): boolean {
  for (let e: Node | null = n; e; ) {
    if (e.type === 'identifier') return true;
    if (e.type === 'attribute') e = e.childForFieldName('object');
    else if (e.type === 'subscript') {
      const parts: (Node | null)[] = e.namedChildren.filter((c) => c?.type !== 'comment');
      const [value, ...index] = parts;
      const i = index[0];
      if (index.length !== 1 || !i || !(isLiteralInt(i) || i.type === 'identifier' || i.type === 'string')) return false;
      e = value ?? null;
    } else return false;
  }
  return false;
}

/** Replaces a call `recv.method(...)` with just `recv` (text of the receiver). */
export function dropMethodCallEdit(call: Node): TextEdit | undefined {
  const obj = calleeObject(call);
  if (!obj) return undefined;
  return { start: call.startIndex, end: call.endIndex, newText: obj.text };
}

/** `dims` in `ctx.dims`, or `dim` in `f(dim=1)`: an identifier that names a member or a keyword, not a variable. */
export function isMemberName(n: Node): boolean {
  const p = n.parent;
  return (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === n.id) || (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === n.id);
}

/** Whether `node` is one of the base classes in the class statement of `cls`. */
export function isBaseOf(cls: ClassInfo, node: Node): boolean {
  const supers = cls.node.childForFieldName('superclasses');
  return !!supers && node.parent?.id === supers.id;
}

/** The function (or module) a node is in. */
export function scopeNode(node: Node): Node {
  return enclosing(node, ['function_definition', 'lambda']) ?? rootOf(node);
}

export function rootOf(node: Node): Node {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

/**
 * Per scope node: the plain-name assignments of the scope in source order (built once per scope and analysis).
 * A memo of the tree rather than a WeakMap keyed by it: V8's young-generation collections keep a WeakMap's
 * values alive, so every keystroke's tree (and the document text it holds) outlived them and was promoted.
 */
const ASSIGNMENTS = {};
const ASSIGNMENT = ['assignment'];
/** What starts a scope of its own: a walk through one scope does not enter them. */
const NEW_SCOPES = ['function_definition', 'class_definition', 'lambda'];

/** A scope's assignment lists by name; `unordered`: those whose ends are not in order (a broken tree), if any. */
interface ScopeAssignments {
  byName: Map<string, { end: number; right: Node }[]>;
  unordered?: Set<{ end: number; right: Node }[]>;
}

function scopeAssignments(scope: Node): ScopeAssignments {
  const perTree = scope.tree.nodeMemo<ScopeAssignments>(ASSIGNMENTS);
  let found = perTree.get(scope.id);
  if (!found) {
    const byName = new Map<string, { end: number; right: Node }[]>();
    const t = scope.tree;
    t.walkTypes(
      scope.id,
      ASSIGNMENT,
      (n) => {
        const left = t.fieldChild(n.id, 'left');
        const right = n.childForFieldName('right');
        if (left >= 0 && t.typeAt(left) === 'identifier' && right) {
          const name = t.textAt(left);
          const list = byName.get(name);
          if (list) list.push({ end: n.endIndex, right });
          else byName.set(name, [{ end: n.endIndex, right }]);
        }
      },
      NEW_SCOPES,
    );
    found = { byName };
    for (const list of byName.values()) for (let i = 1; i < list.length; i++) if (list[i].end < list[i - 1].end) (found.unordered ??= new Set()).add(list);
    perTree.set(scope.id, found);
  }
  return found;
}

/**
 * Told of every question `assignedValue` is asked (the scope, the name, and the offset the assignment must
 * precede, or, with `anywhere`, where it is read: see readsAssignments), while set: incremental analysis, whose
 * tree may hold only some of the module's statements (or of a long function's), learns which assignments the
 * rules read.
 */
let assignmentRead: ((scope: Node, name: string, before: number, anywhere: boolean) => void) | undefined;
export function watchAssignmentReads(fn: ((scope: Node, name: string, before: number, anywhere: boolean) => void) | undefined): void {
  assignmentRead = fn;
}

/**
 * Tells incremental analysis that a rule reads every assignment of `name` in `scope` (wherever it is), as rules
 * that collect a scope's assignments by name do.
 */
export function readsAssignments(scope: Node, name: string, at: number): void {
  assignmentRead?.(scope, name, at, true);
}

/** Told, while set, of what rules read beyond the statement they report on (see readsLaterReads, readsWholeBody). */
export interface ScopeReadWatcher {
  laterReads(scope: Node, name: string, at: number): void;
  wholeBody(fn: Node): void;
}
let scopeReads: ScopeReadWatcher | undefined;
export function watchScopeReads(w: ScopeReadWatcher | undefined): void {
  scopeReads = w;
}

/**
 * Tells incremental analysis that what a rule reports on the statement holding `at` depends on whether `name` is
 * read after it in `scope` (MSP404 returns what the rest of the scope reads from forward_fn): a statement there
 * starting or stopping to read `name` re-checks that statement.
 */
export function readsLaterReads(scope: Node, name: string, at: number): void {
  scopeReads?.laterReads(scope, name, at);
}

/** Tells incremental analysis that a rule read every statement of function `fn`'s body (MSP404's one-step functions). */
export function readsWholeBody(fn: Node): void {
  scopeReads?.wholeBody(fn);
}

/** The last value assigned to a plain name before `before` in the same scope, if any. */
export function assignedValue(scope: Node, name: string, before: number): Node | undefined {
  assignmentRead?.(scope, name, before, false);
  const { byName, unordered } = scopeAssignments(scope);
  const list = byName.get(name);
  if (!list) return undefined;
  // source order keeps the ends in order (a nested `a = b = 1` shares its end), so the last one before `before`
  // is found by bisection (a name assigned thousands of times in a script is common); a list whose ends are
  // out of order (a broken tree) is searched from the start
  if (unordered?.has(list)) {
    let best: Node | undefined;
    for (const a of list) if (a.end <= before) best = a.right;
    return best;
  }
  let lo = 0;
  let hi = list.length; // first index with end > before
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].end <= before) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1].right : undefined;
}

/** The block body statements directly contained in a node's `body` field. */
export function bodyStatements(node: Node): Node[] {
  const body = node.childForFieldName('body');
  return body ? body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
}

/** The statement `call` is alone (`model.cuda()` on its line), or undefined when it is part of a larger one. */
export function callStatement(call: Node): Node | undefined {
  const stmt = enclosingStatement(call);
  return stmt && statementCall(stmt)?.id === call.id ? stmt : undefined;
}

/** Is `n` an expression statement whose expression is a call? Returns that call. */
export function statementCall(n: Node): Node | undefined {
  if (n.type !== 'expression_statement') return undefined;
  const e = n.namedChildren[0];
  return e?.type === 'call' ? e : undefined;
}

/** Unwraps a `with` statement: replaces it by its body, dedented to the `with` line's indentation. */
export function unwrapWithEdit(text: string, withStmt: Node): TextEdit | undefined {
  const body = withStmt.childForFieldName('body') ?? withStmt.namedChildren.find((c) => c?.type === 'block');
  if (!body || hasMultilineString(body)) return undefined;
  if (body.startPosition.row === withStmt.startPosition.row) return undefined; // `with x: stmt` on one line
  if (!ownsLines(text, withStmt)) return undefined;
  const first = body.namedChildren.find((c) => !!c);
  if (!first) return undefined;
  const outer = indentAt(text, withStmt.startIndex);
  const inner = indentAt(text, first.startIndex);
  const start = lineStartOf(text, withStmt.startIndex);
  const bodyStart = lineStartOf(text, first.startIndex);
  const end = lineEndOf(text, withStmt.endIndex);
  return { start, end, newText: reindent(text.slice(bodyStart, end), inner, outer) };
}

/** A fresh name not bound anywhere in the file (`base`, `base2`, ...), nor in `taken`, to which it is added. */
export function freshName(ctx: RuleContext, base: string, taken?: Set<string>): string {
  const free = (n: string) => !ctx.resolution.boundNames.has(n) && !taken?.has(n);
  let name = base;
  for (let i = 2; !free(name); i++) name = `${base}${i}`;
  taken?.add(name);
  return name;
}
