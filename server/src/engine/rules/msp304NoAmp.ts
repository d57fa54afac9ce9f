// MSP304: a training loop (backward + optimizer step) in a file with no mixed precision at all. On Ascend,
// float16 compute with O2 and dynamic loss scaling is the usual configuration and saves memory and time.
import type { Node } from '../parser';
import type { Rule } from './types';
import { calleeName, isAscend, walk } from './util';

function contains(node: Node, names: string[]): Set<string> {
  const found = new Set<string>();
  walk(node, (n) => {
    if (n.id !== node.id && (n.type === 'function_definition' || n.type === 'class_definition')) return false;
    if (n.type === 'call') {
      const c = calleeName(n);
      if (c && names.includes(c)) found.add(c);
    }
    return true;
  });
  return found;
}

/** A use whose name says the file already trains in mixed precision. */
export const USES_MIXED_PRECISION = /autocast|GradScaler|\.amp\.|^apex\.amp/;

/** The file already sets MindSpore's mixed precision or loss scaling up somewhere (the whole text). */
const AMP_CONFIGURED = /auto_mixed_precision|amp_level|\.to_float\(|LossScale/;

export const msp304Rule: Rule = {
  codes: ['MSP304'],
  order: 30,
  check(ctx) {
    if (!ctx.enabled('MSP304') || !isAscend(ctx)) return;
    if (ctx.resolution.uses.some((u) => USES_MIXED_PRECISION.test(u.qname))) return;
    if (ctx.textHas(AMP_CONFIGURED)) return;
    const loops: Node[] = [];
    for (const n of ctx.tree.nodesOfType(['for_statement', 'while_statement'])) {
      const f = contains(n, ['backward', 'step']);
      if (f.size === 2) loops.push(n);
    }
    // innermost loops only
    const inner = loops.filter((l) => !loops.some((o) => o.id !== l.id && o.startIndex >= l.startIndex && o.endIndex <= l.endIndex));
    for (const loop of inner) {
      const body = loop.childForFieldName('body');
      const end = body ? Math.min(loop.endIndex, body.startIndex) : loop.endIndex;
      ctx.report({
        code: 'MSP304',
        message: 'this training loop runs in full float32: on Ascend, train with mixed precision — ms.amp.auto_mixed_precision(net, "O2") (LayerNorm/Softmax/GELU/BatchNorm stay float32) and ms.amp.DynamicLossScaler (or amp_level="O2" with DynamicLossScaleManager in Model).',
        start: loop.startIndex,
        end: Math.max(loop.startIndex + 1, end),
        fixes: [],
      });
    }
  },
};
