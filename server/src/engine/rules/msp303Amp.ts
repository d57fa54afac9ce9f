// MSP303: autocast and GradScaler. MindSpore sets mixed precision on the network once
// (ms.amp.auto_mixed_precision(net, "O2") or Model(..., amp_level="O2"), keeping LayerNorm/Softmax/GELU/BatchNorm
// in float32) and scales the loss with DynamicLossScaleManager or ms.amp.DynamicLossScaler.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { assignedValue, callArgs, claimUses, enclosingStatement, indentAt, insertAfterStatement, reportAdvice, ruleOwned, scopeNode, tick, unwrapWithEdit, walk } from './util';

const AUTOCAST = /^torch\.(autocast|(cuda\.|cpu\.)?amp\.autocast)$/;
const SCALER = /^torch\.(cuda\.)?amp\.GradScaler$/;
/** Calls of GradScaler methods ms.amp.DynamicLossScaler has no counterpart of (`scaler.step(opt)`, ...), as text. */
export const SCALER_CALLS = /\.(?:unscale_|step)\(|\.update\(\)/;

/** The model called inside a block: an identifier bound to a module instance, with the statement that created it. */
function modelIn(ctx: RuleContext, block: Node): { name: string; stmt: Node } | undefined {
  let found: { name: string; stmt: Node } | undefined;
  walk(block, (n) => {
    if (found || n.type !== 'call') return;
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'identifier') return;
    const value = assignedValue(scopeNode(n), fn.text, n.startIndex) ?? assignedValue(scopeNode(scopeNode(n)), fn.text, n.startIndex);
    if (!value || value.type !== 'call') return;
    const u = ctx.resolution.uses.find((x) => x.call?.id === value.id);
    const made = value.childForFieldName('function')?.text ?? '';
    const cls = ctx.resolution.classes.find((c) => c.name === made && c.torchBase) ?? ctx.resolution.classNamed(made);
    if (!cls && !(u && /^torch\.nn\.[A-Z]/.test(u.qname))) return;
    const stmt = enclosingStatement(value);
    if (stmt) found = { name: fn.text, stmt };
  });
  return found;
}

function autocastFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const item = use.call?.parent;
  const clause = item?.type === 'with_item' ? item.parent : undefined;
  const stmt = clause?.type === 'with_clause' ? clause.parent : undefined;
  if (!stmt || stmt.type !== 'with_statement' || clause!.namedChildren.length !== 1) return undefined;
  const unwrap = unwrapWithEdit(ctx.text, stmt);
  if (!unwrap) return undefined;
  const edits: TextEdit[] = [unwrap];
  const model = modelIn(ctx, stmt);
  let title = 'Remove the autocast block (set mixed precision on the network instead)';
  if (model && !ctx.text.includes('auto_mixed_precision')) {
    const plan = ctx.imports.plan('mindspore.amp.auto_mixed_precision');
    edits.push(insertAfterStatement(ctx.text, model.stmt, `${model.name} = ${plan.expr}(${model.name}, "O2")`, indentAt(ctx.text, model.stmt.startIndex)));
    if (plan.edit) edits.push(plan.edit);
    title = `Remove the autocast block and cast ${model.name} with auto_mixed_precision(..., "O2")`;
  }
  return { title, applicability: 'unsafe', edits };
}

/**
 * What keeps a scaler torch's (`loopMethods`: except the step/update/unscale_ a train-step rewrite takes away): a call of a method DynamicLossScaler lacks (`step`, `update`, `unscale_`, `get_scale`,
 * `state_dict`, ...) on the name or attribute `call` is assigned to (also through another object, `trainer.scaler`),
 * or that scaler handed on (an argument, another name, getattr), where such calls cannot be followed. Without an
 * assignment, any GradScaler-only call in the file.
 */
export function scalerCalls(call: Node, loopMethods = false): RegExp {
  const assign = call.parent;
  const target = assign?.type === 'assignment' && assign.childForFieldName('right')?.id === call.id ? assign.childForFieldName('left') : undefined;
  if (!target || !/^[A-Za-z_][\w.]*$/.test(target.text)) return SCALER_CALLS;
  const last = target.text.slice(target.text.lastIndexOf('.') + 1);
  const name = `(?<![\\w])(?:[\\w.]*\\.)?${last}`;
  return new RegExp(
    [`${name}\\s*\\.\\s*(?!scale\\b|unscale\\b|adjust\\b${loopMethods ? '|step\\b|update\\b|unscale_\\b' : ''})\\w+\\s*\\(`, `[(,=]\\s*${name}\\s*(?:[,)]|$)`, `getattr\\(\\s*${name}\\b`].join('|'),
    'm',
  );
}

