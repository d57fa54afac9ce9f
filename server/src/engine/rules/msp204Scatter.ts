// MSP204: scatter/gather message passing (index_add_, scatter_add_, scatter_reduce, torch_scatter, PyG, DGL).
// Ports keep static src/dst index Tensors, gather with ops.gather and sum with ops.unsorted_segment_sum or
// TensorScatterAdd. This is the slow part on Ascend, so the rule warns about speed as well as correctness. Fixes:
// torch_scatter sums as segment sums, mean/max/min with a segment helper, in-place index_add_/scatter_add_ out of place.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import { hintTypeFix, hintTypeOf } from './annotationTypes';
import { helperInsertEdit, withoutHelperBlock } from './msp201Fft';
import type { Rule, RuleContext } from './types';
import { argOf, assignedValue, callArgs, callStatement, claimUses, isAscend, isRepeatable, mindsporeNamer, parameterName, reportAdvice, ruleOwned, tick } from './util';

const TENSOR_METHODS = /^torch\.(Tensor\.)?(index_add_?|scatter_add_?|scatter_reduce_?|index_reduce_?|index_put_?)$/;
const LIBS = /^(torch_scatter|torch_geometric|dgl)\./;

/** A helper for the reductions torch_scatter has and MindSpore's segment ops do not give as they are. */
export const SEGMENT_HELPER_MARKER = '# mindport: segment helpers';
export const SEGMENT_HELPER_SOURCE = `${SEGMENT_HELPER_MARKER} -- torch_scatter's mean / max / min from MindSpore segment ops
from mindspore import ops as _seg_ops


def _segment_reduce(op, src, index, num, dim):
    src = _seg_ops.movedim(src, dim, 0)
    count = _seg_ops.unsorted_segment_sum(_seg_ops.ones_like(src), index, num)
    if op == "mean":
        total = _seg_ops.unsorted_segment_sum(src, index, num)
        count = _seg_ops.clamp(count, min=1)
        # torch_scatter floors an integer mean
        out = total / count if _seg_ops.is_floating_point(src) else _seg_ops.floor_divide(total, count)
    else:
        out = (_seg_ops.unsorted_segment_max if op == "max" else _seg_ops.unsorted_segment_min)(src, index, num)
        out = _seg_ops.where(count > 0, out, _seg_ops.zeros_like(out))  # torch_scatter leaves empty segments 0
    return _seg_ops.movedim(out, 0, dim)


def segment_mean(src, index, num, dim=0):
    """torch_scatter.scatter(src, index, dim, dim_size=num, reduce="mean"): a 1-D index along dim; empty segments 0."""
    return _segment_reduce("mean", src, index, num, dim)


def segment_max(src, index, num, dim=0):
    """torch_scatter.scatter(..., reduce="max") (scatter_max's values): empty segments 0."""
    return _segment_reduce("max", src, index, num, dim)


def segment_min(src, index, num, dim=0):
    """torch_scatter.scatter(..., reduce="min") (scatter_min's values): empty segments 0."""
    return _segment_reduce("min", src, index, num, dim)
# mindport: end of segment helpers
`;

/** What each scatter function reduces with, and its default `dim` (PyG's utility scatters along 0). */
const SCATTERS: Record<string, { reduce?: string; dim: string; pair?: true }> = {
  'torch_scatter.scatter': { dim: '-1' },
  'torch_scatter.scatter_add': { reduce: 'sum', dim: '-1' },
  'torch_scatter.scatter_sum': { reduce: 'sum', dim: '-1' },
  'torch_scatter.scatter_mean': { reduce: 'mean', dim: '-1' },
  'torch_scatter.scatter_max': { reduce: 'max', dim: '-1', pair: true },
  'torch_scatter.scatter_min': { reduce: 'min', dim: '-1', pair: true },
  'torch_geometric.utils.scatter': { dim: '0' },
};

/**
 * `torch_scatter.scatter(src, index, dim=d, dim_size=n, reduce=r)` and its named forms, with a 1-D index:
 * - a sum → `ops.unsorted_segment_sum`, which sums along the first axis: another `d` is moved there and back
 *   (`ops.movedim`), as batched GNNs scatter along dim 1 or -2;
 * - a mean, max or min → `segment_mean` / `segment_max` / `segment_min` of a helper inserted once (a segment sum over a
 *   count, or a segment max/min with torch_scatter's 0 for empty segments); `scatter_max(...)[0]`, the values only.
 * Without `dim_size`, torch_scatter's own `index.max() + 1` is written (the index must then be a name).
 */
function segmentFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.via !== 'import' || use.context !== 'call' || !use.call) return undefined;
  const spec = SCATTERS[use.qname];
  if (!spec) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  for (const k of args.keywords.keys()) if (!['src', 'index', 'dim', 'dim_size', 'reduce'].includes(k)) return undefined;
  // torch_scatter's fourth parameter is out= (left to a human); PyG's utils.scatter takes dim_size and reduce there
  const pyg = use.qname === 'torch_geometric.utils.scatter';
  if (args.positional.length > (pyg ? 5 : 3)) return undefined;
  const src = argOf(args, 'src', 0);
  const index = argOf(args, 'index', 1);
  const dim = argOf(args, 'dim', 2)?.text ?? spec.dim;
  const sizeArg = args.keywords.get('dim_size')?.value ?? (pyg ? args.positional[3] : undefined);
  const size = sizeArg?.type === 'none' ? undefined : sizeArg; // dim_size=None: counted from the index, as torch_scatter does
  const given = args.keywords.get('reduce')?.value ?? (pyg ? args.positional[4] : undefined);
  if (!src || !index || !/^-?\d+$/.test(dim) || (spec.reduce && given)) return undefined;
  const reduce = spec.reduce ?? (given ? /^["'](sum|add|mean|max|min)["']$/.exec(given.text)?.[1] : 'sum');
  if (!reduce) return undefined;
  // scatter_max / scatter_min return (values, argmax): only `[0]` of the call is written out
  const whole = spec.pair ? valuesItem(use.call) : use.call;
  if (!whole) return undefined;
  if (!size && !isRepeatable(index)) return undefined; // its max() + 1 would compute it twice
  // an index broadcast to the source's shape (`idx.unsqueeze(-1).expand_as(x)`): segment ops take a 1-D index
  if (/\.(?:expand|expand_as|unsqueeze|view|reshape|repeat)\(|\[\s*:\s*,\s*None\s*\]|\[\s*\.\.\.\s*,\s*None\s*\]/.test(index.text)) return undefined;
  // the name bound by torch_scatter and by PyG (a try/except import): which default dim runs is not known
  const callee = use.call.childForFieldName('function');
  if (!argOf(args, 'dim', 2) && callee?.type === 'identifier') {
    const local = callee.text;
    const from = (mod: string) => new RegExp(`from\\s+${mod}\\s+import[^\\n]*\\b(?:\\w+\\s+as\\s+)?${local}\\b`).test(ctx.text);
    if (from('torch_scatter') && from('torch_geometric\\.utils')) return undefined;
  }
  const edits: TextEdit[] = [];
  const name = mindsporeNamer(ctx, edits);
  const count = size ? size.text : `int(${index.text}.max()) + 1`;
  const counted = size ? '' : ` (segments counted from ${index.text}.max(): a data-dependent size; pass dim_size where it is known)`;
  if (reduce === 'sum' || reduce === 'add') {
    const first = Number(dim) === 0;
    const data = first ? src.text : `${name('mindspore.ops.movedim')}(${src.text}, ${dim}, 0)`;
    const summed = `${name('mindspore.ops.unsorted_segment_sum')}(${data}, ${index.text}, ${count})`;
    edits.unshift({ start: whole.startIndex, end: whole.endIndex, newText: first ? summed : `${name('mindspore.ops.movedim')}(${summed}, 0, ${dim})` });
    return { title: `Use ops.unsorted_segment_sum${first ? '' : ` along dim ${dim}`}${counted}`, applicability: 'unsafe', edits };
  }
  const helper = `segment_${reduce}`;
  // a name the file binds for something else (outside the helper) would be shadowed or would take the call
  if (/(?<![.\w])(?:segment_(?:mean|max|min)|_segment_reduce|_seg_ops)\b(?!\s*\()/.test(withoutHelperBlock(ctx.text, SEGMENT_HELPER_MARKER))) return undefined;
  edits.push({ start: whole.startIndex, end: whole.endIndex, newText: `${helper}(${src.text}, ${index.text}, ${count}${Number(dim) === 0 ? '' : `, dim=${dim}`})` });
  const insert = helperInsertEdit(ctx, SEGMENT_HELPER_SOURCE, SEGMENT_HELPER_MARKER);
  if (insert) edits.push(insert);
  return { title: `Use ${helper} (segment ops, a helper inserted once)${counted}`, applicability: 'unsafe', edits };
}

/**
 * `agg.index_add_(0, dst, msg)` / `scatter_add_` in place: MindSpore's Tensors are not updated in place, so the
 * statement assigns the result of the method without the underscore (`agg = agg.index_add(0, dst, msg)`), and a
 * fresh tensor's chained call (`torch.zeros(n).scatter_add_(0, i, w)`) takes it directly. Only where that method is
 * the same in MindSpore at the target, and runs on its device. Unsafe: another name for the same tensor would not
 * see the change.
 */
function outOfPlaceFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const m = /^torch\.Tensor\.(index_add|scatter_add)_$/.exec(use.qname);
  if (!m || use.via !== 'method' || use.context !== 'call' || !use.call || !use.receiver) return undefined;
  const entry = ctx.db.get(`torch.Tensor.${m[1]}`);
  const choice = entry ? ctx.db.choose(entry, ctx.target) : undefined;
  if (!choice?.twin || choice.uncovered || choice.twin.status !== 'same') return undefined;
  const name = use.call.childForFieldName('function')?.childForFieldName('attribute');
  if (!name) return undefined;
  const rename: TextEdit = { start: name.startIndex, end: name.endIndex, newText: m[1] };
  const recv = use.receiver;
  const stmt = callStatement(use.call);
  // a name (bound in its own function, or declared global there: assigning a global would make it local) or an
  // attribute; not an item (`outs[0]`: a tuple refuses the assignment, `x[mask]` is a copy in torch)
  if (stmt && (recv.type === 'attribute' ? isRepeatable(recv) : recv.type === 'identifier' && boundHere(use.call, recv.text))) {
    return { title: `Assign the result: ${recv.text} = ${recv.text}.${m[1]}(...)`, applicability: 'unsafe', edits: [rename, { start: use.call.startIndex, end: use.call.startIndex, newText: `${recv.text} = ` }] };
  }
  // a tensor just made (`torch.zeros(n).scatter_add_(...)`), not a view of another (`x.view(-1)`, `x.t()`)
  if (!stmt && recv.type === 'call' && FRESH.test(recv.childForFieldName('function')?.text ?? '')) {
    return { title: `Use ${m[1]}, which returns the result (the tensor is a fresh one)`, applicability: 'unsafe', edits: [rename] };
  }
  return undefined;
}

/** Calls that make a new tensor. */
const FRESH = /(?:^|\.)(?:zeros|ones|full|empty|zeros_like|ones_like|full_like|empty_like|new_zeros|new_ones|new_full|new_empty|clone)$/;

/** Whether `name` is a local of the function around `at` (a parameter, assigned before it) or declared global there; at module level, always. */
function boundHere(at: Node, name: string): boolean {
  let f: Node | null = at.parent;
  while (f && f.type !== 'function_definition' && f.type !== 'lambda') f = f.parent;
  if (!f) return true;
  if (f.type === 'lambda') return false;
  const params = f.childForFieldName('parameters')?.namedChildren ?? [];
  if (params.some((p) => p && parameterName(p) === name)) return true;
  const body = f.childForFieldName('body');
  if (body && new RegExp(`\\b(?:global|nonlocal)\\b[^\\n]*\\b${name}\\b`).test(body.text)) return true;
  return !!assignedValue(f, name, at.startIndex);
}

/** `scatter_max(...)[0]`: the subscript taking the values of the (values, argmax) pair; undefined otherwise. */
function valuesItem(call: Node): Node | undefined {
  const p = call.parent;
  if (p?.type !== 'subscript' || p.childForFieldName('value')?.id !== call.id) return undefined;
  const items = p.namedChildren.filter((c) => c && c.type !== 'comment' && c.id !== call.id);
  return items.length === 1 && items[0]!.text === '0' ? p : undefined;
}

export const msp204Rule: Rule = {
  codes: ['MSP204'],
  order: 20,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP204', (q) => TENSOR_METHODS.test(q) || LIBS.test(q) || ruleOwned(ctx, 'MSP204', q));
    if (!ctx.enabled('MSP204')) return;
    const ascend = isAscend(ctx);
    for (const use of uses) {
      const lib = LIBS.test(use.qname);
      if (lib && use.context === 'annotation') {
        // a type hint (`edge_index: Adj`) computes nothing: a short hint, not the message passing warning
        const plain = hintTypeOf(use.qname);
        const fix = hintTypeFix(ctx, use);
        const lead = plain
          ? `${tick(use.qname)} in a type hint is a graph-library alias: in MindSpore code the same values have the plain type ${tick(plain)}.`
          : `${tick(use.qname)} is a graph-library type: in MindSpore the same values are plain Tensors (an edge index is a (2, E) integer Tensor).`;
        reportAdvice(ctx, 'MSP204', use, lead, { severity: 'hint', withAdvice: false, fixes: fix ? [fix] : [] });
        continue;
      }
      const lead = lib
        ? `${tick(use.qname)}: graph libraries are not available for MindSpore${ascend ? ', and scatter-style updates are among the slowest operations on Ascend' : ''}.`
        : `${tick(use.qname)}: scatter-style update; in MindSpore these return new Tensors (nothing is updated in place)${ascend ? ' and are among the slowest operations on Ascend' : ''}.`;
      const fallback = lib
        ? 'Express message passing with static src/dst index Tensors, ops.gather and ops.unsorted_segment_sum (or TensorScatterAdd).'
        : 'Use ops.gather for the messages and ops.unsorted_segment_sum / ops.TensorScatterAdd to sum them into nodes.';
      const fix = segmentFix(ctx, use) ?? outOfPlaceFix(ctx, use);
      reportAdvice(ctx, 'MSP204', use, lead, { fallback, tail: ascend ? 'Keep the graph static and benchmark this part.' : undefined, fixes: fix ? [fix] : [] });
    }
  },
};
