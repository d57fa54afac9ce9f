// Tensor methods whose MindSpore twin is not a method of the same shape, written out (MSP102's fix in place of a
// rename, which would be wrong):
// - `x.size()` → `x.shape`, `x.size(d)` / `x.size(dim=d)` → `x.shape[d]`: MindSpore's shape is a tuple attribute, and
//   renaming the call would make `x.shape(0)`, a call of a tuple;
// - `x.detach()` → `ops.stop_gradient(x)` (the target's twin): MindSpore stops gradients with a function.
// Safe on a known tensor; unsafe when the receiver is only guessed to be one (a `size()` of something else).
import type { Fix, TextEdit } from '../findings';
import type { Twin } from '../../mappings/schema';
import type { ApiUse } from '../resolve';
import type { RuleContext } from './types';
import { argOf, callArgs, mindsporeNamer } from './util';

/** The call written out, or undefined when `use` is not one of these methods or its arguments are not understood. */
export function methodWriteOutFix(ctx: RuleContext, use: ApiUse, twin: Twin): Fix | undefined {
  if (use.via !== 'method' || use.context !== 'call' || !use.call || !use.receiver) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  const x = use.receiver.text;
  const edits: TextEdit[] = [];
  let code: string;
  if (use.qname === 'torch.Tensor.size') {
    if (args.all.length > 1 || [...args.keywords.keys()].some((k) => k !== 'dim')) return undefined;
    const dim = argOf(args, 'dim', 0);
    code = dim ? `${x}.shape[${dim.text}]` : `${x}.shape`;
  } else if (use.qname === 'torch.Tensor.detach') {
    if (args.all.length || !/^mindspore\.[\w.]+$/.test(twin.api) || /\.Tensor\./.test(twin.api)) return undefined;
    const arg = use.receiver.type === 'parenthesized_expression' ? x.slice(1, -1) : x; // `(a * 2).detach()`: no double parentheses
    code = `${mindsporeNamer(ctx, edits)(twin.api)}(${arg})`;
  } else return undefined;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: code });
  return { title: `Write it out: ${code}`, applicability: use.confidence === 'high' ? 'safe' : 'unsafe', edits };
}
