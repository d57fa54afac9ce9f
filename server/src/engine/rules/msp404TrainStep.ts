// MSP404: the optimizer.zero_grad() / loss.backward() / optimizer.step() loop. MindSpore differentiates a
// forward function: grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters), then
// loss, grads = grad_fn(inputs...) and optimizer(grads). The fix builds that from a recognisable loop body: everything
// before backward is the forward part; a GradScaler's loop becomes DynamicLossScaler calls, clip_grad_norm_ becomes
// ops.clip_by_global_norm on the gradients.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import { dynamicScalerArgs, scalerCalls } from './msp303Amp';
import type { Rule, RuleContext } from './types';
import {
  assignedValue, callArgs, ownsLines, calleeName, calleeObject, claimUses, eol, findAll, freshName, hasMultilineString, indentAt, isMemberName, lineEndOf, lineEndWithBreak, lineStartOf,
  parameterName, readsAssignments, readsLaterReads, readsWholeBody, reportAdvice, ruleOwned, statementCall, tick, walk,
} from './util';

interface Step {
  /** The loop, or the function whose body is the step. */
  loop: Node;
  /** The step is a function's body: forward_fn is defined in it, where the forward part began. */
  fn: boolean;
  /** Names the function declares global or nonlocal (function steps). */
  declared: Map<string, string>;
  zero?: Node;
  backward: Node;
  step: Node;
  optimizer: string;
  loss: string;
  forward: Node[];
  /** Statements between backward and step reading only the forward part's values: after grad_fn's call. */
  between: Node[];
  /** Comments of the block between backward and step (and the scaler's update): kept after grad_fn's call. */
  comments: Node[];
  after: Node[];
  /** A GradScaler's loop (`scaler.scale(loss).backward()`, `scaler.step(opt)`, `scaler.update()`): the scaler. */
  scaler?: string;
  /** Its `scaler.update()` statement, the step's last. */
  update?: Node;
  /** `clip_grad_norm_(..., max_norm)` before the step: the max norm, for `ops.clip_by_global_norm`. */
  clip?: string;
  /** The clipping's condition when it is `if cond: clip_grad_norm_(...)`. */
  clipWhen?: string;
}

const CLIP_NORM = /^torch\.nn\.utils\.(clip_grad\.)?clip_grad_norm_$/;
const GRAD_SCALE = /^torch\.(cuda\.)?amp\.GradScaler\.scale$/;

function methodStatement(n: Node, name: string): Node | undefined {
  const c = statementCall(n);
  return c && calleeName(c) === name && calleeObject(c) ? c : undefined;
}

/** Names a statement list reads and assigns (identifiers only; attributes and keywords excluded). */
function names(stmts: Node[]): { read: string[]; assigned: Set<string> } {
  const read: string[] = [];
  const assigned = new Set<string>();
  for (const s of stmts) {
    walk(s, (n) => {
      if (n.type === 'assignment' || n.type === 'augmented_assignment') {
        for (const id of findAll(n.childForFieldName('left')!, (c) => c.type === 'identifier' && c.parent?.type !== 'attribute')) assigned.add(id.text);
      }
      if (n.type === 'for_statement') {
        const l = n.childForFieldName('left');
        if (l) for (const id of findAll(l, (c) => c.type === 'identifier')) assigned.add(id.text);
      }
      // `del x` and `with ... as x` / `except ... as x` bind x in the scope too
      if (n.type === 'delete_statement') for (const id of n.namedChildren.flatMap((c) => (c?.type === 'identifier' ? [c] : c?.type === 'expression_list' ? c.namedChildren.filter((x): x is Node => x?.type === 'identifier') : []))) assigned.add(id.text);
      if (n.type === 'as_pattern_target') for (const id of findAll(n, (c) => c.type === 'identifier')) assigned.add(id.text);
      // (a comprehension's variables are its own; a walrus binds in the function)
      if (n.type === 'named_expression') {
        const name = n.childForFieldName('name');
        if (name) assigned.add(name.text);
      }
      if (n.type !== 'identifier' || isMemberName(n)) return;
      if (!read.includes(n.text)) read.push(n.text);
    });
  }
  return { read, assigned };
}

/** Names a statement between backward and step may read besides the forward part's values (`n = loss.item()`). */
const PLAIN_BUILTINS = new Set(['float', 'int', 'bool', 'str', 'print', 'len', 'abs', 'round', 'min', 'max', 'isinstance', 'math']);

/** The longest function (in characters, some 150 lines) taken as one train step. */
const ONE_STEP_MAX_CHARS = 6000;

/** A step, or why the block calling backward is not one the rewrite can take (`at`: the backward statement). */
type Found = { step: Step } | { why: string; at: Node };