/**
 * GradScaler's arguments as DynamicLossScaler's (`scale_value=..., scale_factor=..., scale_window=...`), or undefined
 * when they do not carry over: MindSpore scales up and down by one factor, so a growth and a backoff factor must be
 * each other's inverse; `enabled=` other than True, unknown arguments. torch.amp's GradScaler takes the device first.
 */
export function dynamicScalerArgs(call: Node, qname: string): string | undefined {
  const args = callArgs(call);
  if (!args || args.hasSplat) return undefined;
  const names = qname.startsWith('torch.amp.') ? ['device', 'init_scale', 'growth_factor', 'backoff_factor', 'growth_interval', 'enabled'] : ['init_scale', 'growth_factor', 'backoff_factor', 'growth_interval', 'enabled'];
  if (args.positional.length > names.length || [...args.keywords.keys()].some((k) => !names.includes(k))) return undefined;
  const get = (n: string) => (args.keywords.get(n)?.value ?? args.positional[names.indexOf(n)])?.text;
  const enabled = get('enabled');
  if (/^[rRbBuUfF]*['"]/.test(get('init_scale') ?? '')) return undefined; // a device name where the scale goes
  if (enabled !== undefined && enabled !== 'True') return undefined;
  const growth = get('growth_factor') ?? '2.0';
  const backoff = get('backoff_factor') ?? '0.5';
  const g = Number(growth);
  const b = Number(backoff);
  // (torch refuses a growth factor of 1 or less)
  if (!(Number.isFinite(g) && Number.isFinite(b) && g > 1 && Math.abs(g * b - 1) < 1e-9)) return undefined;
  return `scale_value=${get('init_scale') ?? '2**16'}, scale_factor=${Number.isInteger(g) ? String(g) : growth}, scale_window=${get('growth_interval') ?? '2000'}`;
}

function scalerFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (!SCALER.test(use.qname) || use.context !== 'call' || !use.call) return undefined;
  const mapped = dynamicScalerArgs(use.call, use.qname);
  if (mapped === undefined || use.call.text.includes('#')) return undefined; // (comments in the call would go with it)
  // DynamicLossScaler has scale, unscale and adjust: a file calling GradScaler's step/update/unscale_ would keep
  // calls that do not exist once the constructor is renamed (and, no longer a torch scaler, nothing would flag them).
  // Asked of the whole text (incremental analysis re-checks the file when such text comes or goes)
  // (of the scaler the call is assigned to, when it is: a scheduler's `lr_scheduler.step()` is not the scaler's)
  if (ctx.textHas(scalerCalls(use.call))) return undefined;
  const plan = ctx.imports.plan('mindspore.amp.DynamicLossScaler');
  const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: `${plan.expr}(${mapped})` }];
  if (plan.edit) edits.push(plan.edit);
  return { title: 'Use ms.amp.DynamicLossScaler with the same scale, factor and window', applicability: 'unsafe', edits };
}

export const msp303Rule: Rule = {
  codes: ['MSP303'],
  order: 30,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP303', (q) => AUTOCAST.test(q) || SCALER.test(q) || /^torch\.(cuda\.)?amp\.GradScaler\./.test(q) || q.startsWith('apex.amp') || ruleOwned(ctx, 'MSP303', q));
    if (!ctx.enabled('MSP303')) return;
    for (const use of uses) {
      let lead: string;
      let fix: Fix | undefined;
      if (AUTOCAST.test(use.qname)) {
        lead = `${tick(use.qname)}: set mixed precision once on the network: ms.amp.auto_mixed_precision(net, "O2") (or Model(..., amp_level="O2")); O2 keeps LayerNorm, Softmax, GELU and BatchNorm in float32.`;
        fix = autocastFix(ctx, use);
      } else if (SCALER.test(use.qname)) {
        lead = `${tick(use.qname)}: dynamic loss scaling is ms.amp.DynamicLossScaler in a functional step (scale the loss in the forward function, unscale the grads, check all_finite, adjust) or DynamicLossScaleManager with Model/TrainOneStepWithLossScaleCell.`;
        fix = scalerFix(ctx, use);
      } else {
        lead = `${tick(use.qname)}: in a MindSpore train step: loss = scaler.scale(loss) inside the forward function, grads = scaler.unscale(grads), finite = ms.amp.all_finite(grads), scaler.adjust(finite), and update only when finite.`;
      }
      reportAdvice(ctx, 'MSP303', use, lead, { fixes: fix ? [fix] : [], withAdvice: false });
    }
  },
};
