// Applying text edits, and the edits fixes are made of: removing a call argument with its comma, and adding
// `import mindspore ...` lines once, after the file's existing imports.
import type { Node, Tree } from './parser';
import type { Fix, TextEdit } from './findings';
import type { NameSet } from './resolve';

/**
 * Edits that do not clash, in text order: by start, then end, then the order they were added (inserts at the
 * same offset keep it, and come before an edit that starts there). Two edits clash when they overlap; an insert
 * clashes only with an edit it falls strictly inside. Of edits that do not clash, one that starts later never
 * ends earlier, so the edits clashing with a new one are found by binary search (a 5,000-line file has 2,000
 * fixes: comparing each with every other took longer than the analysis).
 */
class TextOrderedEdits {
  readonly list: TextEdit[] = [];

  /** The edits here that clash with `e`. */
  clashing(e: TextEdit): TextEdit[] {
    // those that start before e ends are a prefix of the list; of them, those that end after e starts are its tail
    const hi = this.firstIndex((t) => t.start >= e.end);
    let lo = hi;
    while (lo > 0 && this.list[lo - 1].end > e.start) lo--;
    return this.list.slice(lo, hi);
  }

  /**
   * Adds `e`, which must not clash with any edit here. An import line inserted where other code is inserted too (a
   * helper a fix adds after the imports) goes before that code, so the file's imports stay together.
   */
  add(e: TextEdit): void {
    let at = this.firstIndex((t) => t.start > e.start || (t.start === e.start && t.end > e.end));
    if (isImportInsert(e)) {
      while (at > 0 && this.list[at - 1].start === e.start && this.list[at - 1].end === e.end && !isImportInsert(this.list[at - 1])) at--;
    }
    this.list.splice(at, 0, e);
  }

