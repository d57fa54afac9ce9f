// MSP206: torch.compile and TorchScript (jit.script / jit.trace). MindSpore compiles with graph mode:
// ms.set_context(mode=ms.GRAPH_MODE) for the whole network, or @ms.jit on a function or construct. TorchScript's
// per-function decorators (jit.ignore, unused, export, compiler.disable) have nothing to do there and are removed.
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { callArgs, claimUses, indentAt, lineEndOf, lineEndWithBreak, lineStartOf, ownsLines, reportAdvice, ruleOwned, tick } from './util';

const COMPILERS = /^torch\.(compile|jit\.(script|trace|trace_module|freeze|optimize_for_inference|ignore|export|unused|is_scripting|is_tracing|annotate|script_method|ScriptModule|load|save))$/;
const CONSTRAINTS =
  'Graph mode compiles construct once: avoid Python control flow that depends on tensor values, data-dependent shapes, ' +
  'and Python features the graph compiler does not support; PyNative mode runs like eager PyTorch.';

function decoratorFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  // @torch.compile / @torch.compile(...) / @torch.jit.script → @ms.jit
  if (!/^torch\.(compile|jit\.script)$/.test(use.qname)) return undefined;
  const deco = use.context === 'decorator' ? use.node : use.call?.parent?.type === 'decorator' ? use.call : undefined;
  if (!deco) return undefined;
  const plan = ctx.imports.plan('mindspore.jit');
  const edits: TextEdit[] = [{ start: deco.startIndex, end: deco.endIndex, newText: plan.expr }];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Use @${plan.expr} (graph-mode compilation)`, applicability: 'unsafe', edits };
}

function unwrapFix(use: ApiUse): Fix | undefined {
  // net = torch.compile(model, ...) → net = model: graph mode is switched on globally instead
  if (!/^torch\.(compile|jit\.(script|trace))$/.test(use.qname) || use.context !== 'call' || !use.call) return undefined;
  if (use.call.parent?.type === 'decorator') return undefined;
  const args = callArgs(use.call);
  const first = args?.positional[0];
  if (!first || args?.hasSplat || first.type === 'lambda') return undefined;
  return { title: 'Keep the model itself (compile with graph mode instead)', applicability: 'unsafe', edits: [{ start: use.call.startIndex, end: use.call.endIndex, newText: first.text }] };
}

/**
 * `@torch.jit.ignore`, `@torch.jit.unused`, `@torch.jit.export`, `@torch.compiler.disable` (with or without arguments):
 * outside scripting and compiling they return the function as it is, and MindSpore has nothing for them to do;
 * the decorator line goes (safe).
 */
function dropDecoratorFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (!/^torch\.(jit\.(ignore|unused|export)|compiler\.disable)$/.test(use.qname)) return undefined;
  const deco = use.context === 'decorator' ? use.node.parent : use.call?.parent;
  const expr = deco?.namedChildren.find((c) => c && c.type !== 'comment');
  if (deco?.type !== 'decorator' || !expr || !ownsLines(ctx.text, deco) || expr.text.includes('#')) return undefined;
  // a comment after it on its line stays, on a line of its own
  const comment = /#.*/.exec(ctx.text.slice(expr.endIndex, lineEndOf(ctx.text, expr.endIndex)))?.[0];
  const start = lineStartOf(ctx.text, deco.startIndex);
  const end = lineEndWithBreak(ctx.text, deco.endIndex);
  const nl = ctx.text.slice(lineEndOf(ctx.text, deco.endIndex), end);
  return {
    title: `Remove the @${use.qname} decorator (nothing to do in MindSpore)`,
    applicability: 'safe',
    edits: [{ start, end, newText: comment ? `${indentAt(ctx.text, deco.startIndex)}${comment}${nl}` : '' }],
  };
}

export const msp206Rule: Rule = {
  codes: ['MSP206'],
  order: 20,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP206', (q) => COMPILERS.test(q) || ruleOwned(ctx, 'MSP206', q));
    if (!ctx.enabled('MSP206')) return;
    for (const use of uses) {
      const fix = decoratorFix(ctx, use) ?? unwrapFix(use) ?? dropDecoratorFix(ctx, use);
      // TorchScript annotations: the lead says all, and the database adds what to do; compilers: graph mode
      const annotation = /ignore|export|unused/.test(use.qname);
      const lead = annotation
        ? `${tick(use.qname)}: TorchScript annotations have no role in MindSpore; code outside construct is plain Python, and ms.jit compiles only what it decorates.`
        : `${tick(use.qname)} → graph mode.`;
      reportAdvice(ctx, 'MSP206', use, lead, {
        fixes: fix ? [fix] : [],
        node: use.context === 'decorator' ? use.node : undefined,
        fallback: annotation ? undefined : 'ms.set_context(mode=ms.GRAPH_MODE) for the network, or @ms.jit on a function.',
        tail: annotation ? undefined : CONSTRAINTS,
      });
    }
  },
};
