// MSP301: gradient checkpointing (torch.utils.checkpoint.checkpoint / checkpoint_sequential, timm's
// set_grad_checkpointing, Hugging Face's gradient_checkpointing_enable). MindSpore marks the block Cell
// instead: `block.recompute()` makes its activations be recomputed in the backward pass.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { callArgs, calleeNameAt, claimUses, enclosing, enclosingStatement, eol, findAll, indentAt, insertAfterStatement, insertBeforeStatement, reportAdvice, ruleOwned, tick, walk } from './util';

const DROPPABLE = new Set(['use_reentrant', 'preserve_rng_state', 'determinism_check', 'debug', 'context_fn']);

/** The method a node is in, and that method's class's `__init__`. */
function initOf(at: Node): Node | undefined {
  const cls = enclosing(at, ['class_definition']);
  return cls ? findAll(cls, (n) => n.type === 'function_definition' && n.childForFieldName('name')?.text === '__init__')[0] : undefined;
}

/** The statement in `init` assigning `target` (`self.blocks = ...`), the last one if several. */
function assignmentIn(init: Node, target: string): Node | undefined {
  let asg: Node | undefined;
  walk(init, (n) => {
    if (n.type === 'assignment' && n.childForFieldName('left')?.text === target) asg = n;
  });
  return asg ? enclosingStatement(asg) : undefined;
}

/**
 * The condition of the `if` that guards `at` in its method (`if self.use_checkpoint:`), when it reads only `self`
 * attributes (assigned in `__init__` before `before`) and literals: torch checkpoints only then, so the Cell is
 * marked only then. Undefined when there is no such `if` or it reads anything else (the mark is then unconditional).
 */
function selfGuard(at: Node, init: Node, before: Node): string | undefined {
  for (let p = at.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'if_statement') continue;
    const cons = p.childForFieldName('consequence');
    const cond = p.childForFieldName('condition');
    if (!cons || !cond || at.startIndex < cons.startIndex || at.endIndex > cons.endIndex) return undefined; // an else branch
    let ok = true;
    const attrs: string[] = [];
    walk(cond, (n) => {
      if (n.type === 'call' || n.type === 'lambda' || n.type === 'named_expression') ok = false;
      if (n.type === 'attribute' && n.childForFieldName('object')?.text === 'self') {
        attrs.push(n.text);
        return false;
      }
      if (n.type === 'identifier') ok = false; // a local or a global: not known in __init__
      return undefined;
    });
    if (!ok) return undefined;
    for (const a of attrs) {
      const set = assignmentIn(init, a);
      if (!set || set.startIndex >= before.startIndex) return undefined;
    }
    return cond.text;
  }
  return undefined;
}

/**
 * Marks the checkpointed Cell with `.recompute()` in `__init__`, after the assignment that builds it: `self.X`
 * (checkpoint(self.X, ...)), or each Cell of `self.X` for a loop `for blk in self.X:` that checkpoints `blk`.
 * Guarded like the checkpoint (`if self.use_checkpoint:`) when that can be written there.
 */
export function recomputeInsert(ctx: RuleContext, at: Node, target: string): TextEdit | undefined {
  const init = initOf(at);
  if (!init) return undefined;
  let built = /^self\.\w+$/.test(target) ? target : undefined;
  let loopVar: string | undefined;
  if (!built && /^\w+$/.test(target)) {
    // `for blk in self.blocks: ... checkpoint(blk, x)`
    for (let p = at.parent; p && p.type !== 'function_definition'; p = p.parent) {
      if (p.type !== 'for_statement') continue;
      const left = p.childForFieldName('left');
      let right = p.childForFieldName('right');
      let names = left?.text === target;
      // `for i, layer in enumerate(self.layers)`
      if (!names && right?.type === 'call' && right.childForFieldName('function')?.text === 'enumerate') {
        const only = right.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment');
        const items = left?.namedChildren.filter((c) => c && c.type !== 'comment');
        if (only?.length === 1 && items?.length === 2 && items[1]?.text === target) {
          right = only[0];
          names = true;
        }
      }
      if (names && right && /^self\.\w+$/.test(right.text)) {
        built = right.text;
        loopVar = target;
      }
      break;
    }
  }
  if (!built) return undefined;
  const assigned = assignmentIn(init, built);
  // a container is filled after it is built (`self.blocks = nn.ModuleList([])`, then appended to): its Cells are
  // marked at the end of __init__
  const body = init.childForFieldName('body');
  const stmt = loopVar ? body?.namedChildren.filter((c) => c && c.type !== 'comment').pop() ?? undefined : assigned;
  if (!assigned || !stmt) return undefined;
  const mark = loopVar ? `for ${loopVar} in ${built}:` : `${built}.recompute()`;
  if (ctx.text.includes(loopVar ? `${loopVar}.recompute()` : mark)) return undefined;
  const indent = indentAt(ctx.text, stmt.startIndex);
  const nl = eol(ctx.text);
  const step = '    ';
  const guard = selfGuard(at, init, stmt);
  const lines = loopVar ? [`for ${loopVar} in ${built}:`, `${step}${loopVar}.recompute()`] : [mark];
  const code = guard ? [`if ${guard}:`, ...lines.map((l) => step + l)] : lines;
  return insertAfterStatement(ctx.text, stmt, code.join(`${nl}${indent}`), indent);
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
  else {
    // nowhere to mark it (a local function, a Cell built elsewhere): the checkpointing is not dropped silently
    const stmt = enclosingStatement(use.call);
    if (!stmt) return undefined;
    edits.push(insertBeforeStatement(ctx.text, stmt, [`# TODO(mindport) MSP301: ${fn.text} was checkpointed here: call .recompute() on the Cell(s) it runs, where they are built`]));
  }
  return {
    title: ins ? `Call ${fn.text} directly and mark it with .recompute() in __init__` : `Call ${fn.text} directly (a TODO says to call .recompute() on the Cell it runs)`,
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