/**
 * The train step whose `backward()` is a statement of `container`'s body (a loop's, or a function's: a function
 * that is one step, `def train_once(x, y): ... loss.backward(); optimizer.step(); return loss.item()`), or why
 * it is not rewritten; undefined when no statement of the body calls backward.
 */
function findStep(ctx: RuleContext, container: Node): Found | undefined {
  const body = container.childForFieldName('body');
  if (!body) return undefined;
  const fn = container.type === 'function_definition';
  let stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const bi0 = stmts.findIndex((s) => methodStatement(s, 'backward'));
  if (bi0 < 0) return undefined;
  const at = stmts[bi0];
  const no = (why: string): Found => ({ why, at });
  // a long function calling backward once (a script's main()) is no one-step function: forward_fn would be most of it
  if (fn && container.endIndex - container.startIndex > ONE_STEP_MAX_CHARS) return undefined;
  // what a function's step is, and why not, depends on every statement of its body (incremental analysis)
  if (fn) readsWholeBody(container);
  // a function's docstring and global / nonlocal statements stay where they are, before forward_fn
  let prologue = 0;
  if (fn) {
    while (prologue < stmts.length && (/^(global|nonlocal)_statement$/.test(stmts[prologue].type) || (prologue === 0 && stmts[0].type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string'))) prologue++;
  }
  const declared = new Map<string, string>();
  for (const st of stmts.slice(0, prologue)) {
    if (st.type !== 'expression_statement') for (const id of st.namedChildren) if (id?.type === 'identifier') declared.set(id.text, st.type === 'global_statement' ? 'global' : 'nonlocal');
  }
  stmts = stmts.slice(prologue);
  const bi = bi0 - prologue;
  const bcall = methodStatement(stmts[bi], 'backward')!;
  if (bcall.childForFieldName('arguments')?.namedChildren.length) return no('`backward` is given arguments (a gradient or retain_graph), which a grad function has no counterpart for');
  let lossNode = calleeObject(bcall)!;
  // mixed precision: `scaler.scale(loss).backward()`, then `scaler.step(opt)` and `scaler.update()`
  let scaler: string | undefined;
  if (lossNode.type === 'call' && calleeName(lossNode) === 'scale') {
    const scaled = callArgs(lossNode);
    const isScaler = ctx.resolution.uses.some((u) => u.call?.id === lossNode.id && GRAD_SCALE.test(u.qname));
    if (!isScaler || !scaled || scaled.all.length !== 1 || scaled.positional.length !== 1) return no('`backward` is called on a `scale(...)` that is not a GradScaler\'s');
    scaler = calleeObject(lossNode)!.text;
    lossNode = scaled.positional[0];
  }
  if (lossNode.type !== 'identifier') return no('`backward` is called on an expression, not on a name the forward part assigns');
  // between backward and step: a scaler's unscale_, gradient clipping (written on the gradients), and statements
  // that only read what the forward part computed (`loss_value = loss.item()`), which go after grad_fn's call
  const forwardAll = stmts.slice(0, bi);
  const readable = new Set([...names(forwardAll).assigned, lossNode.text, ...PLAIN_BUILTINS]);
  // (and the loop's own variables)
  const target = fn ? null : container.childForFieldName('left');
  if (target) for (const id of findAll(target, (c) => c.type === 'identifier')) readable.add(id.text);
  let si = bi + 1;
  let clip: { max: Node; params: Node; when?: Node } | undefined;
  let unscaled = false;
  const between: Node[] = [];
  const kept: Node[] = []; // the unscale_ and clip statements
  for (; si < stmts.length; si++) {
    const st = stmts[si];
    if (scaler && !unscaled && !clip) {
      const u = methodStatement(st, 'unscale_');
      if (u && calleeObject(u)!.text === scaler) {
        unscaled = true;
        kept.push(st);
        continue;
      }
    }
    // clipping only when configured: `if configs.clip: clip_grad_norm_(...)` (one statement, no elif / else)
    const guard = st.type === 'if_statement' && !st.childForFieldName('alternative') ? st : undefined;
    const guarded = guard?.childForFieldName('consequence')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const clipCall = statementCall(guarded?.length === 1 ? guarded[0] : st);
    if (!clip && clipCall && ctx.resolution.uses.some((u) => u.call?.id === clipCall.id && CLIP_NORM.test(u.qname))) {
      const a = callArgs(clipCall);
      const norm = a ? (a.keywords.get('norm_type')?.value.text ?? a.positional[2]?.text) : undefined;
      const max = a?.keywords.get('max_norm')?.value ?? a?.positional[1];
      const params = a?.keywords.get('parameters')?.value ?? a?.positional[0];
      const defaults: Record<string, string> = { error_if_nonfinite: 'False', foreach: 'None' };
      const keywordsKnown = !!a && [...a.keywords].every(([k, v]) => ['parameters', 'max_norm', 'norm_type'].includes(k) || defaults[k] === v.value.text);
      if (!a || a.hasSplat || !max || !params || a.positional.length > 3 || !keywordsKnown || (norm !== undefined && !/^2(\.0?)?$/.test(norm))) return no('`clip_grad_norm_` is given arguments `ops.clip_by_global_norm` has no counterpart for (a norm other than 2, error_if_nonfinite)');
      // a scaler's gradients are clipped after unscale_: torch clips scaled ones otherwise
      if (scaler && !unscaled) return no('the gradients are clipped while still scaled (no `unscale_` before `clip_grad_norm_`)');
      const when = guard?.childForFieldName('condition') ?? undefined;
      if (when && /[\r\n]/.test(when.text)) return no('the clipping condition spans lines');
      clip = { max, params, when };
      kept.push(st);
      continue;
    }
    if (methodStatement(st, 'step')) break;
    if (methodStatement(st, 'zero_grad')) return no('`zero_grad()` comes between `backward` and `step`');
    const r = names([st]);
    const reads = findAll(st, (n) => n.type === 'identifier' && !isMemberName(n) && !isAssignedHere(n)).map((n) => n.text);
    const readsGrads = findAll(st, (n) => n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'grad').length > 0;
    if (st.type !== 'expression_statement' || hasMultilineString(st)) {
      return no('`backward()` is not followed by `step()` in the same block (only clipping, and statements reading what the forward part computed, may come between)');
    }
    if (readsGrads || reads.some((x) => !readable.has(x))) {
      return no('a statement between `backward` and `step` reads more than the forward part\'s values (gradients, parameters or other state)');
    }
    for (const a of r.assigned) readable.add(a);
    between.push(st);
  }
  if (unscaled && !clip) return no('`unscale_` is not followed by gradient clipping'); // unscale_ with nothing after it that uses it
  const step = stmts[si];
  const scall = step ? methodStatement(step, 'step') : undefined;
  if (!scall) return no('no `step()` follows `backward()` in the same block');
  const stepArgs = callArgs(scall);
  let optimizer: string;
  let update: Node | undefined;
  if (scaler) {
    update = stmts[si + 1];
    const ucall = update ? methodStatement(update, 'update') : undefined;
    if (calleeObject(scall)!.text !== scaler || stepArgs?.all.length !== 1 || stepArgs.positional.length !== 1) return no('the scaled loss is not stepped by `scaler.step(optimizer)`');
    if (!ucall || calleeObject(ucall)!.text !== scaler || callArgs(ucall)?.all.length) return no('`scaler.step(optimizer)` is not followed by `scaler.update()`');
    optimizer = stepArgs.positional[0].text;
  } else {
    if (stepArgs?.all.length) return no('`step` is given arguments (a closure)');
    optimizer = calleeObject(scall)!.text;
  }
  // zero_grad of the optimizer or of a module (torch accumulates gradients without one: no rewrite then)
  const isZero = (st: Node) => {
    const c = methodStatement(st, 'zero_grad');
    return !!c && (calleeObject(c)!.text === optimizer || ctx.resolution.uses.some((u) => u.call?.id === c.id && u.qname === 'torch.nn.Module.zero_grad'));
  };
  const zi = stmts.findIndex(isZero);
  // or one statement of a `with` block of the forward part (`with torch.autocast(...): optimizer.zero_grad(); ...`)
  // that has others: its lines go, the block stays
  const nestedZero = zi >= 0 ? undefined : stmts.slice(0, bi).flatMap((st) => {
    if (st.type !== 'with_statement') return [];
    const inner = st.childForFieldName('body')?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
    return inner.length > 1 ? inner.filter((z) => isZero(z) && ownsLines(ctx.text, z)) : [];
  })[0];
  if (zi < 0 && !nestedZero) return no(`no \`zero_grad()\` in the same block: torch accumulates gradients over ${fn ? 'calls' : 'iterations'} without one`);
  if (zi > bi && zi < si) return no('`zero_grad()` comes between `backward` and `step`');
  // everything before backward is the forward part, zero_grad aside (`out = model(x)` before zero_grad computes the
  // loss too: left outside forward_fn, its gradients would be lost)
  const forward = stmts.slice(0, bi).filter((_, i) => i !== zi);
  if (!forward.length) return no('nothing before `backward` computes the loss');
  const after = stmts.slice(si + (scaler ? 2 : 1)).filter((s) => s !== stmts[zi]);
  for (const s of forward) {
    if (findAll(s, (n) => /^(break_statement|continue_statement|return_statement|yield|function_definition|class_definition)$/.test(n.type)).length) {
      return no('the forward part has a `break`, `continue`, `return`, `yield` or a definition, which cannot move into a function');
    }
    if (hasMultilineString(s)) return no('the forward part has a multi-line string, which re-indenting would change');
    if (findAll(s, (n) => n.type === 'global_statement' || n.type === 'nonlocal_statement').length) return no('the forward part declares a name global or nonlocal, which would then hold in forward_fn alone');
    if (findAll(s, (n) => n.type === 'await').length) return no('the forward part awaits, which a grad function cannot');
    if (findAll(s, (n) => n.type === 'call' && n.childForFieldName('function')?.text === 'super' && !callArgs(n)?.all.length).length) return no('the forward part calls `super()` without arguments, which fails inside forward_fn');
  }
  // every statement of the step on lines of its own (`optimizer.zero_grad(); out = model(x)` would be cut apart)
  const parts = [...forward, stmts[zi] ?? nestedZero!, stmts[bi], ...between, ...kept, step, ...(update ? [update] : [])];
  if (parts.some((st) => st && !ownsLines(ctx.text, st))) return no('statements of the step share a line (`;`), which the rewrite would cut apart');
  const { assigned } = names(forward);
  if (!assigned.has(lossNode.text)) return no(`the forward part does not assign \`${lossNode.text}\``);
  const optimizerRoot = /^[A-Za-z_]\w*/.exec(optimizer)?.[0];
  if (optimizerRoot && assigned.has(optimizerRoot)) return no(`the forward part assigns \`${optimizerRoot}\`, which grad_fn needs before it runs`);
  // the loss read before the forward part assigns it (the previous iteration's): forward_fn would not have it
  const firstLoss = forward.flatMap((st) => findAll(st, (n) => n.type === 'identifier' && n.text === lossNode.text && !isMemberName(n)))[0];
  if (firstLoss && !isAssignedHere(firstLoss)) return no(`\`${lossNode.text}\` is read before the forward part assigns it`);
  // the clip reads what forward_fn assigns (it stays in the loop), or clips other parameters than the optimizer's
  if (clip && names([clip.max]).read.some((r) => assigned.has(r))) return no('the clipping norm is computed by the forward part');
  if (clip?.when && (names([clip.when]).read.some((r) => assigned.has(r)) || hasMultilineString(clip.when))) return no('whether to clip depends on what the forward part computes');
  if (clip && !optimizerOver(container, optimizer, clip.params)) return no('the clipped parameters are not shown to be the ones the optimizer was built over');
  // the scaler must become a DynamicLossScaler: made by GradScaler() without arguments, which MSP303 renames
  if (scaler && !plainScaler(ctx, container, scaler)) return no(`\`${scaler}\` is not shown to be a GradScaler MSP303 makes a DynamicLossScaler (made here with arguments it carries over, and not used as torch's elsewhere)`);
  return {
    step: {
      comments: body.namedChildren.filter((c): c is Node => c?.type === 'comment' && c.startIndex > stmts[bi].startIndex && c.startIndex < (update ?? step).endIndex),
      loop: container, fn, declared, zero: zi >= 0 ? stmts[zi] : nestedZero, backward: stmts[bi], step, optimizer, loss: lossNode.text, forward, between, after, scaler, update, clip: clip?.max.text, clipWhen: clip?.when?.text },
  };
}

/** Whether an identifier is bound, not read, where it stands: a `for` target, a `with ... as` / `except ... as` name, a definition's name, an import's. */
function isBoundHere(id: Node): boolean {
  if (isAssignedHere(id)) return true;
  let q: Node = id;
  for (let p = id.parent; p; q = p, p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'for_in_clause') return p.childForFieldName('left')?.id === q.id;
    if (p.type === 'as_pattern_target' || p.type === 'aliased_import' || p.type === 'dotted_name') return true;
    if (p.type === 'function_definition' || p.type === 'class_definition') return p.childForFieldName('name')?.id === q.id;
    if (p.type === 'named_expression') return p.childForFieldName('name')?.id === q.id;
    if (!['pattern_list', 'tuple_pattern', 'list_pattern', 'parenthesized_expression'].includes(p.type)) return false;
  }
  return false;
}

/**
 * The names statements read from the scope they are in: not where they bind a name, and in a function, lambda or
 * class inside them only names it does not bind itself (what resolution counts as a read, so that incremental
 * analysis re-checks the loop when a read appears or goes: readsLaterReads).
 */
function scopeReads(stmts: readonly Node[]): Set<string> {
  const out = new Set<string>();
  const visit = (n: Node, shadowed: ReadonlySet<string>): void => {
    // (code tree-sitter could not parse is not read: resolution, which incremental analysis goes by, skips it too)
    if (n.type === 'ERROR') return;
    if (n.type === 'function_definition' || n.type === 'lambda') {
      const local = new Set(shadowed);
      for (const c of n.childForFieldName('parameters')?.namedChildren ?? []) {
        if (!c) continue;
        const name = parameterName(c);
        if (name) local.add(name);
        // defaults and annotations are evaluated where the function is defined
        for (const f of ['value', 'type']) {
          const v = c.childForFieldName(f);
          if (v) visit(v, shadowed);
        }
      }
      const ret = n.childForFieldName('return_type');
      if (ret) visit(ret, shadowed);
      const body = n.childForFieldName('body');
      if (!body) return;
      // what it assigns is its own, but for the names it declares global or nonlocal
      const declared = new Set(findAll(body, (c) => c.type === 'global_statement' || c.type === 'nonlocal_statement').flatMap((d) => d.namedChildren.map((id) => id?.text ?? '')));
      for (const a of names([body]).assigned) if (!declared.has(a)) local.add(a);
      for (const d of declared) local.delete(d);
      visit(body, local);
      return;
    }
    if (n.type === 'class_definition') {
      const bases = n.childForFieldName('superclasses');
      if (bases) visit(bases, shadowed);
      const body = n.childForFieldName('body');
      if (body) visit(body, new Set([...shadowed, ...names([body]).assigned]));
      return;
    }
    if (n.type === 'identifier') {
      if (!isMemberName(n) && !isBoundHere(n) && !shadowed.has(n.text)) out.add(n.text);
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c, shadowed);
  };
  for (const st of stmts) visit(st, new Set());
  return out;
}

/** Whether an identifier is an assignment's target (`loss = ...`, `loss, out = ...`), not a read. */
function isAssignedHere(id: Node): boolean {
  let q: Node = id;
  for (let p = id.parent; p; q = p, p = p.parent) {
    if (p.type === 'assignment') return p.childForFieldName('left')?.id === q.id;
    if (!['pattern_list', 'tuple_pattern', 'list_pattern', 'parenthesized_expression'].includes(p.type)) return false;
  }
  return false;
}

/** The value `name` was last assigned before the loop, in the loop's function or the module. */
function valueBefore(loop: Node, name: string): Node | undefined {
  return /^[A-Za-z_]\w*$/.test(name) ? assignedValue(enclosingScope(loop), name, loop.startIndex) : undefined;
}

function enclosingScope(n: Node): Node {
  let f: Node | null = n.parent;
  while (f && f.type !== 'function_definition') f = f.parent;
  let root: Node = n;
  while (root.parent) root = root.parent;
  return f ?? root;
}

/** The optimizer was built over the parameters the clip clips (`AdamW(model.parameters(), ...)`, the same text). */
function optimizerOver(loop: Node, optimizer: string, params: Node): boolean {
  const made = valueBefore(loop, optimizer);
  const first = made?.type === 'call' ? callArgs(made)?.positional[0] : undefined;
  return !!first && first.text.replace(/\s+/g, '') === params.text.replace(/\s+/g, '');
}

/** The scaler is a GradScaler assigned before the loop whose arguments MSP303 carries over to a DynamicLossScaler. */
function plainScaler(ctx: RuleContext, loop: Node, scaler: string): boolean {
  const made = valueBefore(loop, scaler);
  const use = made?.type === 'call' ? ctx.resolution.uses.find((u) => u.call?.id === made.id && /^torch\.(cuda\.)?amp\.GradScaler$/.test(u.qname)) : undefined;
  // and MSP303 will rename: nothing but the loop's calls keeps it torch's (`scaler.state_dict()`, handed on)
  return !!use && dynamicScalerArgs(made!, use.qname) !== undefined && !use.call!.text.includes('#') && !ctx.textHas(scalerCalls(made!, true));
}

/**
 * Names bound outside the loop in the scope that holds it (the enclosing function, with its parameters, or the
 * module): the forward part assigning one of them (`best_loss = loss` kept across iterations) must declare it
 * nonlocal (global at module level), or the moved code reads a local of the new function before it is bound.
 */
function outerNames(loop: Node, candidates: readonly string[]): { names: Set<string>; inFunction: boolean; scope: Node; declared: Map<string, string> } {
  const enclosing = enclosingScope(loop);
  const f = enclosing.type === 'function_definition' ? enclosing : undefined;
  const scope = f?.childForFieldName('body') ?? enclosing;
  const out = new Set<string>();
  // names the enclosing function declares global or nonlocal: the new function declares them the same way
  const declared = new Map<string, string>();
  if (!candidates.length) return { names: out, inFunction: !!f, scope, declared };
  const wanted = new Set(candidates);
  const add = (target: Node | null) => {
    if (target) for (const id of findAll(target, (c) => c.type === 'identifier' && c.parent?.type !== 'attribute' && c.parent?.type !== 'subscript')) if (wanted.has(id.text)) out.add(id.text);
  };
  for (const c of f?.childForFieldName('parameters')?.namedChildren ?? []) {
    const name = c ? parameterName(c) : undefined;
    if (name && wanted.has(name)) out.add(name);
  }
  // only the binding statements are made into nodes; the loop itself and nested scopes are not entered
  scope.tree.walkTypes(
    scope.id,
    [...BINDERS, 'global_statement', 'nonlocal_statement'],
    (n) => {
      if (n.type === 'global_statement' || n.type === 'nonlocal_statement') {
        for (const id of n.namedChildren) if (id?.type === 'identifier' && wanted.has(id.text)) {
          out.add(id.text);
          declared.set(id.text, n.type === 'global_statement' ? 'global' : 'nonlocal');
        }
        return;
      }
      if (n.id === loop.id) return false;
      add(n.childForFieldName('left'));
    },
    SCOPES,
  );
  return { names: out, inFunction: !!f, scope, declared };
}

/**
 * For a function's step: the names forward_fn must declare, of those its forward part assigns: the function's
 * parameters (nonlocal: `input_x = input_x.float()` rebinds the function's own) and what it declares global or
 * nonlocal (declared the same way).
 */
function functionNames(s: Step, candidates: readonly string[]): { names: Set<string>; inFunction: boolean; scope: Node; declared: Map<string, string> } {
  const params = new Set<string>();
  for (const c of s.loop.childForFieldName('parameters')?.namedChildren ?? []) {
    const name = c ? parameterName(c) : undefined;
    if (name) params.add(name);
  }
  const out = new Set(candidates.filter((a) => params.has(a) || s.declared.has(a)));
  return { names: out, inFunction: true, scope: s.loop.childForFieldName('body') ?? s.loop, declared: s.declared };
}

const BINDERS = ['assignment', 'augmented_assignment', 'for_statement'];
const SCOPES = ['function_definition', 'class_definition', 'lambda'];

function buildFix(ctx: RuleContext, s: Step): Fix | string {
  const nl = eol(ctx.text);
  const bodyIndent = indentAt(ctx.text, s.forward[0].startIndex);
  // forward_fn is defined before the loop, or in the function where its forward part began
  const loopIndent = s.fn ? bodyIndent : indentAt(ctx.text, s.loop.startIndex);
  // inputs: names the forward part reads that the loop binds (its target, or earlier statements of the body)
  const loopBound = new Set<string>();
  const left = s.loop.childForFieldName('left');
  if (left) for (const id of findAll(left, (c) => c.type === 'identifier')) loopBound.add(id.text);
  const fw = names(s.forward);
  const uniqParams = fw.read.filter((r) => loopBound.has(r));
  // values read later from the forward part (in the rest of the loop, its else clause, or after it) come back as
  // auxiliary outputs
  // (a function's step: the rest of its body; statements moved from between backward and step read them too)
  const rest: Node[] = [...s.between, ...s.after];
  const orelse = s.fn ? null : s.loop.childForFieldName('alternative');
  if (orelse) rest.push(orelse);
  // (and after each block around it, up to its function or the module: `if cfg.train: for ...` then `return out`)
  if (!s.fn) {
    for (let n: Node | null = s.loop; n && n.type !== 'function_definition' && n.type !== 'module'; n = n.parent) {
      for (let m = n.nextNamedSibling; m; m = m.nextNamedSibling) rest.push(m);
    }
  }
  const later = scopeReads(rest);
  // incremental analysis: which of them the statements after the loop read is what this fix reads there
  if (!s.fn) for (const a of fw.assigned) if (a !== s.loss) readsLaterReads(enclosingScope(s.loop), a, s.loop.startIndex);
  const aux = [...fw.assigned].filter((a) => a !== s.loss && later.has(a));
  const fn = freshName(ctx, 'forward_fn');
  const gfn = freshName(ctx, 'grad_fn');
  const grads = freshName(ctx, 'grads');
  const vag = ctx.imports.plan('mindspore.value_and_grad');
  // with a scaler, the gradients are those of the scaled loss, unscaled after grad_fn
  const returned = s.scaler ? `${s.scaler}.scale(${s.loss})` : s.loss;
  const ret = aux.length ? `return ${returned}, ${aux.join(', ')}` : `return ${returned}`;
  // state the loop keeps across iterations, assigned in the forward part: still the outer names
  // (the loss and the auxiliary outputs come back from grad_fn and are assigned where it is called)
  // (an auxiliary output the forward part also reads, `loss_all += ...`, is one too: read before it is bound)
  const candidates = [...fw.assigned].filter((a) => a !== s.loss && !uniqParams.includes(a));
  // (a function's step: its parameters the forward part rebinds, `x = x.float()`, and what it declares global)
  const outer = s.fn ? functionNames(s, candidates) : outerNames(s.loop, candidates);
  // incremental analysis: the statements assigning these names are what this fix reads
  if (!s.fn) for (const a of candidates) readsAssignments(outer.scope, a, s.loop.startIndex);
  const kept = candidates.filter((a) => outer.names.has(a));
  // an auxiliary output bound only on some iterations (in an if, a loop, a try) and nowhere before the loop would be
  // unbound when forward_fn returns it
  const topLevel = new Set(s.forward.flatMap((st) => (st.type === 'expression_statement' ? [...names([st]).assigned] : [])));
  const unbound = aux.find((a) => !kept.includes(a) && !topLevel.has(a));
  if (unbound) return `\`${unbound}\` is read after the step but the forward part binds it only on some paths (in an if, a loop or a try)`;
  const keyword = (a: string) => outer.declared.get(a) ?? (outer.inFunction ? 'nonlocal' : 'global');
  const declarations = ['nonlocal', 'global'].map((k) => kept.filter((a) => keyword(a) === k)).filter((l) => l.length);
  // the body from its first statement (zero_grad first: from the line after it) to backward, comments kept and
  // zero_grad's lines left out, re-indented into the function
  const firstStmt = s.zero && s.zero.startIndex < s.forward[0].startIndex ? s.zero : s.forward[0];
  const segStart = lineStartOf(ctx.text, firstStmt.startIndex);
  const segEnd = lineStartOf(ctx.text, s.backward.startIndex);
  const cuts: { start: number; end: number }[] = [];
  if (s.zero && s.zero.startIndex < s.backward.startIndex) cuts.push({ start: lineStartOf(ctx.text, s.zero.startIndex), end: lineEndWithBreak(ctx.text, s.zero.endIndex) });
  // `y: Tensor = model(x)` cannot stand after `nonlocal y`: a local's annotation is never evaluated, so it goes
  for (const st of s.forward) {
    for (const a of findAll(st, (n) => n.type === 'assignment' && !!n.childForFieldName('type'))) {
      const left = a.childForFieldName('left');
      const type = a.childForFieldName('type');
      if (left && type && kept.includes(left.text)) cuts.push({ start: left.endIndex, end: type.endIndex });
    }
  }
  cuts.sort((x, y) => x.start - y.start);
  let src = '';
  let at = segStart;
  for (const c of cuts) {
    src += ctx.text.slice(at, c.start);
    at = c.end;
  }
  src = (src + ctx.text.slice(at, segEnd)).replace(/\s+$/, '');
  const inner = `${loopIndent}    `;
  const fbody = src.split(/\r?\n/).map((l) => (l.startsWith(bodyIndent) ? inner + l.slice(bodyIndent.length) : l.trim() ? inner + l.trim() : l));
  const def = [
    `${loopIndent}def ${fn}(${uniqParams.join(', ')}):`,
    ...declarations.map((l) => `${inner}${keyword(l[0])} ${l.join(', ')}`),
    ...fbody,
    `${inner}${ret}`,
    `${loopIndent}${gfn} = ${vag.expr}(${fn}, None, ${s.optimizer}.parameters${aux.length ? ', has_aux=True' : ''})`,
  ].join(nl);
  const call = aux.length ? `(${s.loss}, ${aux.join(', ')}), ${grads}` : `${s.loss}, ${grads}`;
  const edits: TextEdit[] = [];
  const loopLine = lineStartOf(ctx.text, s.loop.startIndex);
  if (!s.fn) edits.push({ start: loopLine, end: loopLine, newText: def + nl });
  // replace [zero_grad (if first) .. step] with the two new lines
  const from = segStart;
  const stepLines = [`${call} = ${gfn}(${uniqParams.join(', ')})`];
  // statements that read only the forward part's values, moved from between backward and step
  const moved = [...s.between, ...s.comments].sort((a, b) => a.startIndex - b.startIndex).map((st) => ctx.text.slice(st.startIndex, lineEndOf(ctx.text, st.endIndex)));
  const clipLine = (): string[] => {
    const plan = ctx.imports.plan('mindspore.ops.clip_by_global_norm');
    if (plan.edit) edits.push(plan.edit);
    const line = `${grads} = ${plan.expr}(${grads}, ${s.clip})`;
    return s.clipWhen ? [`if ${s.clipWhen.replace(/\s*\r?\n\s*/g, ' ')}:`, `    ${line}`] : [line];
  };
  if (s.scaler) {
    // DynamicLossScaler: unscale the loss and the gradients; a step only with finite gradients, then adjust the scale
    const finite = freshName(ctx, 'finite');
    const allFinite = ctx.imports.plan('mindspore.amp.all_finite');
    if (allFinite.edit) edits.push(allFinite.edit);
    stepLines.push(
      `${s.loss} = ${s.scaler}.unscale(${s.loss})`,
      ...moved,
      `${grads} = ${s.scaler}.unscale(${grads})`,
      ...(s.clip ? clipLine() : []),
      `${finite} = ${allFinite.expr}(${grads})`,
      `if ${finite}:`,
      `    ${s.optimizer}(${grads})`,
      `${s.scaler}.adjust(${finite})`,
    );
  } else stepLines.push(...moved, ...(s.clip ? clipLine() : []), `${s.optimizer}(${grads})`);
  const stepText = stepLines.map((l) => `${bodyIndent}${l}`).join(nl);
  // a function's step: forward_fn and grad_fn where the forward part was
  edits.push({ start: from, end: lineEndOf(ctx.text, (s.update ?? s.step).endIndex), newText: s.fn ? `${def}${nl}${stepText}` : stepText });
  if (s.zero && s.zero.startIndex > s.step.startIndex) {
    edits.push({ start: lineStartOf(ctx.text, s.zero.startIndex), end: lineEndOf(ctx.text, s.zero.endIndex) + (ctx.text[lineEndOf(ctx.text, s.zero.endIndex)] === '\r' ? 2 : 1), newText: '' });
  }
  if (vag.edit) edits.push(vag.edit);
  return { title: `Rewrite as a value_and_grad train step (${fn} / ${gfn})`, applicability: 'unsafe', edits };
}

export const msp404Rule: Rule = {
  codes: ['MSP404'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP404', (q) => /^torch\.(Tensor\.backward|optim\.Optimizer\.(step|zero_grad)|autograd\.(backward|grad))$/.test(q) || ruleOwned(ctx, 'MSP404', q));
    if (!ctx.enabled('MSP404')) return;
    const covered = new Set<number>();
    // why a block calling backward got no rewrite, by the backward statement's start
    const declined = new Map<number, string>();
    for (const n of ctx.tree.nodesOfType(['for_statement', 'while_statement', 'function_definition'])) {
      const found = findStep(ctx, n);
      if (!found) continue;
      if ('why' in found) {
        declined.set(found.at.startIndex, found.why);
        continue;
      }
      const s = found.step;
      const built = buildFix(ctx, s);
      const fix = typeof built === 'string' ? undefined : built;
      const why = typeof built === 'string' ? ` No fix: ${built}.` : '';
      for (const st of [s.backward, s.step, s.zero]) if (st) covered.add(st.startIndex);
      const call = statementCall(s.backward)!;
      const steps = s.scaler
        ? `${s.optimizer}.zero_grad() / ${s.scaler}.scale(${s.loss}).backward() / ${s.clip ? 'clip_grad_norm_ / ' : ''}${s.scaler}.step(${s.optimizer}) / ${s.scaler}.update()`
        : `${s.optimizer}.zero_grad() / ${s.loss}.backward() / ${s.clip ? 'clip_grad_norm_ / ' : ''}${s.optimizer}.step()`;
      const clipping = s.clip ? `; the gradients are clipped with ${tick(`ops.clip_by_global_norm(grads, ${s.clip})`)}${s.clipWhen ? ` when ${tick(s.clipWhen)}` : ''}` : '';
      const scaling = s.scaler
        ? `; with loss scaling, forward_fn returns ${tick(`${s.scaler}.scale(${s.loss})`)} and the step unscales the gradients, steps only when ${tick('ms.amp.all_finite(grads)')} and calls ${tick(`${s.scaler}.adjust(finite)`)} (${s.scaler} must be a ${tick('ms.amp.DynamicLossScaler')}, see MSP303)`
        : '';
      ctx.report({
        code: 'MSP404',
        message: `${tick(steps)} → a functional train step: ${tick(`grad_fn = ms.value_and_grad(forward_fn, None, ${s.optimizer}.parameters)`)}, then ${tick(`${s.loss}, grads = grad_fn(...)`)} and ${tick(`${s.optimizer}(grads)`)} (the optimizer must be a MindSpore optimizer over the network's trainable parameters)${clipping}${scaling}.${why}`,
        start: call.startIndex,
        end: call.endIndex,
        fixes: fix ? [fix] : [],
        data: { torchApi: 'torch.Tensor.backward', msApi: 'mindspore.value_and_grad' },
      });
    }
    for (const use of uses) {
      const stmt = use.call?.parent;
      if (stmt && covered.has(stmt.startIndex)) continue;
      const why = stmt ? declined.get(stmt.startIndex) : undefined;
      reportAdvice(ctx, 'MSP404', use, `${tick(use.qname)}: MindSpore computes gradients with a grad function instead of backward()/step().`, {
        fallback: `${tick('loss, grads = ms.value_and_grad(forward_fn, None, optimizer.parameters)(...)')} then ${tick('optimizer(grads)')}.`,
        tail: `See the ms-train-step snippet.${why ? ` No rewrite of this train step: ${why}.` : ''}`,
      });
    }
  },
};
