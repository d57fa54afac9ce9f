// `x.unflatten(dim, sizes)` written out for MindSpore, which has no unflatten: a reshape to the shape with `dim`
// replaced by `sizes`, `x.reshape(x.shape[:dim] + sizes + x.shape[dim + 1:])` (MSP103's fix). The receiver is
// written twice, so it must be repeatable (a name, an attribute, an item at a literal index); `dim` must be an integer literal.
import type { Fix } from '../findings';
import type { ApiUse } from '../resolve';
import { argOf, callArgs, isRepeatable } from './util';

export function unflattenFix(use: ApiUse): Fix | undefined {
  if (use.qname !== 'torch.Tensor.unflatten' || !use.call || !use.receiver || !isRepeatable(use.receiver)) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.all.length !== 2) return undefined;
  const dimNode = argOf(args, 'dim', 0);
  const sizesNode = argOf(args, 'sizes', 1);
  if (!dimNode || !sizesNode || !/^-?\d+$/.test(dimNode.text.replace(/\s+/g, ''))) return undefined;
  const dim = Number(dimNode.text.replace(/\s+/g, ''));
  const x = use.receiver.text;
  const sizes = sizesNode.type === 'tuple' ? sizesNode.text : `tuple(${sizesNode.text})`;
  const before = dim === 0 ? '' : `${x}.shape[:${dim}] + `;
  const after = dim === -1 ? '' : ` + ${x}.shape[${dim + 1}:]`;
  const code = `${x}.reshape(${before}${sizes}${after})`;
  return {
    title: `Write it out: ${code}`,
    applicability: use.confidence === 'high' ? 'safe' : 'unsafe',
    edits: [{ start: use.call.startIndex, end: use.call.endIndex, newText: code }],
  };
}
