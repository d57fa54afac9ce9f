// MSP305: attention written out (q @ k^T, then softmax) materialises the full score matrix. On Ascend the
// fused ops.flash_attention_score keeps it out of memory; elsewhere, recompute on the block is the lever.
// F.scaled_dot_product_attention itself is written out with a helper of MindSpore ops (torch's definition).
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import { removeArgumentEdit } from '../edits';
import { helperInsertEdit, withoutHelperBlock } from './msp201Fft';
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

export const ATTENTION_HELPER_MARKER = '# mindport: attention helper';
export const ATTENTION_HELPER_SOURCE = `${ATTENTION_HELPER_MARKER} -- torch's F.scaled_dot_product_attention with MindSpore ops
import math as _attn_math
from mindspore import dtype as _attn_dtype
from mindspore import ops as _attn_ops


def ms_scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """softmax(query @ key^T * scale + mask) @ value, as torch defines it; the scores are stored in full (on Ascend,
    ops.flash_attention_score computes the same without them)."""
    if is_causal and attn_mask is not None:
        raise ValueError("is_causal and attn_mask cannot both be set")
    out_dtype = query.dtype
    if out_dtype in (_attn_dtype.float16, _attn_dtype.bfloat16):  # scores in float32, as torch's math backend
        query, key, value = query.astype(_attn_dtype.float32), key.astype(_attn_dtype.float32), value.astype(_attn_dtype.float32)
    root = _attn_math.sqrt(1.0 / _attn_math.sqrt(query.shape[-1]) if scale is None else scale)
    scores = _attn_ops.matmul(query * root, key.swapaxes(-2, -1) * root)
    if is_causal:
        keep = _attn_ops.tril(_attn_ops.ones((query.shape[-2], key.shape[-2]), _attn_dtype.bool_))
        scores = _attn_ops.masked_fill(scores, _attn_ops.logical_not(keep), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == _attn_dtype.bool_:
            scores = _attn_ops.masked_fill(scores, _attn_ops.logical_not(attn_mask), float("-inf"))
        else:
            scores = scores + attn_mask
    weights = _attn_ops.softmax(scores, axis=-1)
    # a row with every score masked attends to nothing (0), as torch's safe softmax gives, not NaN
    weights = _attn_ops.masked_fill(weights, _attn_ops.all(scores == float("-inf"), axis=-1, keep_dims=True), 0.0)
    if dropout_p > 0.0:
        weights = _attn_ops.dropout(weights, p=dropout_p)
    return _attn_ops.matmul(weights, value).astype(out_dtype)
# mindport: end of attention helper
`;

const SDPA_KEYWORDS = ['query', 'key', 'value', 'attn_mask', 'dropout_p', 'is_causal', 'scale'];
const HELPER = 'ms_scaled_dot_product_attention';

/**
 * `F.scaled_dot_product_attention(q, k, v, ...)` → `ms_scaled_dot_product_attention(...)` of a helper inserted once:
 * torch's definition written with MindSpore ops (its arguments as they are). Safe; no fix for `enable_gqa` (the
 * helper does not group heads) or when the file binds one of the helper's names itself.
 */
function attentionFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.context !== 'call' || !use.call || use.via !== 'import') return undefined;
  const args = callArgs(use.call);
  // enable_gqa=False is torch's default: dropped; grouped heads are not what the helper does
  const gqa = args?.keywords.get('enable_gqa');
  if (!args || args.hasSplat || args.positional.length > SDPA_KEYWORDS.length || (gqa && gqa.value.text !== 'False') || [...args.keywords.keys()].some((k) => k !== 'enable_gqa' && !SDPA_KEYWORDS.includes(k))) return undefined;
  const outside = withoutHelperBlock(ctx.text, ATTENTION_HELPER_MARKER);
  // a binding of the helper's names outside its block (a call of ours is not one)
  if (/(?<![.\w])(?:ms_scaled_dot_product_attention|_attn_math|_attn_dtype|_attn_ops)\b(?!\s*\()|\bdef\s+ms_scaled_dot_product_attention\b/.test(outside)) return undefined;
  const fn = use.call.childForFieldName('function')!;
  const edits: TextEdit[] = [{ start: fn.startIndex, end: fn.endIndex, newText: HELPER }];
  if (gqa) edits.push(removeArgumentEdit(args.list, gqa.arg));
  const insert = helperInsertEdit(ctx, ATTENTION_HELPER_SOURCE, ATTENTION_HELPER_MARKER);
  if (insert) edits.push(insert);
  return { title: `Write it out with MindSpore ops (${HELPER}, a helper inserted once)`, applicability: 'safe', edits };
}

export const msp305Rule: Rule = {
  codes: ['MSP305'],
  order: 30,
  check(ctx) {
    const sdpa = claimUses(ctx, 'MSP305', (q) => q === 'torch.nn.functional.scaled_dot_product_attention' || ruleOwned(ctx, 'MSP305', q));
    if (!ctx.enabled('MSP305')) return;
    const ascend = isAscend(ctx);
    for (const use of sdpa) {
      const fix = attentionFix(ctx, use);
      reportAdvice(ctx, 'MSP305', use, ascend
        ? `${tick(use.qname)}: on Ascend use the fused ops.flash_attention_score (mind its layout and keep-probability arguments); a plain softmax(q @ k^T) @ v works everywhere but materialises the score matrix.`
        : `${tick(use.qname)}: write softmax(q @ k^T / sqrt(d)) @ v (ops.flash_attention_score is Ascend only).`, { withAdvice: false, fixes: fix ? [fix] : [] });
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