  /** The first index whose edit satisfies `past` (a test that holds for a suffix of the list). */
  private firstIndex(past: (t: TextEdit) => boolean): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (past(this.list[mid])) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** An insertion of import lines only (`\nfrom mindspore import mint`). */
function isImportInsert(e: TextEdit): boolean {
  return e.start === e.end && /^\r?\n?(?:(?:import|from) [^\n]*(?:\r?\n|$))+$/.test(e.newText);
}

/** The text with `edits` (in text order, none clashing: as chooseFixes gives them) made, in one pass. */
export function withEdits(text: string, inTextOrder: readonly TextEdit[]): string {
  const pieces: string[] = [];
  let at = 0;
  for (const e of inTextOrder) {
    pieces.push(text.slice(at, e.start), e.newText);
    at = e.end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

/** What makes two edits the same edit. */
const editKey = (e: TextEdit) => `${e.start}:${e.end}:${e.newText}`;

/** Applies non-overlapping edits; overlapping ones (later in the list) are skipped. Returns the new text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; applied: TextEdit[]; skipped: TextEdit[] } {
  const seen = new Set<string>();
  const kept = new TextOrderedEdits();
  const applied: TextEdit[] = [];
  const skipped: TextEdit[] = [];
  for (const e of edits) {
    const key = editKey(e);
    if (seen.has(key)) continue; // the same edit twice is made once
    seen.add(key);
    if (kept.clashing(e).length) skipped.push(e);
    else {
      kept.add(e);
      applied.push(e);
    }
  }
  return { text: withEdits(text, kept.list), applied, skipped };
}

/**
 * Chooses whole fixes: a fix whose edits clash with an already chosen fix is left out entirely. `edits`: the
 * chosen fixes' edits in text order, each once (two fixes adding the same import line share it); of one fix's
 * edits that clash with each other, the later is left out (as applyEdits leaves it out).
 */
export function chooseFixes(fixes: readonly Fix[]): { edits: readonly TextEdit[]; applied: Fix[]; skipped: Fix[] } {
  const seen = new Set<string>();
  const kept = new TextOrderedEdits();
  const applied: Fix[] = [];
  const skipped: Fix[] = [];
  for (const f of fixes) {
    // an edit another fix also makes does not clash with it (two fixes adding the same import line)
    if (f.edits.some((e) => kept.clashing(e).some((t) => editKey(t) !== editKey(e)))) {
      skipped.push(f);
      continue;
    }
    applied.push(f);
    for (const e of f.edits) {
      const key = editKey(e);
      if (seen.has(key)) continue;
      seen.add(key);
      if (kept.clashing(e).length === 0) kept.add(e);
    }
  }
  return { edits: kept.list, applied, skipped };
}

/** Applies whole fixes (chooseFixes): a fix whose edits clash with an already accepted fix is left out entirely. */
export function applyFixes(text: string, fixes: Fix[]): { text: string; applied: Fix[]; skipped: Fix[] } {
  const { edits, applied, skipped } = chooseFixes(fixes);
  return { text: withEdits(text, edits), applied, skipped };
}

/** The edit that deletes one argument of a call together with the comma that separates it. */
export function removeArgumentEdit(argList: Node, arg: Node): TextEdit {
  const args = argList.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const i = args.findIndex((a) => a.id === arg.id);
  if (args.length === 1 || i < 0) return { start: arg.startIndex, end: arg.endIndex, newText: '' };
  // from the end of the argument before: neighbouring arguments removed by separate fixes (`device=`, then
  // `requires_grad=`) touch without overlapping, so one pass removes both
  if (i > 0) return { start: args[i - 1].endIndex, end: arg.endIndex, newText: '' };
  return { start: arg.startIndex, end: args[i + 1].startIndex, newText: '' };
}

/** How a MindSpore name is written in the file and which import line it needs. */
export interface ImportPlan {
  expr: string;
  edit?: TextEdit;
}

/**
 * Modules whose names are imported one by one, as their own documentation writes them (`from
 * mindspore.common.initializer import initializer, Normal`, `from mindspore.mint.distributed import all_reduce`,
 * `from mindspore.dataset.dataloader import DataLoader`): `ms.common.initializer.Normal` says nothing more, and
 * `mint.distributed` and `dataset.dataloader` are packages their parents may not load.
 */
/** A helper block's end line starts so (`# mindport: end of DFT helper`). */
export const HELPER_END_PREFIX = '# mindport: end of ';
/** A line marking a helper's block, its first or its end: `# mindport: ... helper(s) ...` (a global regex, for scanning). */
export function helperMarkLines(): RegExp {
  return /^# mindport: [^\r\n]*\bhelpers?\b[^\r\n]*/gm;
}
/** Whether a comment is the first line of a helper's block. */
export function isHelperStart(comment: string): boolean {
  return !comment.startsWith(HELPER_END_PREFIX) && /^# mindport: [^\r\n]*\bhelpers?\b/.test(comment);
}

const FROM_IMPORTED: ReadonlySet<string> = new Set(['mindspore.common.initializer', 'mindspore.mint.distributed', 'mindspore.dataset.dataloader']);
/** Of those, the packages `import mindspore` may not load: named in full, they are imported by their full name. */
const LOADED_APART: ReadonlySet<string> = new Set(['mindspore.mint.distributed', 'mindspore.dataset.dataloader']);

/**
 * Plans imports for MindSpore names: `mindspore.mint.X` → `mint.X` with `from mindspore import mint`,
 * `mindspore.ops.X` → `ops.X` with `from mindspore import ops`, a name of a FROM_IMPORTED module → `X` with
 * `from module import X` (one line per name; when X names something else already, a package `import mindspore` may not
 * load is named in full, `module.X` with `import module`), everything else → `ms.X` with `import mindspore as ms`. Existing imports are reused; a short name the file
 * already uses for something else falls back to `mindspore.X`.
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
      else if (c.type === 'comment' && isHelperStart(c.text)) break; // a helper's block: its imports are its own
      else if (c.type === 'comment') continue;
      else if (!lastImport && c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string' && !docOrFuture) docOrFuture = c;
      else if (c.type === 'if_statement' || c.type === 'try_statement') continue; // guarded imports: keep looking
      else break;
    }
    const anchor = lastImport ?? docOrFuture;
    const nl = this.text.includes('\r\n') ? '\r\n' : '\n'; // the file's own line ends
    if (anchor) {
      // insert after the whole line of the anchor statement
      let end = anchor.endIndex;
      while (end < this.text.length && this.text[end] !== '\n' && this.text[end] !== '\r') end++;
      return { offset: end, before: nl, after: '' };
    }
    return { offset: 0, before: '', after: nl };
  }

  private aliases: Map<string, string> | undefined;

  /** The first module-level name bound to `qname`, from an index built once (a module can bind thousands of names). */
  private aliasOf(qname: string): string | undefined {
    if (!this.aliases) {
      this.aliases = new Map();
      // not a private alias (`from mindspore import ops as _seg_ops`: a helper's own, which fixes must not lean on)
      for (const [alias, q] of this.moduleBindings) if (!this.aliases.has(q) && !alias.startsWith('_')) this.aliases.set(q, alias);
    }
    return this.aliases.get(qname);
  }

  private readonly plans = new Map<string, ImportPlan>();

  /**
   * How to name `name` of Python's `math` module here (`math.pi`): through a module-level `import math` (or an alias
   * of it), else adding one; a builtin (`tuple`) as it is. Undefined when `math` or the builtin names something else.
   */
  planPython(name: string): ImportPlan | undefined {
    if (!name.startsWith('math.')) return this.boundNames.has(name) ? undefined : { expr: name };
    const attr = name.slice('math.'.length);
    const alias = this.aliasOf('math');
    if (alias !== undefined) return { expr: `${alias}.${attr}` };
    if (this.boundNames.has('math')) return undefined;
    return { expr: name, edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}import math${this.suffix}` } };
  }

  /**
   * How to name a Python module here (`numpy`): through a module-level import of it (or an alias), else adding
   * `import module as alias`; undefined when the alias names something else.
   */
  planModule(module: string, alias: string): ImportPlan | undefined {
    const own = this.aliasOf(module);
    if (own !== undefined) return { expr: own };
    if (this.boundNames.has(alias)) return undefined;
    return { expr: alias, edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}import ${module} as ${alias}${this.suffix}` } };
  }

