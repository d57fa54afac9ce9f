// torch.gradient written out for MindSpore, which has no such function (MSP103's fix): a small helper inserted
// once per file (as MSP201's DFT helper) takes central differences inside and one-sided ones at the edges, torch's
// edge_order=1, for a scalar spacing, and returns a tuple with one Tensor per dimension, as torch does. Finite
// differences of this kind are the advection terms of physics-informed weather and ocean models (ClimODE).
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import { helperInsertEdit } from './msp201Fft';
import type { RuleContext } from './types';
import { argOf, callArgs, isLiteralDims, isLiteralInt, isRepeatable } from './util';

export const GRADIENT_HELPER_MARKER = '# mindport: gradient helper';

export const GRADIENT_HELPER_SOURCE = `${GRADIENT_HELPER_MARKER} -- torch.gradient (scalar spacing, edge_order=1) from MindSpore ops
from mindspore import ops as _grad_ops


def torch_gradient(x, spacing=1, dim=None):
    """torch.gradient(x, spacing=spacing, dim=dim): a tuple with one Tensor per dimension."""
    dims = range(x.ndim) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    out = []
    for d in dims:
        d = d % x.ndim
        n = x.shape[d]
        inner = (_grad_ops.narrow(x, d, 2, n - 2) - _grad_ops.narrow(x, d, 0, n - 2)) / (2 * spacing)
        first = (_grad_ops.narrow(x, d, 1, 1) - _grad_ops.narrow(x, d, 0, 1)) / spacing
        last = (_grad_ops.narrow(x, d, n - 1, 1) - _grad_ops.narrow(x, d, n - 2, 1)) / spacing
        out.append(_grad_ops.cat((first, inner, last), d))
    return tuple(out)
# mindport: end of gradient helper
`;

/** A dim torch.gradient takes that the helper can too: an integer, or a non-empty tuple or list of them. */
function literalDims(n: Node): boolean {
  return isLiteralDims(n) && (isLiteralInt(n) || n.namedChildren.length > 0);
}

/** A scalar spacing: a number, or a name (a list of coordinates would be per-point spacing, not handled). */
function scalarSpacing(n: Node): boolean {
  return n.type === 'integer' || n.type === 'float' || isRepeatable(n);
}

export function gradientFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.qname !== 'torch.gradient' || use.context !== 'call' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.positional.length > 1) return undefined; // spacing, dim, edge_order are keyword-only
  for (const k of args.keywords.keys()) if (!['input', 'spacing', 'dim', 'edge_order'].includes(k)) return undefined;
  const input = argOf(args, 'input', 0);
  const spacing = args.keywords.get('spacing')?.value;
  const dim = args.keywords.get('dim')?.value;
  const order = args.keywords.get('edge_order')?.value;
  if (!input || (order && order.text !== '1') || (spacing && !scalarSpacing(spacing)) || (dim && dim.text !== 'None' && !literalDims(dim))) return undefined;
  const parts = [input.text];
  if (spacing) parts.push(`spacing=${spacing.text}`);
  if (dim && dim.text !== 'None') parts.push(`dim=${dim.text}`);
  const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: `torch_gradient(${parts.join(', ')})` }];
  const helper = helperInsertEdit(ctx, GRADIENT_HELPER_SOURCE, GRADIENT_HELPER_MARKER);
  if (helper) edits.push(helper);
  return {
    title: 'Write it out with a finite-difference helper (torch_gradient, inserted once)',
    // a name the file defines for something else would be shadowed
    applicability: /\btorch_gradient\b/.test(ctx.text) && !ctx.text.includes(GRADIENT_HELPER_MARKER) ? 'unsafe' : 'safe',
    edits,
  };
}
