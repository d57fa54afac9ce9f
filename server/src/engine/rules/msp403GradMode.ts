// MSP403: torch.no_grad / inference_mode / enable_grad / set_grad_enabled / requires_grad_. MindSpore records
// no gradients unless a grad function (value_and_grad, grad) is called, so these contexts are not needed;
// ops.stop_gradient blocks gradients where it matters, and Parameters carry requires_grad.
import type { Fix } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { callArgs, calleeObject, callStatement, claimUses, lineEndWithBreak, lineStartOf, ownsLines, reportAdvice, ruleOwned, tick, unwrapWithEdit } from './util';

const CONTEXTS = /^torch\.(no_grad|inference_mode|enable_grad|set_grad_enabled|autograd\.(no_grad|enable_grad|set_grad_enabled|inference_mode))$/;

function fixFor(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (CONTEXTS.test(use.qname)) {
    const node = use.call ?? use.node;
    const item = node.parent;
    if (item?.type === 'with_item' && item.parent?.type === 'with_clause' && item.parent.namedChildren.length === 1) {
      const e = unwrapWithEdit(ctx.text, item.parent.parent!);
      return e ? { title: `Remove the ${use.node.text} block (no gradient is recorded outside grad functions)`, applicability: 'unsafe', edits: [e] } : undefined;
    }
    // `with torch.no_grad(), self._validation_context():` — only this item goes (with the comma after or before it)
    // (not with comments among the items: they would end up on another item)
    if (item?.type === 'with_item' && item.parent?.type === 'with_clause' && !item.childForFieldName('alias') && !/\bas\b/.test(item.text) && !item.parent.text.includes('#')) {
      const items = item.parent.namedChildren.filter((c): c is Node => !!c && c.type === 'with_item');
      const i = items.findIndex((c) => c.id === item.id);
      const next = items[i + 1];
      const prev = items[i - 1];
      const edit = next ? { start: item.startIndex, end: next.startIndex, newText: '' } : prev ? { start: prev.endIndex, end: item.endIndex, newText: '' } : undefined;
      if (edit) return { title: `Remove ${use.node.text} from the with statement (no gradient is recorded outside grad functions)`, applicability: 'unsafe', edits: [edit] };
    }
    if (item?.type === 'decorator' && ownsLines(ctx.text, item)) {
      return { title: `Remove @${node.text}`, applicability: 'unsafe', edits: [{ start: lineStartOf(ctx.text, item.startIndex), end: lineEndWithBreak(ctx.text, item.endIndex), newText: '' }] };
    }
    return undefined;
  }
  if (use.qname === 'torch.Tensor.requires_grad_' && use.call) {
    const stmt = callStatement(use.call);
    const args = callArgs(use.call);
    const obj = calleeObject(use.call);
    if (!stmt || !obj || !args) return undefined;
    const v = args.all.length === 0 ? 'True' : args.keywords.get('requires_grad')?.value.text ?? args.positional[0]?.text;
    if (!v) return undefined;
    return { title: `Set ${obj.text}.requires_grad = ${v}`, applicability: 'unsafe', edits: [{ start: use.call.startIndex, end: use.call.endIndex, newText: `${obj.text}.requires_grad = ${v}` }] };
  }
  return undefined;
}

export const msp403Rule: Rule = {
  codes: ['MSP403'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP403', (q) => CONTEXTS.test(q) || q === 'torch.Tensor.requires_grad_' || ruleOwned(ctx, 'MSP403', q));
    if (!ctx.enabled('MSP403')) return;
    for (const use of uses) {
      const fix = fixFor(ctx, use);
      const lead = use.qname === 'torch.Tensor.requires_grad_'
        ? `${tick('.requires_grad_()')}: MindSpore differentiates with respect to Parameters (set param.requires_grad) or the inputs named by grad_position; use ops.stop_gradient to cut a path.`
        : `${tick(use.qname)}: not needed in MindSpore — gradients are only computed inside value_and_grad/grad calls; use ops.stop_gradient where a value must not be differentiated.`;
      reportAdvice(ctx, 'MSP403', use, lead, { fixes: fix ? [fix] : [], withAdvice: false });
    }
  },
};
