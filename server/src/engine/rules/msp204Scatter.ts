// MSP204: scatter/gather message passing (index_add_, scatter_add_, scatter_reduce, torch_scatter, PyG, DGL).
// Ports keep static src/dst index Tensors, gather with ops.gather and sum with ops.unsorted_segment_sum or
// TensorScatterAdd. This is the slow part on Ascend, so the rule warns about speed as well as correctness.
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { argOf, callArgs, claimUses, isAscend, isRepeatable, mindsporeNamer, reportAdvice, ruleOwned, tick } from './util';

const TENSOR_METHODS = /^torch\.(Tensor\.)?(index_add_?|scatter_add_?|scatter_reduce_?|index_reduce_?|index_put_?)$/;
const LIBS = /^(torch_scatter|torch_geometric|dgl)\./;

/**
 * `torch_scatter.scatter(src, index, dim=d, dim_size=n)` with a sum → `ops.unsorted_segment_sum`, which sums along
 * the first axis: another `d` is moved there and back (`ops.movedim`), as batched GNNs scatter along dim 1 or -2.
 * Without `dim_size`, torch_scatter's own `index.max() + 1` is written (the index must then be a name).
 */
function segmentSumFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.via !== 'import' || use.context !== 'call' || !use.call) return undefined;
  if (!/^torch_scatter\.(scatter|scatter_add|scatter_sum)$/.test(use.qname)) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  for (const k of args.keywords.keys()) if (!['src', 'index', 'dim', 'dim_size', 'reduce'].includes(k)) return undefined;
  if (args.positional.length > 3) return undefined; // out= given positionally: leave it to a human
  const src = argOf(args, 'src', 0);
  const index = argOf(args, 'index', 1);
  const dim = argOf(args, 'dim', 2)?.text ?? '-1'; // torch_scatter's default: the last dimension
  const size = args.keywords.get('dim_size')?.value;
  const reduce = args.keywords.get('reduce')?.value;
  if (!src || !index || !/^-?\d+$/.test(dim)) return undefined;
  if (reduce && !/^["'](sum|add)["']$/.test(reduce.text)) return undefined;
  if (!size && !isRepeatable(index)) return undefined; // its max() + 1 would compute it twice
  const edits: TextEdit[] = [];
  const name = mindsporeNamer(ctx, edits);
  const count = size ? size.text : `int(${index.text}.max()) + 1`;
  const first = Number(dim) === 0;
  const data = first ? src.text : `${name('mindspore.ops.movedim')}(${src.text}, ${dim}, 0)`;
  const summed = `${name('mindspore.ops.unsorted_segment_sum')}(${data}, ${index.text}, ${count})`;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: first ? summed : `${name('mindspore.ops.movedim')}(${summed}, 0, ${dim})` });
  const counted = size ? '' : ` (segments counted from ${index.text}.max(): a data-dependent size; pass dim_size where it is known)`;
  return { title: `Use ops.unsorted_segment_sum${first ? '' : ` along dim ${dim}`}${counted}`, applicability: 'unsafe', edits };
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
        reportAdvice(ctx, 'MSP204', use, `${tick(use.qname)} is a graph-library type: in MindSpore the same values are plain Tensors (an edge index is a (2, E) integer Tensor).`, {
          severity: 'hint',
          withAdvice: false,
        });
        continue;
      }
      const lead = lib
        ? `${tick(use.qname)}: graph libraries are not available for MindSpore${ascend ? ', and scatter-style updates are among the slowest operations on Ascend' : ''}.`
        : `${tick(use.qname)}: scatter-style update; in MindSpore these return new Tensors (nothing is updated in place)${ascend ? ' and are among the slowest operations on Ascend' : ''}.`;
      const fallback = lib
        ? 'Express message passing with static src/dst index Tensors, ops.gather and ops.unsorted_segment_sum (or TensorScatterAdd).'
        : 'Use ops.gather for the messages and ops.unsorted_segment_sum / ops.TensorScatterAdd to sum them into nodes.';
      const fix = segmentSumFix(ctx, use);
      reportAdvice(ctx, 'MSP204', use, lead, { fallback, tail: ascend ? 'Keep the graph static and benchmark this part.' : undefined, fixes: fix ? [fix] : [] });
    }
  },
};
