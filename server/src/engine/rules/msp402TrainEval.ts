// MSP402: model.train() / model.eval() → model.set_train(True) / model.set_train(False).
import type { Rule } from './types';
import { callArgs, claimUses, reportAdvice, ruleOwned, tick } from './util';

export const msp402Rule: Rule = {
  codes: ['MSP402'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP402', (q) => /^torch\.nn\.Module\.(train|eval)$/.test(q) || ruleOwned(ctx, 'MSP402', q), (u) => u.via === 'method');
    if (!ctx.enabled('MSP402')) return;
    for (const use of uses) {
      const isEval = use.nameNode.text === 'eval';
      const args = callArgs(use.call);
      let fixes = [];
      if (use.call && args && !args.hasSplat && args.all.length <= 1 && (args.all.length === 0 || args.positional.length === 1 || args.keywords.has('mode'))) {
        const mode = isEval ? 'False' : args.keywords.get('mode')?.value.text ?? args.positional[0]?.text ?? 'True';
        if (!(isEval && args.all.length)) {
          fixes.push({
            title: `Use set_train(${mode})`,
            applicability: use.confidence === 'high' ? ('safe' as const) : ('unsafe' as const),
            edits: [{ start: use.nameNode.startIndex, end: use.call.endIndex, newText: `set_train(${mode})` }],
          });
        }
      }
      reportAdvice(ctx, 'MSP402', use, `${tick(`.${use.nameNode.text}()`)} → ${tick(`.set_train(${isEval ? 'False' : 'True'})`)}: a Cell's training mode (Dropout, BatchNorm) is set with set_train.`, { fixes, withAdvice: false });
      fixes = [];
    }
  },
};
