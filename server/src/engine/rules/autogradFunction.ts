// torch.autograd.Function written out as a MindSpore Cell with a custom backward (MSP103's fix). MindSpore's
// documented custom backward is a Cell's bprop(self, *inputs, out, dout), which receives the forward's inputs and
// output, so what torch passes through ctx is read from those instead:
// - `ctx.save_for_backward(a, b)` of inputs or of the returned name, then `ctx.saved_tensors` → `(a, b)` / `(a, out)`;
// - `ctx.dim = dim` (an input, or an expression of inputs: `x.shape[0]`), then `ctx.dim` → `dim`;
// - forward(ctx, ...) → construct(self, ...), backward(ctx, g) → bprop(self, <inputs>, out, g); @staticmethod and
//   torch's once_differentiable / custom_fwd / custom_bwd decorators dropped;
// - a classmethod `apply(*args)` that calls a new Cell, so every `X.apply(...)` (in any file, or kept as
//   `fn = X.apply`) keeps working (PyNative mode: a Cell made per call).
// What cannot be read from the inputs (an intermediate saved in forward, ctx.needs_input_grad, mark_dirty) gets no
// fix and a reason. Always unsafe: a bprop's gradients for non-Tensor inputs and its modes differ from torch's.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse, ClassInfo } from '../resolve';
import type { RuleContext } from './types';
import { callArgs, eol, indentAt, isBaseOf, isMemberName, lineEndOf, lineEndWithBreak, lineStartOf, ownsLines, parameterName, rootOf, tick, walk } from './util';

/** torch's Function, by both of its names. */
const AUTOGRAD_FUNCTION = new Set(['torch.autograd.Function', 'torch.autograd.function.Function']);

/** Decorators a Cell's bprop makes pointless: dropped with @staticmethod. */
const DROPPED = new Set([
  'torch.autograd.function.once_differentiable',
  'torch.amp.custom_fwd',
  'torch.amp.custom_bwd',
  'torch.cuda.amp.custom_fwd',
  'torch.cuda.amp.custom_bwd',
]);
/** Members of torch's Function that have no bprop counterpart. */
const UNSUPPORTED_MEMBERS = ['setup_context', 'jvp', 'vjp', 'vmap', '__init__', 'apply', 'construct', 'bprop'];
const SAVED = new Set(['saved_tensors', 'saved_variables']);
const OUT = '\u0000out\u0000'; // stands for the bprop's out parameter until its name is chosen
const LOOPS = new Set(['for_statement', 'while_statement']);
/** Methods that read a Tensor's shape: the same in bprop on the same input. */
const METADATA = new Set(['size', 'dim', 'numel', 'ndimension']);
const PATTERNS = new Set(['pattern_list', 'tuple_pattern', 'list_pattern']);

interface Method {
  def: Node;
  /** The decorators to delete (@staticmethod and the dropped ones). */
  decorators: Node[];
  ctxName: string;
  params: string[];
  paramsNode: Node;
  body: Node;
}

type Result = { fix: Fix } | { why: string };

/** A `ctx.X` read in backward and the expression it becomes; `nested`: inside a lambda, nested def or comprehension. */
interface Replacement {
  node: Node;
  text: string;
  nested: boolean;
}

