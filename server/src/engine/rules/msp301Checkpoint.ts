// MSP301: gradient checkpointing (torch.utils.checkpoint.checkpoint / checkpoint_sequential, timm's
// set_grad_checkpointing, Hugging Face's gradient_checkpointing_enable). MindSpore marks the block Cell
// instead: `block.recompute()` makes its activations be recomputed in the backward pass.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { callArgs, calleeNameAt, claimUses, enclosing, enclosingStatement, findAll, indentAt, insertAfterStatement, reportAdvice, ruleOwned, tick, walk } from './util';

const DROPPABLE = new Set(['use_reentrant', 'preserve_rng_state', 'determinism_check', 'debug', 'context_fn']);

/** `self.X.recompute()` after the `self.X = ...` assignment in the class's __init__, if it can be found. */
export function recomputeInsert(ctx: RuleContext, at: Node, target: string): TextEdit | undefined {
  const m = /^self\.(\w+)$/.exec(target);
  const cls = enclosing(at, ['class_definition']);
  if (!m || !cls) return undefined;
  if (ctx.text.includes(`${target}.recompute()`)) return undefined;
  const init = findAll(cls, (n) => n.type === 'function_definition' && n.childForFieldName('name')?.text === '__init__')[0];
  if (!init) return undefined;
  let asg: Node | undefined;
  walk(init, (n) => {
    if (n.type === 'assignment' && n.childForFieldName('left')?.text === target) asg = n;
  });
  const stmt = asg ? enclosingStatement(asg) : undefined;
  if (!stmt) return undefined;
  return insertAfterStatement(ctx.text, stmt, `${target}.recompute()`, indentAt(ctx.text, stmt.startIndex));
}

function fix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.context !== 'call' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  for (const k of args.keywords.keys()) if (!DROPPABLE.has(k)) return undefined;
  let fn: Node | undefined;
  let rest: Node[];
  if (use.qname === 'torch.utils.checkpoint.checkpoint') {
    [fn, ...rest] = args.positional;
  } else if (use.qname === 'torch.utils.checkpoint.checkpoint_sequential') {
    if (args.positional.length !== 3) return undefined;
    fn = args.positional[0];
    rest = [args.positional[2]];
  } else return undefined;
  if (!fn || fn.type === 'lambda') return undefined;
  const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: `${fn.text}(${rest.map((r) => r.text).join(', ')})` }];
  const ins = recomputeInsert(ctx, use.call, fn.text);
  if (ins) edits.push(ins);
  return {
    title: ins ? `Call ${fn.text} directly and mark it with ${fn.text}.recompute() in __init__` : `Call ${fn.text} directly (then call .recompute() on that Cell)`,
    applicability: 'unsafe',
    edits,
  };
}

export const msp301Rule: Rule = {
  codes: ['MSP301'],
  order: 30,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP301', (q) => q.startsWith('torch.utils.checkpoint.') || ruleOwned(ctx, 'MSP301', q));
    if (!ctx.enabled('MSP301')) return;
    for (const use of uses) {
      const f = fix(ctx, use);
      reportAdvice(ctx, 'MSP301', use, `${tick(use.qname)}: gradient checkpointing.`, {
        fixes: f ? [f] : [],
        fallback: 'Call the block Cell directly and mark it once with `block.recompute()` (MindSpore recomputes its activations in the backward pass).',
        tail: 'Do not drop it silently: it is what keeps large grids in memory.',
      });
    }
    const t = ctx.tree;
    const calls = t.indicesOfType(['call']);
    for (let k = 0; k < calls.length; k++) {
      const name = calleeNameAt(t, calls[k]);
      if (name !== 'set_grad_checkpointing' && name !== 'gradient_checkpointing_enable' && name !== 'grad_checkpointing') continue;
      const n = t.node(calls[k]);
      ctx.report({
        code: 'MSP301',
        message: `${tick(`${name}()`)}: the checkpointing switch of the model library has no MindSpore twin; call \`.recompute()\` on each block Cell (e.g. \`for blk in net.blocks: blk.recompute()\`).`,
        start: n.startIndex,
        end: n.endIndex,
        fixes: [],
      });
    }
  },
};
