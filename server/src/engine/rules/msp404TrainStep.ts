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
  assignedValue, callArgs, calleeName, calleeObject, claimUses, eol, findAll, freshName, hasMultilineString, indentAt, isMemberName, lineEndOf, lineEndWithBreak, lineStartOf,
  parameterName, readsAssignments, reportAdvice, ruleOwned, statementCall, tick, walk,
} from './util';

interface Step {
  loop: Node;
  zero?: Node;
  backward: Node;
  step: Node;
  optimizer: string;
  loss: string;
  forward: Node[];
  after: Node[];
  /** A GradScaler's loop (`scaler.scale(loss).backward()`, `scaler.step(opt)`, `scaler.update()`): the scaler. */
  scaler?: string;
  /** Its `scaler.update()` statement, the step's last. */
  update?: Node;
  /** `clip_grad_norm_(..., max_norm)` before the step: the max norm, for `ops.clip_by_global_norm`. */
  clip?: string;
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

function findStep(ctx: RuleContext, loop: Node): Step | undefined {
  const body = loop.childForFieldName('body');
  if (!body) return undefined;
  const stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const bi = stmts.findIndex((s) => methodStatement(s, 'backward'));
  if (bi < 0) return undefined;
  const bcall = methodStatement(stmts[bi], 'backward')!;
  if (bcall.childForFieldName('arguments')?.namedChildren.length) return undefined;
  let lossNode = calleeObject(bcall)!;
  // mixed precision: `scaler.scale(loss).backward()`, then `scaler.step(opt)` and `scaler.update()`
  let scaler: string | undefined;
  if (lossNode.type === 'call' && calleeName(lossNode) === 'scale') {
    const scaled = callArgs(lossNode);
    const isScaler = ctx.resolution.uses.some((u) => u.call?.id === lossNode.id && GRAD_SCALE.test(u.qname));
    if (!isScaler || !scaled || scaled.all.length !== 1 || scaled.positional.length !== 1) return undefined;
    scaler = calleeObject(lossNode)!.text;
    lossNode = scaled.positional[0];
  }
  // gradient clipping between backward and step (a scaler's gradients unscaled first): written on the gradients
  let si = bi + 1;
  let clip: { max: Node; params: Node } | undefined;
  let unscaled = false;
  if (scaler) {
    const u = stmts[si] ? methodStatement(stmts[si], 'unscale_') : undefined;
    if (u && calleeObject(u)!.text === scaler) {
      si++;
      unscaled = true;
    }
  }
  const clipCall = stmts[si] ? statementCall(stmts[si]) : undefined;
  if (clipCall && ctx.resolution.uses.some((u) => u.call?.id === clipCall.id && CLIP_NORM.test(u.qname))) {
    const a = callArgs(clipCall);
    const norm = a ? (a.keywords.get('norm_type')?.value.text ?? a.positional[2]?.text) : undefined;
    const max = a?.keywords.get('max_norm')?.value ?? a?.positional[1];
    const params = a?.keywords.get('parameters')?.value ?? a?.positional[0];
    const defaults: Record<string, string> = { error_if_nonfinite: 'False', foreach: 'None' };
    const keywordsKnown = !!a && [...a.keywords].every(([k, v]) => ['parameters', 'max_norm', 'norm_type'].includes(k) || defaults[k] === v.value.text);
    // a scaler's gradients are clipped after unscale_: torch clips scaled ones otherwise
    if (!a || a.hasSplat || !max || !params || a.positional.length > 3 || !keywordsKnown || (norm !== undefined && !/^2(\.0?)?$/.test(norm)) || (scaler && !unscaled)) return undefined;
    clip = { max, params };
    si++;
  }
  if (unscaled && !clip) return undefined; // unscale_ with nothing after it that uses it
  const step = stmts[si];
  const scall = step ? methodStatement(step, 'step') : undefined;
  if (!scall) return undefined;
  const stepArgs = callArgs(scall);
  let optimizer: string;
  let update: Node | undefined;
  if (scaler) {
    update = stmts[si + 1];
    const ucall = update ? methodStatement(update, 'update') : undefined;
    if (calleeObject(scall)!.text !== scaler || stepArgs?.all.length !== 1 || stepArgs.positional.length !== 1) return undefined;
    if (!ucall || calleeObject(ucall)!.text !== scaler || callArgs(ucall)?.all.length) return undefined;
    optimizer = stepArgs.positional[0].text;
  } else {
    if (stepArgs?.all.length) return undefined;
    optimizer = calleeObject(scall)!.text;
  }
  // zero_grad of the optimizer or of a module (torch accumulates gradients without one: no rewrite then)
  const zi = stmts.findIndex((s) => {
    const c = methodStatement(s, 'zero_grad');
    return c && (calleeObject(c)!.text === optimizer || ctx.resolution.uses.some((u) => u.call?.id === c.id && u.qname === 'torch.nn.Module.zero_grad'));
  });
  if (zi < 0 || lossNode.type !== 'identifier') return undefined;
  // everything before backward is the forward part, zero_grad aside (`out = model(x)` before zero_grad computes the
  // loss too: left outside forward_fn, its gradients would be lost)
  const forward = stmts.slice(0, bi).filter((_, i) => i !== zi);
  if (!forward.length) return undefined;
  const after = stmts.slice(si + (scaler ? 2 : 1)).filter((s) => s !== stmts[zi]);
  for (const s of forward) {
    if (findAll(s, (n) => /^(break_statement|continue_statement|return_statement|yield|function_definition|class_definition)$/.test(n.type)).length) return undefined;
    if (hasMultilineString(s)) return undefined;
  }
  const { assigned } = names(forward);
  if (!assigned.has(lossNode.text)) return undefined;
  // the loss read before the forward part assigns it (the previous iteration's): forward_fn would not have it
  const firstLoss = forward.flatMap((st) => findAll(st, (n) => n.type === 'identifier' && n.text === lossNode.text && !isMemberName(n)))[0];
  if (firstLoss && !isAssignedHere(firstLoss)) return undefined;
  // the clip reads what forward_fn assigns (it stays in the loop), or clips other parameters than the optimizer's
  if (clip && (names([clip.max]).read.some((r) => assigned.has(r)) || !optimizerOver(loop, optimizer, clip.params))) return undefined;
  // the scaler must become a DynamicLossScaler: made by GradScaler() without arguments, which MSP303 renames
  if (scaler && !plainScaler(ctx, loop, scaler)) return undefined;
  return { loop, zero: zi >= 0 ? stmts[zi] : undefined, backward: stmts[bi], step, optimizer, loss: lossNode.text, forward, after, scaler, update, clip: clip?.max.text };
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

const BINDERS = ['assignment', 'augmented_assignment', 'for_statement'];
const SCOPES = ['function_definition', 'class_definition', 'lambda'];

function buildFix(ctx: RuleContext, s: Step): Fix | undefined {
  const nl = eol(ctx.text);
  const loopIndent = indentAt(ctx.text, s.loop.startIndex);
  const bodyIndent = indentAt(ctx.text, s.forward[0].startIndex);
  // inputs: names the forward part reads that the loop binds (its target, or earlier statements of the body)
  const loopBound = new Set<string>();
  const left = s.loop.childForFieldName('left');
  if (left) for (const id of findAll(left, (c) => c.type === 'identifier')) loopBound.add(id.text);
  const fw = names(s.forward);
  const uniqParams = fw.read.filter((r) => loopBound.has(r));
  // values read later from the forward part (in the rest of the loop, its else clause, or after it) come back as
  // auxiliary outputs
  const rest: Node[] = [...s.after];
  const orelse = s.loop.childForFieldName('alternative');
  if (orelse) rest.push(orelse);
  for (let n = s.loop.nextNamedSibling; n; n = n.nextNamedSibling) rest.push(n);
  const later = names(rest).read;
  const aux = [...fw.assigned].filter((a) => a !== s.loss && later.includes(a));
  const fn = freshName(ctx, 'forward_fn');
  const gfn = freshName(ctx, 'grad_fn');
  const grads = freshName(ctx, 'grads');
  const vag = ctx.imports.plan('mindspore.value_and_grad');
  // the body from its first statement (zero_grad first: from the line after it) to backward, comments kept and
  // zero_grad's lines left out, re-indented into the function
  const firstStmt = s.zero && s.zero.startIndex < s.forward[0].startIndex ? s.zero : s.forward[0];
  const segStart = lineStartOf(ctx.text, firstStmt.startIndex);
  const segEnd = lineStartOf(ctx.text, s.backward.startIndex);
  let src = ctx.text.slice(segStart, segEnd);
  if (s.zero && s.zero.startIndex < s.backward.startIndex) {
    const zs = lineStartOf(ctx.text, s.zero.startIndex) - segStart;
    src = src.slice(0, zs) + src.slice(lineEndWithBreak(ctx.text, s.zero.endIndex) - segStart);
  }
  src = src.replace(/\s+$/, '');
  const inner = `${loopIndent}    `;
  const fbody = src.split(/\r?\n/).map((l) => (l.startsWith(bodyIndent) ? inner + l.slice(bodyIndent.length) : l.trim() ? inner + l.trim() : l));
  // with a scaler, the gradients are those of the scaled loss, unscaled after grad_fn
  const returned = s.scaler ? `${s.scaler}.scale(${s.loss})` : s.loss;
  const ret = aux.length ? `return ${returned}, ${aux.join(', ')}` : `return ${returned}`;
  // state the loop keeps across iterations, assigned in the forward part: still the outer names
  // (the loss and the auxiliary outputs come back from grad_fn and are assigned where it is called)
  // (an auxiliary output the forward part also reads, `loss_all += ...`, is one too: read before it is bound)
  const candidates = [...fw.assigned].filter((a) => a !== s.loss && !uniqParams.includes(a));
  const outer = outerNames(s.loop, candidates);
  // incremental analysis: the statements assigning these names are what this fix reads
  for (const a of candidates) readsAssignments(outer.scope, a, s.loop.startIndex);
  const kept = candidates.filter((a) => outer.names.has(a));
  // an auxiliary output bound only on some iterations (in an if, a loop, a try) and nowhere before the loop would be
  // unbound when forward_fn returns it
  const topLevel = new Set(s.forward.flatMap((st) => (st.type === 'expression_statement' ? [...names([st]).assigned] : [])));
  if (aux.some((a) => !kept.includes(a) && !topLevel.has(a))) return undefined;
  const keyword = (a: string) => outer.declared.get(a) ?? (outer.inFunction ? 'nonlocal' : 'global');
  const declarations = ['nonlocal', 'global'].map((k) => kept.filter((a) => keyword(a) === k)).filter((l) => l.length);
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
  edits.push({ start: loopLine, end: loopLine, newText: def + nl });
  // replace [zero_grad (if first) .. step] with the two new lines
  const from = segStart;
  const stepLines = [`${call} = ${gfn}(${uniqParams.join(', ')})`];
  const clipLine = () => {
    const plan = ctx.imports.plan('mindspore.ops.clip_by_global_norm');
    if (plan.edit) edits.push(plan.edit);
    return `${grads} = ${plan.expr}(${grads}, ${s.clip})`;
  };
  if (s.scaler) {
    // DynamicLossScaler: unscale the loss and the gradients; a step only with finite gradients, then adjust the scale
    const finite = freshName(ctx, 'finite');
    const allFinite = ctx.imports.plan('mindspore.amp.all_finite');
    if (allFinite.edit) edits.push(allFinite.edit);
    stepLines.push(
      `${s.loss} = ${s.scaler}.unscale(${s.loss})`,
      `${grads} = ${s.scaler}.unscale(${grads})`,
      ...(s.clip ? [clipLine()] : []),
      `${finite} = ${allFinite.expr}(${grads})`,
      `if ${finite}:`,
      `    ${s.optimizer}(${grads})`,
      `${s.scaler}.adjust(${finite})`,
    );
  } else stepLines.push(...(s.clip ? [clipLine()] : []), `${s.optimizer}(${grads})`);
  edits.push({
    start: from,
    end: lineEndOf(ctx.text, (s.update ?? s.step).endIndex),
    newText: stepLines.map((l) => `${bodyIndent}${l}`).join(nl),
  });
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
    for (const n of ctx.tree.nodesOfType(['for_statement', 'while_statement'])) {
      const s = findStep(ctx, n);
      if (!s) continue;
      const fix = buildFix(ctx, s);
      for (const st of [s.backward, s.step, s.zero]) if (st) covered.add(st.startIndex);
      const call = statementCall(s.backward)!;
      const steps = s.scaler
        ? `${s.optimizer}.zero_grad() / ${s.scaler}.scale(${s.loss}).backward() / ${s.clip ? 'clip_grad_norm_ / ' : ''}${s.scaler}.step(${s.optimizer}) / ${s.scaler}.update()`
        : `${s.optimizer}.zero_grad() / ${s.loss}.backward() / ${s.clip ? 'clip_grad_norm_ / ' : ''}${s.optimizer}.step()`;
      const clipping = s.clip ? `; the gradients are clipped with ${tick(`ops.clip_by_global_norm(grads, ${s.clip})`)}` : '';
      const scaling = s.scaler
        ? `; with loss scaling, forward_fn returns ${tick(`${s.scaler}.scale(${s.loss})`)} and the step unscales the gradients, steps only when ${tick('ms.amp.all_finite(grads)')} and calls ${tick(`${s.scaler}.adjust(finite)`)} (${s.scaler} must be a ${tick('ms.amp.DynamicLossScaler')}, see MSP303)`
        : '';
      ctx.report({
        code: 'MSP404',
        message: `${tick(steps)} → a functional train step: ${tick(`grad_fn = ms.value_and_grad(forward_fn, None, ${s.optimizer}.parameters)`)}, then ${tick(`${s.loss}, grads = grad_fn(...)`)} and ${tick(`${s.optimizer}(grads)`)} (the optimizer must be a MindSpore optimizer over the network's trainable parameters)${clipping}${scaling}.`,
        start: call.startIndex,
        end: call.endIndex,
        fixes: fix ? [fix] : [],
        data: { torchApi: 'torch.Tensor.backward', msApi: 'mindspore.value_and_grad' },
      });
    }
    for (const use of uses) {
      const stmt = use.call?.parent;
      if (stmt && covered.has(stmt.startIndex)) continue;
      reportAdvice(ctx, 'MSP404', use, `${tick(use.qname)}: MindSpore computes gradients with a grad function instead of backward()/step().`, {
        fallback: `${tick('loss, grads = ms.value_and_grad(forward_fn, None, optimizer.parameters)(...)')} then ${tick('optimizer(grads)')}.`,
        tail: 'See the ms-train-step snippet.',
      });
    }
  },
};
