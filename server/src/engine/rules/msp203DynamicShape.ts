// MSP203: operations whose output shape depends on the data (nonzero, masked_select, boolean-mask indexing,
// unique, reshapes sized by tensor values). In graph mode on Ascend they force recompilation or fail; fixed-shape
// forms (where, multiply by a mask, masked sums) compile once.
import type { Node } from '../parser';
import type { Rule } from './types';
import { assignedValue, callArgs, calleeNameAt, claimUses, isAscend, ruleOwned, scopeNode, tick, walk } from './util';

const DYNAMIC = /^torch\.(Tensor\.)?(nonzero|masked_select|unique|unique_consecutive|argwhere)$/;

const ADVICE: Record<string, string> = {
  nonzero: 'keep the full shape and use a mask instead (ops.where(cond, x, 0), or x * mask)',
  argwhere: 'keep the full shape and use a mask instead (ops.where(cond, x, 0), or x * mask)',
  masked_select: 'use ops.where(mask, x, 0) (or x * mask) and reduce with a masked sum / count',
  unique: 'if the set of values is known, compare against it with a fixed-size one-hot or histogram; otherwise do it on the host',
  unique_consecutive: 'do it on the host, or keep a fixed-size form',
  where: 'the one-argument form is nonzero: use the three-argument ops.where(cond, x, y) with a fixed shape',
};

function isMaskExpr(n: Node | null | undefined, depth = 0): boolean {
  if (!n || depth > 4) return false;
  if (n.type === 'comparison_operator') return !n.children.some((c) => c && /^(in|not in|is|is not)$/.test(c.type)) && !/\b(is|in)\b/.test(n.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' '));
  if (n.type === 'parenthesized_expression') return isMaskExpr(n.namedChildren[0], depth + 1);
  if (n.type === 'unary_operator' && n.text.startsWith('~')) return isMaskExpr(n.namedChildren[0], depth + 1);
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    if (op === '&' || op === '|' || op === '^') return isMaskExpr(n.childForFieldName('left'), depth + 1) || isMaskExpr(n.childForFieldName('right'), depth + 1);
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function')?.text ?? '';
    return /(^|\.)(isnan|isinf|isfinite|logical_and|logical_or|logical_not|eq|ne|gt|lt|ge|le)$/.test(fn);
  }
  return false;
}

export const msp203Rule: Rule = {
  codes: ['MSP203'],
  order: 20,
  check(ctx) {
    const oneArgWhere = (u: { qname: string; call?: Node }) => u.qname === 'torch.where' && callArgs(u.call)?.all.length === 1;
    const uses = claimUses(
      ctx,
      'MSP203',
      (q) => DYNAMIC.test(q) || q === 'torch.where' || ruleOwned(ctx, 'MSP203', q),
      (u) => u.qname !== 'torch.where' || oneArgWhere(u) || ruleOwned(ctx, 'MSP203', u.qname),
    );
    if (!ctx.enabled('MSP203')) return;
    const ascend = isAscend(ctx);
    const severity = ascend ? undefined : 'info';
    const why = ascend
      ? 'its output shape depends on the data, which graph mode on Ascend must recompile for (or rejects)'
      : 'its output shape depends on the data, which graph mode has to recompile for';
    for (const use of uses) {
      const name = use.qname.slice(use.qname.lastIndexOf('.') + 1);
      ctx.report({
        code: 'MSP203',
        message: `${tick(use.qname)}: ${why}; ${ADVICE[name] ?? 'use a fixed-shape form (where, masks)'}.${use.confidence === 'low' ? ' (low confidence: receiver guessed)' : ''}`,
        severity: use.confidence === 'low' ? 'info' : severity,
        start: (use.call ?? use.node).startIndex,
        end: (use.call ?? use.node).endIndex,
        fixes: [],
        data: { torchApi: use.qname, confidence: use.confidence },
      });
    }
    // boolean-mask indexing and data-dependent reshapes, found in the tree
    const tensorNode = (n: Node) => ctx.resolution.instances.get(n.id)?.qname === 'torch.Tensor';
    const visit = (n: Node): void => {
      if (n.type === 'subscript') {
        const value = n.childForFieldName('value');
        const idx = n.namedChildren.filter((c) => c && c.id !== value?.id);
        if (idx.length !== 1 || !value) return;
        let mask = idx[0]!;
        let viaName = '';
        if (mask.type === 'identifier') {
          const v = assignedValue(scopeNode(mask), mask.text, mask.startIndex);
          if (!v) return;
          viaName = mask.text;
          mask = v;
        }
        if (!isMaskExpr(mask)) return;
        // `x[mask] = v` keeps the shape: an assignment target is fine
        const p = n.parent;
        if (p?.type === 'assignment' && p.childForFieldName('left')?.id === n.id) return;
        if (p?.type === 'augmented_assignment' && p.childForFieldName('left')?.id === n.id) return;
        const tensorish = tensorNode(value) || /torch|\.(gt|lt|ge|le|eq|ne)\(/.test(mask.text) || findTensorOperand(ctx, mask);
        ctx.report({
          code: 'MSP203',
          message: `boolean-mask indexing ${tick(n.text.length > 40 ? `${value.text}[${viaName || '…'}]` : n.text)}${tensorish ? '' : ' (if it indexes a tensor)'}: ${why}; keep the shape with ops.where(mask, x, 0) or x * mask, and use masked sums instead of selecting.`,
          severity: tensorish ? severity : 'info',
          start: n.startIndex,
          end: n.endIndex,
          fixes: [],
        });
      } else if (n.type === 'call') {
        const fn = n.childForFieldName('function');
        const attr = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        if (attr !== 'view' && attr !== 'reshape') return;
        const args = n.childForFieldName('arguments');
        if (!args || !/\.item\(\)|\b(int|len)\(\s*[\w.]*\.(sum|count_nonzero|nonzero|max)\(|\.sum\(\)\.item/.test(args.text)) return;
        ctx.report({
          code: 'MSP203',
          message: `${tick(attr)} with a size computed from tensor values: ${why}; keep a fixed size (pad to the maximum and carry a mask).`,
          severity: severity ?? 'warning',
          start: n.startIndex,
          end: n.endIndex,
          fixes: [],
        });
      }
    };
    const t = ctx.tree;
    const found = t.indicesOfType(['subscript', 'call']);
    for (let k = 0; k < found.length; k++) {
      const i = found[k];
      if (t.typeAt(i) === 'call') {
        // of calls, only `x.view(...)` and `x.reshape(...)` (told apart by index: most calls are neither)
        const name = calleeNameAt(t, i);
        if (name !== 'view' && name !== 'reshape') continue;
      }
      visit(t.node(i));
    }
  },
};

/** Whether a mask expression compares something known to be a tensor. */
function findTensorOperand(ctx: { resolution: { instances: Map<number, { qname: string }> } }, mask: Node): boolean {
  let found = false;
  walk(mask, (c) => {
    if (ctx.resolution.instances.get(c.id)?.qname === 'torch.Tensor') found = true;
  });
  return found;
}
