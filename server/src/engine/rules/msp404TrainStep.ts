// MSP404: the optimizer.zero_grad() / loss.backward() / optimizer.step() loop. MindSpore differentiates a
// forward function: grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters), then
// loss, grads = grad_fn(inputs...) and optimizer(grads). The fix builds that from a recognisable loop body.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { Rule, RuleContext } from './types';
import {
  callArgs, calleeName, calleeObject, claimUses, eol, findAll, freshName, hasMultilineString, indentAt, lineEndOf, lineEndWithBreak, lineStartOf,
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
  pre: Node[];
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
      if (n.type === 'for_in_clause' || n.type === 'for_statement') {
        const l = n.childForFieldName('left');
        if (l) for (const id of findAll(l, (c) => c.type === 'identifier')) assigned.add(id.text);
      }
      if (n.type !== 'identifier') return;
      const p = n.parent;
      if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === n.id) return;
      if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === n.id) return;
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
  let clip: string | undefined;
  if (scaler) {
    const u = stmts[si] ? methodStatement(stmts[si], 'unscale_') : undefined;
    if (u && calleeObject(u)!.text === scaler) si++;
  }
  const clipCall = stmts[si] ? statementCall(stmts[si]) : undefined;
  if (clipCall && ctx.resolution.uses.some((u) => u.call?.id === clipCall.id && CLIP_NORM.test(u.qname))) {
    const a = callArgs(clipCall);
    const norm = a ? (a.keywords.get('norm_type')?.value.text ?? a.positional[2]?.text) : undefined;
    const max = a?.keywords.get('max_norm')?.value ?? a?.positional[1];
    if (!a || a.hasSplat || !max || (norm !== undefined && !/^2(\.0?)?$/.test(norm)) || [...a.keywords.keys()].some((k) => !['parameters', 'max_norm', 'norm_type'].includes(k))) return undefined;
    clip = max.text;
    si++;
  }
  if (si > bi + 1 && !clip) return undefined; // unscale_ with nothing after it that uses it
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
  const zi = stmts.findIndex((s) => {
    const c = methodStatement(s, 'zero_grad');
    return c && calleeObject(c)!.text === optimizer;
  });
  if (zi < 0 || lossNode.type !== 'identifier') return undefined;
  const start = zi < bi ? zi + 1 : 0;
  const forward = stmts.slice(start, bi);
  if (!forward.length) return undefined;
  const pre = stmts.slice(0, zi < bi ? zi : 0);
  const after = stmts.slice(si + (scaler ? 2 : 1)).filter((s) => s !== stmts[zi]);
  for (const s of forward) {
    if (findAll(s, (n) => /^(break_statement|continue_statement|return_statement|yield|function_definition|class_definition)$/.test(n.type)).length) return undefined;
    if (hasMultilineString(s)) return undefined;
  }
  const { assigned } = names(forward);
  if (!assigned.has(lossNode.text)) return undefined;
  return { loop, zero: zi >= 0 ? stmts[zi] : undefined, backward: stmts[bi], step, optimizer, loss: lossNode.text, forward, pre, after, scaler, update, clip };
}

/**
 * Names bound outside the loop in the scope that holds it (the enclosing function, with its parameters, or the
 * module): the forward part assigning one of them (`best_loss = loss` kept across iterations) must declare it
 * nonlocal (global at module level), or the moved code reads a local of the new function before it is bound.
 */
function outerNames(loop: Node, candidates: readonly string[]): { names: Set<string>; inFunction: boolean; scope: Node } {
  let f: Node | null = loop.parent;
  while (f && f.type !== 'function_definition') f = f.parent;
  let root: Node = loop;
  while (root.parent) root = root.parent;
  const scope = f?.childForFieldName('body') ?? root;
  const out = new Set<string>();
  if (!candidates.length) return { names: out, inFunction: !!f, scope };
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
    BINDERS,
    (n) => {
      if (n.id === loop.id) return false;
      add(n.childForFieldName('left'));
    },
    SCOPES,
  );
  return { names: out, inFunction: !!f, scope };
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
  for (const n of names(s.pre).assigned) loopBound.add(n);
  const fw = names(s.forward);
  const uniqParams = fw.read.filter((r) => loopBound.has(r));
  // values the rest of the loop reads from the forward part come back as auxiliary outputs
  const later = names(s.after).read;
  const aux = [...fw.assigned].filter((a) => a !== s.loss && later.includes(a));
  const fn = freshName(ctx, 'forward_fn');
  const gfn = freshName(ctx, 'grad_fn');
  const grads = freshName(ctx, 'grads');
  const vag = ctx.imports.plan('mindspore.value_and_grad');
  // from the line after zero_grad (keeping comments in between) or the first forward statement
  const zeroFirst = !!s.zero && s.zero.startIndex < s.forward[0].startIndex;
  const segStart = zeroFirst ? lineEndWithBreak(ctx.text, s.zero!.endIndex) : lineStartOf(ctx.text, s.forward[0].startIndex);
  // forward statements, with any comments between them, re-indented into the function
  const segEnd = lineStartOf(ctx.text, s.backward.startIndex);
  const src = ctx.text.slice(segStart, segEnd).replace(/\s+$/, '');
  const inner = `${loopIndent}    `;
  const fbody = src.split(/\r?\n/).map((l) => (l.startsWith(bodyIndent) ? inner + l.slice(bodyIndent.length) : l.trim() ? inner + l.trim() : l));
  // with a scaler, the gradients are those of the scaled loss, unscaled after grad_fn
  const returned = s.scaler ? `${s.scaler}.scale(${s.loss})` : s.loss;
  const ret = aux.length ? `return ${returned}, ${aux.join(', ')}` : `return ${returned}`;
  // state the loop keeps across iterations, assigned in the forward part: still the outer names
  // (the loss and the auxiliary outputs come back from grad_fn and are assigned where it is called)
  // (an auxiliary output the forward part also reads, `loss_all += ...`, is one too: read before it is bound)
  const candidates = [...fw.assigned].filter((a) => a !== s.loss && (!aux.includes(a) || fw.read.includes(a)) && !uniqParams.includes(a));
  const outer = outerNames(s.loop, candidates);
  // incremental analysis: the statements assigning these names are what this fix reads
  for (const a of candidates) readsAssignments(outer.scope, a, s.loop.startIndex);
  const kept = candidates.filter((a) => outer.names.has(a));
  const def = [
    `${loopIndent}def ${fn}(${uniqParams.join(', ')}):`,
    ...(kept.length ? [`${inner}${outer.inFunction ? 'nonlocal' : 'global'} ${kept.join(', ')}`] : []),
    ...fbody,
    `${inner}${ret}`,
    `${loopIndent}${gfn} = ${vag.expr}(${fn}, None, ${s.optimizer}.parameters${aux.length ? ', has_aux=True' : ''})`,
  ].join(nl);
  const call = aux.length ? `(${s.loss}, ${aux.join(', ')}), ${grads}` : `${s.loss}, ${grads}`;
  const edits: TextEdit[] = [];
  const loopLine = lineStartOf(ctx.text, s.loop.startIndex);
  edits.push({ start: loopLine, end: loopLine, newText: def + nl });
  // replace [zero_grad (if first) .. step] with the two new lines
  const from = zeroFirst ? lineStartOf(ctx.text, s.zero!.startIndex) : segStart;
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