const NESTED = new Set(['lambda', 'function_definition', 'class_definition', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

class Decline extends Error {}
function decline(why: string): never {
  throw new Decline(why);
}

/** The fix for the class `use` is the base of, or why there is none; undefined for other uses. */
export function autogradFunctionFix(ctx: RuleContext, use: ApiUse): Result | undefined {
  if (!AUTOGRAD_FUNCTION.has(use.qname) || use.context !== 'base') return undefined;
  const cls = ctx.resolution.classes.find((c) => isBaseOf(c, use.node));
  if (!cls || cls.file) return undefined;
  try {
    return { fix: writeOut(ctx, use, cls) };
  } catch (e) {
    if (e instanceof Decline) return { why: e.message };
    throw e;
  }
}

function writeOut(ctx: RuleContext, use: ApiUse, cls: ClassInfo): Fix {
  const text = ctx.text;
  const supers = cls.node.childForFieldName('superclasses');
  if (supers && supers.namedChildren.filter((c) => c && c.type !== 'comment').length !== 1) decline('the class has other base classes');
  const body = cls.node.childForFieldName('body');
  if (!body) decline('the class has no body');
  const members = new Map<string, Node>();
  for (const s of body.namedChildren) {
    const def = s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    const name = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
    if (name) members.set(name, s!);
  }
  for (const m of UNSUPPORTED_MEMBERS) if (members.has(m)) decline(`it defines ${tick(m)}, which a Cell's bprop has no counterpart for`);
  const fwd = method(ctx, members.get('forward'), 'forward');
  const bwd = method(ctx, members.get('backward'), 'backward');
  if (bwd.params.length === 0) decline('backward takes no gradient');
  for (const m of [fwd, bwd]) {
    if (m.ctxName === 'self') continue; // ctx named self: read as ctx
    walk(m.body, (n) => {
      if (n.type === 'identifier' && n.text === 'self') decline(`${tick('self')} is used in a static method`);
    });
  }
  for (const g of bwd.params) if (fwd.params.includes(g)) decline(`backward's gradient ${tick(g)} has the name of an input`);
  // what else reaches the class: a subclass would keep torch's forward and backward, X.forward(...) would be gone
  walk(rootOf(cls.node), (n) => {
    if (n.type === 'class_definition' && n.id !== cls.node.id) {
      const bases = n.childForFieldName('superclasses');
      if (bases?.namedChildren.some((b) => b?.text === cls.name)) decline(`${tick(n.childForFieldName('name')?.text ?? '?')} derives from it`);
    }
    if (n.type === 'attribute' && n.childForFieldName('object')?.text === cls.name && ['forward', 'backward'].includes(n.childForFieldName('attribute')?.text ?? '')) {
      decline(`${tick(n.text)} is called outside the class`);
    }
  });

  const edits: TextEdit[] = [];
  const plan = ctx.imports.plan('mindspore.nn.Cell');
  edits.push({ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr });
  if (plan.edit) edits.push(plan.edit);

  // forward: what ctx keeps, read from the inputs and the output
  const fwdBindings = bindings(fwd.body);
  const returned = returnedName(fwd.body);
  let saved: string[] | undefined;
  const attrs = new Map<string, string>();
  const ctxStatements: Node[] = [];
  walk(fwd.body, (n) => {
    if (n.type !== 'identifier' || n.text !== fwd.ctxName) return;
    const attr = n.parent;
    if (attr?.type !== 'attribute' || attr.childForFieldName('object')?.id !== n.id) decline(`${tick(fwd.ctxName)} is used other than through its attributes`);
    const name = attr.childForFieldName('attribute')?.text ?? '';
    const stmt = topStatement(fwd.body, attr);
    const call = attr.parent;
    if (name === 'save_for_backward' && call?.type === 'call' && stmt && stmt.namedChildren[0]?.id === call.id) {
      const args = callArgs(call);
      if (!args || args.hasSplat || args.keywords.size || saved) decline('save_for_backward is called in a way not followed');
      saved = args.positional.map((a) => inputOrOutput(a, stmt, fwd, fwdBindings, returned, `${tick(a.text)} is saved but is neither an input nor the returned value: recompute it in bprop from the inputs`));
      ctxStatements.push(stmt);
      return false;
    }
    const assign = attr.parent;
    if (assign?.type === 'assignment' && assign.childForFieldName('left')?.id === attr.id && stmt && stmt.namedChildren[0]?.id === assign.id) {
      const value = assign.childForFieldName('right');
      if (!value || attrs.has(name)) decline(`${tick(`${fwd.ctxName}.${name}`)} is set twice`);
      attrs.set(name, inputOrOutput(value, stmt, fwd, fwdBindings, returned, `${tick(`${fwd.ctxName}.${name}`)} is computed in forward: compute it in bprop from the inputs`));
      ctxStatements.push(stmt);
      return false;
    }
    decline(`${tick(`${fwd.ctxName}.${name}`)} has no bprop counterpart`);
  });
  const fwdStatements = fwd.body.namedChildren.filter((c) => c && c.type !== 'comment');
  if (fwdStatements.length <= ctxStatements.length) decline('forward does nothing but fill ctx');

  // backward: ctx's attributes become the expressions they were set to
  const bwdBindings = bindings(bwd.body);
  const replaced: Replacement[] = [];
  const bwdNames = new Set<string>();
  scopedIdentifiers(bwd.body, (n, inner, nested) => {
    if (isMemberName(n) || inner.has(n.text)) return;
    bwdNames.add(n.text);
    if (n.text !== bwd.ctxName) return;
    const attr = n.parent;
    if (attr?.type !== 'attribute' || attr.childForFieldName('object')?.id !== n.id) decline(`${tick(bwd.ctxName)} is used other than through its attributes`);
    const name = attr.childForFieldName('attribute')?.text ?? '';
    if (isWritten(attr)) decline(`backward writes ${tick(`${bwd.ctxName}.${name}`)}`);
    let text: string;
    if (SAVED.has(name)) {
      if (!saved) decline(`${tick(`${bwd.ctxName}.${name}`)} is read but forward saves nothing`);
      text = saved.length === 1 ? `(${saved[0]},)` : `(${saved.join(', ')})`;
    } else if (attrs.has(name)) text = attrs.get(name)!;
    else decline(`${tick(`${bwd.ctxName}.${name}`)} has no bprop counterpart`);
    // in a lambda, a nested function or a comprehension whose own names hide what the expression reads
    for (const v of inner) if (readsName(text, v)) decline(`${tick(`${bwd.ctxName}.${name}`)} is read where ${tick(v)} names something else`);
    replaced.push({ node: attr, text, nested });
  });
  // an input's name read in backward was a global there; in bprop it would be the input
  for (const p of fwd.params) if (bwdNames.has(p) && !bwdBindings.has(p)) decline(`backward reads ${tick(p)}, the name of an input, from elsewhere`);
  const taken = new Set([...fwd.params, ...bwd.params, ...bwdNames]);
  const outName = ['out', 'fwd_out', 'forward_out'].find((n) => !taken.has(n));
  // one gradient per output: a tuple output (`return (y,)` too) gives bprop a tuple of them
  const unpack = bwd.params.length > 1 || returnsTuple(fwd.body);
  const doutName = unpack ? ['dout', 'grad_outputs', 'douts'].find((n) => !taken.has(n)) : bwd.params[0];
  if (!outName || !doutName) decline('no free name for the output and its gradient');
  for (const r of replaced) r.text = r.text.split(OUT).join(outName);
  checkRebindings(replaced, bwdBindings, bwd.ctxName, attrs, saved);

  // the edits
  const nl = eol(text);
  for (const m of [fwd, bwd]) for (const d of m.decorators) edits.push(lineEdit(text, d));
  edits.push(rename(fwd.def, 'construct'));
  const ctxParam = fwd.paramsNode.namedChildren.find((c) => c && c.type !== 'comment')!;
  edits.push({ start: ctxParam.startIndex, end: ctxParam.endIndex, newText: 'self' });
  for (const s of ctxStatements) edits.push(lineEdit(text, s));
  edits.push(rename(bwd.def, 'bprop'));
  edits.push({ start: bwd.paramsNode.startIndex, end: bwd.paramsNode.endIndex, newText: `(${['self', ...fwd.params, outName, doutName].join(', ')})` });
  for (const r of replaced) edits.push({ start: r.node.startIndex, end: r.node.endIndex, newText: r.text });
  if (unpack) {
    const first = firstCodeStatement(bwd.body);
    const at = lineStartOf(text, first.startIndex);
    const targets = bwd.params.length === 1 ? `${bwd.params[0]},` : bwd.params.join(', ');
    edits.push({ start: at, end: at, newText: `${indentAt(text, first.startIndex)}${targets} = ${doutName}${nl}` });
  }
  // Function.apply, kept for the callers
  const last = body.namedChildren.filter((c): c is Node => !!c).at(-1)!;
  const outer = indentAt(text, members.get('forward')!.startIndex);
  const inner = indentAt(text, firstCodeStatement(fwd.body).startIndex);
  if (!inner.startsWith(outer) || inner === outer) decline('the class is indented in a way not followed');
  const unit = inner.slice(outer.length);
  const at = lineEndOf(text, last.endIndex);
  edits.push({
    start: at,
    end: at,
    newText: [
      '',
      '',
      `${outer}# torch's Function.apply: a new Cell per call, whose bprop is the backward (PyNative mode)`,
      `${outer}@classmethod`,
      `${outer}def apply(cls, *args):`,
      `${outer}${unit}return cls()(*args)`,
    ].join(nl),
  });
  return { title: `Write ${cls.name} as a Cell with a custom bprop`, applicability: 'unsafe', edits };
}

/** forward or backward: a static method whose first parameter is ctx and the others plain names. */
function method(ctx: RuleContext, member: Node | undefined, name: string): Method {
  if (!member) decline(`it has no ${name} of its own`);
  const def = member.type === 'decorated_definition' ? member.childForFieldName('definition')! : member;
  const decorators = member.type === 'decorated_definition' ? member.namedChildren.filter((c): c is Node => c?.type === 'decorator') : [];
  const isStatic = (d: Node) => d.namedChildren.find((c) => c && c.type !== 'comment')?.text === 'staticmethod';
  if (!decorators.some(isStatic)) decline(`${name} is not a static method`);
  for (const d of decorators) {
    if (isStatic(d)) continue;
    const known = ctx.resolution.uses.find((u) => u.node.startIndex >= d.startIndex && u.node.endIndex <= d.endIndex && DROPPED.has(u.qname));
    const call = d.namedChildren[0]?.type === 'call' ? d.namedChildren[0] : undefined;
    if (!known || (call && callArgs(call)?.keywords.has('cast_inputs'))) decline(`${name}'s decorator ${tick(d.text.slice(1).trim())} is not one a bprop makes pointless`);
  }
  for (const d of decorators) if (!ownsLines(ctx.text, d)) decline(`a decorator of ${name} shares its line`);
  const paramsNode = def.childForFieldName('parameters')!;
  const ps = paramsNode.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const names = ps.map((p) => (p.type === 'identifier' ? p.text : p.type === 'typed_parameter' && p.namedChildren[0]?.type === 'identifier' ? p.namedChildren[0].text : undefined));
  if (!names.length || names.some((n) => !n)) decline(`${name}'s parameters have defaults, stars or a form not followed (a bprop lists the inputs one by one)`);
  const body = def.childForFieldName('body')!;
  if (body.startPosition.row === def.startPosition.row) decline(`${name} is written on one line`);
  return { def, decorators: decorators.filter(Boolean), ctxName: names[0]!, params: names.slice(1) as string[], paramsNode, body };
}

/**
 * What a value kept on ctx is, written in bprop's terms: an input not rebound before `stmt`, an expression of such
 * inputs (attributes, items, literals), or the name forward returns (bprop's out). Declines with `why` otherwise.
 */
function inputOrOutput(value: Node, stmt: Node, fwd: Method, bound: Map<string, Node[]>, returned: string | undefined, why: string): string {
  if (value.type === 'identifier' && value.text === returned && (bound.get(returned) ?? []).every((b) => b.endIndex <= stmt.startIndex)) return OUT;
  const ok = (n: Node): boolean => {
    switch (n.type) {
      case 'identifier':
        return fwd.params.includes(n.text) && (bound.get(n.text) ?? []).every((b) => b.startIndex > stmt.endIndex);
      case 'none':
      case 'true':
      case 'false':
      case 'integer':
      case 'float':
        return true;
      case 'string':
        return !n.namedChildren.some((c) => c?.type === 'interpolation');
      case 'attribute':
        return ok(n.childForFieldName('object')!);
      case 'call': {
        // an input's shape read through a method: x.size(), x.size(0), x.dim(), x.numel()
        const f = n.childForFieldName('function');
        const args = callArgs(n);
        return f?.type === 'attribute' && METADATA.has(f.childForFieldName('attribute')?.text ?? '') && ok(f.childForFieldName('object')!) && !!args && !args.hasSplat && !args.keywords.size && args.positional.every(ok);
      }
      case 'subscript':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression':
      case 'unary_operator':
      case 'slice':
        return n.namedChildren.every((c) => !c || c.type === 'comment' || ok(c));
      default:
        return false;
    }
  };
  if (!ok(value)) decline(why);
  const simple = ['identifier', 'attribute', 'subscript', 'call', 'parenthesized_expression', 'tuple', 'list', 'none', 'true', 'false', 'integer', 'float', 'string'].includes(value.type);
  return simple ? value.text : `(${value.text})`;
}

/**
 * A name a replacement reads must still hold its value where the replacement stands: its other bindings in
 * backward must be the replacement's own (`dim = ctx.dim`, `x, w = ctx.saved_tensors`) or come after every read.
 */
function checkRebindings(replaced: Replacement[], bound: Map<string, Node[]>, ctxName: string, attrs: Map<string, string>, saved: string[] | undefined): void {
  for (const [name, targets] of bound) {
    const reads = replaced.filter((r) => readsName(r.text, name));
    if (!reads.length) continue;
    for (const t of targets) {
      if (identityBinding(t, name, ctxName, attrs, saved)) continue;
      // an assignment's right side is read before its target is bound
      const assign = t.parent && PATTERNS.has(t.parent.type) ? t.parent.parent : t.parent;
      const after = assign?.type === 'assignment' || assign?.type === 'augmented_assignment' ? assign.endIndex : t.endIndex;
      const loop = enclosingLoop(t);
      // a read in a nested function, lambda or generator runs later: after every binding
      if (reads.some((r) => r.nested || r.node.startIndex >= after || (loop && r.node.startIndex >= loop.startIndex && r.node.endIndex <= loop.endIndex))) {
        throw new Decline(`backward rebinds ${tick(name)} before reading what ctx kept`);
      }
    }
  }
}

/** `dim = ctx.dim` (kept as `dim`), or `x, w = ctx.saved_tensors` with x saved first. */
function identityBinding(target: Node, name: string, ctxName: string, attrs: Map<string, string>, saved: string[] | undefined): boolean {
  const parent = target.parent;
  const pattern = parent && PATTERNS.has(parent.type) ? parent : undefined;
  const assign = pattern ? pattern.parent : parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('left')?.id !== (pattern ?? target).id) return false;
  const right = assign.childForFieldName('right');
  if (right?.type !== 'attribute' || right.childForFieldName('object')?.text !== ctxName) return false;
  const attr = right.childForFieldName('attribute')?.text ?? '';
  if (!pattern) return attrs.get(attr) === name;
  if (!saved || !SAVED.has(attr)) return false;
  const items = pattern.namedChildren.filter((c) => c && c.type !== 'comment');
  return items.length === saved.length && saved[items.findIndex((c) => c?.id === target.id)] === name;
}

/** Whether the Python expression `text` reads the name `name` (not as an attribute). */
function readsName(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w.])${name}(?!\\w)`).test(text);
}

/** `ctx.X = ...`, `ctx.X += ...`, `del ctx.X`: a write, not a read. */
function isWritten(attr: Node): boolean {
  const p = attr.parent;
  if ((p?.type === 'assignment' || p?.type === 'augmented_assignment') && p.childForFieldName('left')?.id === attr.id) return true;
  for (let q = p; q && q.type !== 'block'; q = q.parent) if (q.type === 'delete_statement') return true;
  return !!p && PATTERNS.has(p.type) && p.parent?.type === 'assignment' && p.parent.childForFieldName('left')?.id === p.id;
}

/**
 * Every identifier of a function body, with the names the nested scopes around it bind (lambda and nested function
 * parameters, a nested function's assignments, comprehension variables) and whether it is in one.
 */
function scopedIdentifiers(body: Node, fn: (n: Node, inner: ReadonlySet<string>, nested: boolean) => void): void {
  const visit = (node: Node, inner: ReadonlySet<string>, nested: boolean): void => {
    walk(node, (n) => {
      if (n.id !== node.id && NESTED.has(n.type)) {
        const own = new Set(inner);
        if (n.type === 'lambda' || n.type === 'function_definition') {
          for (const p of n.childForFieldName('parameters')?.namedChildren ?? []) {
            const name = p ? parameterName(p) : undefined;
            if (name) own.add(name);
          }
        }
        if (n.type === 'function_definition' || n.type === 'class_definition') for (const k of bindings(n.childForFieldName('body')!).keys()) own.add(k);
        for (const clause of n.namedChildren) if (clause?.type === 'for_in_clause') for (const k of targetNames(clause.childForFieldName('left'))) own.add(k);
        visit(n, own, true);
        return false;
      }
      if (n.type === 'identifier') fn(n, inner, nested);
    });
  };
  visit(body, new Set(), false);
}

function targetNames(n: Node | null | undefined): string[] {
  if (!n) return [];
  if (n.type === 'identifier') return [n.text];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'parenthesized_expression'].includes(n.type)) return n.namedChildren.flatMap((c) => targetNames(c));
  return [];
}

function enclosingLoop(n: Node): Node | undefined {
  for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) if (LOOPS.has(p.type)) return p;
  return undefined;
}

/** The identifiers a function body binds (assignment targets, loop variables, `as` names), by name. */
function bindings(body: Node): Map<string, Node[]> {
  const out = new Map<string, Node[]>();
  const add = (n: Node | null | undefined): void => {
    if (!n) return;
    if (n.type === 'identifier') {
      const l = out.get(n.text) ?? [];
      l.push(n);
      out.set(n.text, l);
    } else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target'].includes(n.type)) {
      for (const c of n.namedChildren) add(c);
    }
  };
  walk(body, (n) => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'for_statement') add(n.childForFieldName('left'));
    else if (n.type === 'named_expression') add(n.childForFieldName('name'));
    else if (n.type === 'as_pattern') add(n.childForFieldName('alias'));
    else if (n.type === 'except_clause') {
      for (const c of n.namedChildren) if (c?.type === 'identifier') add(c);
    } else if (n.id !== body.id && (n.type === 'function_definition' || n.type === 'class_definition')) {
      add(n.childForFieldName('name'));
      return false; // its own scope
    } else if (n.type === 'lambda') return false;
    else if (NESTED.has(n.type)) {
      // a comprehension's variables are its own; a walrus in it binds here
      walk(n, (m) => {
        if (m.type === 'named_expression') add(m.childForFieldName('name'));
      });
      return false;
    }
  });
  return out;
}

/** The name forward returns when its only return is its last statement, `return name`. */
function returnedName(body: Node): string | undefined {
  const stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = stmts.at(-1);
  const value = last?.type === 'return_statement' ? last.namedChildren.filter((c) => c && c.type !== 'comment') : [];
  if (value.length !== 1 || value[0]!.type !== 'identifier') return undefined;
  let returns = 0;
  walk(body, (n) => {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return false;
    if (n.type === 'return_statement') returns++;
  });
  return returns === 1 ? value[0]!.text : undefined;
}

/** Whether a return of forward gives a tuple display (`return a, b`, `return (y,)`). */
function returnsTuple(body: Node): boolean {
  let tuple = false;
  walk(body, (n) => {
    if (NESTED.has(n.type) && n.id !== body.id) return false;
    if (n.type !== 'return_statement') return;
    const v = n.namedChildren.find((c) => c && c.type !== 'comment');
    if (v?.type === 'expression_list' || v?.type === 'tuple') tuple = true;
  });
  return tuple;
}

/** The statement of `body` (directly in it) that contains `n`. */
function topStatement(body: Node, n: Node): Node | undefined {
  let p: Node | null = n;
  while (p && p.parent?.id !== body.id) p = p.parent;
  return p?.type === 'expression_statement' ? p : undefined;
}

function firstCodeStatement(body: Node): Node {
  const stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const docstring = stmts[0]?.type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string';
  return (docstring && stmts[1]) || stmts[0]!;
}

function rename(def: Node, to: string): TextEdit {
  const name = def.childForFieldName('name')!;
  return { start: name.startIndex, end: name.endIndex, newText: to };
}

/** Deletes a statement or decorator with its line. */
function lineEdit(text: string, n: Node): TextEdit {
  if (!ownsLines(text, n)) decline('a statement to delete shares its line');
  return { start: lineStartOf(text, n.startIndex), end: lineEndWithBreak(text, n.endIndex), newText: '' };
}
