// Applying text edits, and the edits fixes are made of: removing a call argument with its comma, and adding
// `import mindspore ...` lines once, after the file's existing imports.
import type { Node, Tree } from './parser';
import type { Fix, TextEdit } from './findings';
import type { NameSet } from './resolve';

/** Applies non-overlapping edits; overlapping ones (later in the list) are skipped. Returns the new text. */
export function applyEdits(text: string, edits: TextEdit[]): { text: string; applied: TextEdit[]; skipped: TextEdit[] } {
  const unique: TextEdit[] = [];
  const seen = new Set<string>();
  for (const e of edits) {
    const key = `${e.start}:${e.end}:${e.newText}`;
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(e);
    }
  }
  const accepted: TextEdit[] = [];
  const skipped: TextEdit[] = [];
  for (const e of unique) {
    // inserts at the same offset do not clash: they are applied in list order
    const clash = accepted.some((a) => e.start < a.end && a.start < e.end);
    if (clash) skipped.push(e);
    else accepted.push(e);
  }
  // apply from the end; inserts at the same offset keep their list order
  const order = accepted.map((e, i) => ({ e, i })).sort((a, b) => b.e.start - a.e.start || b.e.end - a.e.end || b.i - a.i);
  let out = text;
  for (const { e } of order) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return { text: out, applied: accepted, skipped };
}

/** Applies whole fixes: a fix whose edits clash with an already accepted fix is left out entirely. */
export function applyFixes(text: string, fixes: Fix[]): { text: string; applied: Fix[]; skipped: Fix[] } {
  const taken: TextEdit[] = [];
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  const sameEdit = (a: TextEdit, b: TextEdit) => a.start === b.start && a.end === b.end && a.newText === b.newText;
  for (const f of fixes) {
    const clash = f.edits.some((e) => taken.some((t) => !sameEdit(e, t) && e.start < t.end && t.start < e.end));
    if (clash) {
      skipped.push(f);
      continue;
    }
    applied.push(f);
    for (const e of f.edits) if (!taken.some((t) => sameEdit(t, e))) taken.push(e);
  }
  return { text: applyEdits(text, taken).text, applied, skipped };
}

/** The edit that deletes one argument of a call together with the comma that separates it. */
export function removeArgumentEdit(argList: Node, arg: Node): TextEdit {
  const args = argList.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const i = args.findIndex((a) => a.id === arg.id);
  if (args.length === 1 || i < 0) return { start: arg.startIndex, end: arg.endIndex, newText: '' };
  if (i < args.length - 1) return { start: arg.startIndex, end: args[i + 1].startIndex, newText: '' };
  return { start: args[i - 1].endIndex, end: arg.endIndex, newText: '' };
}

/** How a MindSpore name is written in the file and which import line it needs. */
export interface ImportPlan {
  expr: string;
  edit?: TextEdit;
}

/**
 * Plans imports for MindSpore names: `mindspore.mint.X` → `mint.X` with `from mindspore import mint`,
 * `mindspore.ops.X` → `ops.X` with `from mindspore import ops`, everything else → `ms.X` with `import mindspore as ms`.
 * Existing imports are reused; a short name the file already uses for something else falls back to `mindspore.X`.
 */
export class ImportPlanner {
  private readonly insertAt: number;
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(
    private readonly tree: Tree,
    private readonly text: string,
    private readonly moduleBindings: Map<string, string>,
    private readonly boundNames: NameSet,
  ) {
    const { offset, before, after } = this.findInsertPoint();
    this.insertAt = offset;
    this.prefix = before;
    this.suffix = after;
  }

  private findInsertPoint(): { offset: number; before: string; after: string } {
    const root = this.tree.rootNode;
    let lastImport: Node | undefined;
    let docOrFuture: Node | undefined;
    for (const c of root.namedChildren) {
      if (!c) continue;
      if (c.type === 'import_statement' || c.type === 'import_from_statement') lastImport = c;
      else if (c.type === 'future_import_statement') docOrFuture = c;
      else if (c.type === 'comment') continue;
      else if (!lastImport && c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string' && !docOrFuture) docOrFuture = c;
      else if (c.type === 'if_statement' || c.type === 'try_statement') continue; // guarded imports: keep looking
      else break;
    }
    const anchor = lastImport ?? docOrFuture;
    if (anchor) {
      // insert after the whole line of the anchor statement
      let end = anchor.endIndex;
      while (end < this.text.length && this.text[end] !== '\n' && this.text[end] !== '\r') end++;
      return { offset: end, before: '\n', after: '' };
    }
    return { offset: 0, before: '', after: '\n' };
  }

  private aliases: Map<string, string> | undefined;

  /** The first module-level name bound to `qname`, from an index built once (a module can bind thousands of names). */
  private aliasOf(qname: string): string | undefined {
    if (!this.aliases) {
      this.aliases = new Map();
      for (const [alias, q] of this.moduleBindings) if (!this.aliases.has(q)) this.aliases.set(q, alias);
    }
    return this.aliases.get(qname);
  }

  private readonly plans = new Map<string, ImportPlan>();

  /** How to name `msName` here. Each call returns its own edit object: findings' edits are moved in place later. */
  plan(msName: string): ImportPlan {
    let p = this.plans.get(msName);
    if (!p) this.plans.set(msName, (p = this.makePlan(msName)));
    return p.edit ? { expr: p.expr, edit: { ...p.edit } } : p;
  }

  private makePlan(msName: string): ImportPlan {
    const parts = msName.split('.');
    const [binding, importLine, rest] =
      parts[1] === 'mint'
        ? ['mint', 'from mindspore import mint', parts.slice(2)]
        : parts[1] === 'ops'
          ? ['ops', 'from mindspore import ops', parts.slice(2)]
          : ['ms', 'import mindspore as ms', parts.slice(1)];
    const full = parts[1] === 'mint' ? 'mindspore.mint' : parts[1] === 'ops' ? 'mindspore.ops' : 'mindspore';
    const join = (head: string) => [head, ...rest].join('.');
    // reuse any existing binding of the same module (the first one bound)
    const alias = this.aliasOf(full);
    if (alias !== undefined) return { expr: join(alias) };
    if (!this.boundNames.has(binding)) {
      return { expr: join(binding), edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}${importLine}${this.suffix}` } };
    }
    if (this.moduleBindings.get('mindspore') === 'mindspore') return { expr: `mindspore.${parts.slice(1).join('.')}` };
    return {
      expr: msName,
      edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}import mindspore${this.suffix}` },
    };
  }
}

/** One edit covering only what changed between two texts (common prefix and suffix kept). */
export function minimalEdit(before: string, after: string): TextEdit {
  let s = 0;
  const max = Math.min(before.length, after.length);
  while (s < max && before.charCodeAt(s) === after.charCodeAt(s)) s++;
  let eb = before.length;
  let ea = after.length;
  while (eb > s && ea > s && before.charCodeAt(eb - 1) === after.charCodeAt(ea - 1)) {
    eb--;
    ea--;
  }
  return { start: s, end: eb, newText: after.slice(s, ea) };
}
