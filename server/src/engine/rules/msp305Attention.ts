// MSP305: attention written out (q @ k^T, then softmax) materialises the full score matrix. On Ascend the
// fused ops.flash_attention_score keeps it out of memory; elsewhere, recompute on the block is the lever.
import type { Node } from '../parser';
import type { Rule, RuleContext } from './types';
import { assignedValue, calleeName, calleeObject, callArgs, claimUses, isAscend, reportAdvice, ruleOwned, scopeNode, tick, walk } from './util';

function scoreProduct(ctx: RuleContext, n: Node | undefined, depth = 0): Node | undefined {
  if (!n || depth > 3) return undefined;
  if (n.type === 'identifier') return scoreProduct(ctx, assignedValue(scopeNode(n), n.text, n.startIndex), depth + 1);
  let hit: Node | undefined;
  walk(n, (c) => {
    if (hit) return false;
    if (c.type === 'binary_operator' && c.childForFieldName('operator')?.text === '@') hit = c;
    else if (c.type === 'call' && /^(matmul|bmm|einsum|baddbmm)$/.test(calleeName(c) ?? '')) hit = c;
    else if (c.type === 'identifier' && c.id !== n.id && depth < 3) {
      // attn = scores / scale: follow one name
      const v = c.parent?.type === 'binary_operator' ? scoreProduct(ctx, c, depth + 1) : undefined;
      if (v) hit = v;
    }
    return true;
  });
  return hit;
}

export const msp305Rule: Rule = {
  codes: ['MSP305'],
  order: 30,
  check(ctx) {
    const sdpa = claimUses(ctx, 'MSP305', (q) => q === 'torch.nn.functional.scaled_dot_product_attention' || ruleOwned(ctx, 'MSP305', q));
    if (!ctx.enabled('MSP305')) return;
    const ascend = isAscend(ctx);
    for (const use of sdpa) {
      reportAdvice(ctx, 'MSP305', use, ascend
        ? `${tick(use.qname)}: on Ascend use the fused ops.flash_attention_score (mind its layout and keep-probability arguments); a plain softmax(q @ k^T) @ v works everywhere but materialises the score matrix.`
        : `${tick(use.qname)}: write softmax(q @ k^T / sqrt(d)) @ v (ops.flash_attention_score is Ascend only).`, { withAdvice: false });
    }
    if (!ascend) return;
    for (const use of ctx.resolution.uses) {
      if (!use.call || !/^torch\.(nn\.functional\.softmax|softmax|Tensor\.softmax)$/.test(use.qname)) continue;
      const input = use.via === 'method' ? calleeObject(use.call) : callArgs(use.call)?.positional[0];
      const prod = scoreProduct(ctx, input);
      if (!prod) continue;
      ctx.report({
        code: 'MSP305',
        message: 'softmax over a q @ k^T product materialises the whole attention matrix (batch × heads × seq × seq): on Ascend, ops.flash_attention_score computes the same without storing it; otherwise call recompute() on the attention block.',
        start: use.call.startIndex,
        end: use.call.endIndex,
        fixes: [],
      });
    }
  },
};