  /**
   * How to name a name of Python's `typing` module here (`Optional`): a module-level binding of it, else through
   * an `import typing` (or an alias), else adding `from typing import Optional`; undefined when every spelling is
   * taken by something else.
   */
  planTyping(name: string): ImportPlan | undefined {
    // (a name imported only under `if TYPE_CHECKING:` is not there when the program runs)
    const checkingOnly = this.typeCheckingNames();
    const own = this.aliasOf(`typing.${name}`);
    if (own !== undefined && !checkingOnly.has(own)) return { expr: own };
    const mod = this.aliasOf('typing');
    if (mod !== undefined && !checkingOnly.has(mod)) return { expr: `${mod}.${name}` };
    if (this.boundNames.has(name) && own !== name) return undefined;
    return { expr: name, edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}from typing import ${name}${this.suffix}` } };
  }

  private checkingNames: Set<string> | undefined;

  /** Names imported at module level only inside `if TYPE_CHECKING:` blocks. */
  private typeCheckingNames(): Set<string> {
    if (this.checkingNames) return this.checkingNames;
    const out = new Set<string>();
    for (const c of this.tree.rootNode.namedChildren) {
      if (c?.type !== 'if_statement' || !/\bTYPE_CHECKING\b/.test(c.childForFieldName('condition')?.text ?? '')) continue;
      for (const st of c.childForFieldName('consequence')?.namedChildren ?? []) {
        if (st?.type !== 'import_statement' && st?.type !== 'import_from_statement') continue;
        for (const n of st.namedChildren) {
          if (!n || n.id === st.childForFieldName('module_name')?.id) continue;
          const bound = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text.split('.')[0];
          if (bound) out.add(bound);
        }
      }
    }
    return (this.checkingNames = out);
  }

  /** How to name `msName` here. Each call returns its own edit object: findings' edits are moved in place later. */
  plan(msName: string): ImportPlan {
    let p = this.plans.get(msName);
    if (!p) this.plans.set(msName, (p = this.makePlan(msName)));
    return p.edit ? { expr: p.expr, edit: { ...p.edit } } : p;
  }

  private makePlan(msName: string): ImportPlan {
    const dot = msName.lastIndexOf('.');
    const module = msName.slice(0, dot);
    if (FROM_IMPORTED.has(module)) {
      const attr = msName.slice(dot + 1);
      const own = this.aliasOf(msName) ?? (this.aliasOf(module) !== undefined ? `${this.aliasOf(module)}.${attr}` : undefined);
      if (own !== undefined) return { expr: own };
      if (!this.boundNames.has(attr)) {
        return { expr: attr, edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}from ${module} import ${attr}${this.suffix}` } };
      }
      // the short name is taken (often by the torch import it replaces): the package imported by its full name,
      // which loads it, and named in full
      if (LOADED_APART.has(module) && (!this.boundNames.has('mindspore') || this.moduleBindings.get('mindspore') === 'mindspore')) {
        return { expr: msName, edit: { start: this.insertAt, end: this.insertAt, newText: `${this.prefix}import ${module}${this.suffix}` } };
      }
    }
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
