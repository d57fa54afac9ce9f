// MSP405: Dataset / DataLoader. MindSpore wraps any random-access Python source in
// mindspore.dataset.GeneratorDataset(source, column_names, shuffle) and batches with .batch(bs, drop_remainder=True)
// (fixed batch shapes keep graph mode from recompiling); num_workers → num_parallel_workers.
import type { Twin } from '../../mappings/schema';
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { assignedValue, callArgs, claimUses, findAll, reportAdvice, ruleOwned, scopeNode, tick, twinRenameFix } from './util';

const DATASETS = /^torch\.utils\.data\.(Dataset|IterableDataset)$/;

function baseRemoval(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const supers = use.node.parent;
  if (use.context !== 'base' || supers?.type !== 'argument_list') return undefined;
  const all = supers.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  let edit: TextEdit;
  if (all.length === 1) edit = { start: supers.startIndex, end: supers.endIndex, newText: '' };
  else {
    const i = all.findIndex((a) => a.id === use.node.id);
    edit = i < all.length - 1 ? { start: use.node.startIndex, end: all[i + 1].startIndex, newText: '' } : { start: all[i - 1].endIndex, end: use.node.endIndex, newText: '' };
  }
  void ctx;
  return { title: 'Make it a plain Python class (GeneratorDataset wraps it)', applicability: 'unsafe', edits: [edit] };
}

/** Column names from the `return a, b` of the dataset class's __getitem__. */
function columns(ctx: RuleContext, dataset: Node): string[] | undefined {
  let expr: Node | undefined = dataset;
  if (expr.type === 'identifier') expr = assignedValue(scopeNode(expr), expr.text, expr.startIndex);
  if (expr?.type !== 'call') return undefined;
  const clsName = expr.childForFieldName('function')?.text;
  const cls = ctx.resolution.classes.find((c) => c.name === clsName);
  const getitem = cls?.methods.get('__getitem__');
  if (!getitem) return undefined;
  const rets = findAll(getitem, (n) => n.type === 'return_statement');
  let cols: string[] | undefined;
  for (const r of rets) {
    const v = r.namedChildren[0];
    if (!v) return undefined;
    const items = v.type === 'expression_list' || v.type === 'tuple' ? v.namedChildren.filter((c): c is Node => !!c) : [v];
    const nameOf = (it: Node): string | undefined =>
      it.type === 'identifier' ? it.text : it.type === 'attribute' ? it.childForFieldName('attribute')?.text : it.type === 'subscript' ? nameOf(it.childForFieldName('value')!) : undefined;
    const names = items.map((it, i) => nameOf(it) ?? `col${i}`);
    if (cols && cols.length !== names.length) return undefined;
    cols ??= names;
  }
  if (!cols || new Set(cols).size !== cols.length) return cols?.map((_, i) => `col${i}`);
  return cols;
}

function loaderFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.qname !== 'torch.utils.data.DataLoader' || use.context !== 'call' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.positional.length > 3) return undefined;
  const allowed = ['dataset', 'batch_size', 'shuffle', 'num_workers', 'drop_last', 'pin_memory', 'persistent_workers', 'prefetch_factor'];
  for (const k of args.keywords.keys()) if (!allowed.includes(k)) return undefined;
  const ds = args.keywords.get('dataset')?.value ?? args.positional[0];
  if (!ds) return undefined;
  const cols = columns(ctx, ds);
  if (!cols) return undefined;
  const bs = args.keywords.get('batch_size')?.value.text ?? args.positional[1]?.text ?? '1';
  const shuffle = args.keywords.get('shuffle')?.value.text ?? args.positional[2]?.text ?? 'False';
  const workers = args.keywords.get('num_workers')?.value.text;
  const plan = ctx.imports.plan('mindspore.dataset.GeneratorDataset');
  const parts = [ds.text, `column_names=[${cols.map((c) => JSON.stringify(c)).join(', ')}]`, `shuffle=${shuffle}`];
  if (workers && workers !== '0') parts.push(`num_parallel_workers=${workers}`);
  const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: `${plan.expr}(${parts.join(', ')}).batch(${bs}, drop_remainder=True)` }];
  if (plan.edit) edits.push(plan.edit);
  return { title: 'Use GeneratorDataset(...).batch(..., drop_remainder=True)', applicability: 'unsafe', edits };
}

/** MindSpore's torch-like loader module (2.10 on): torch's DataLoader, Dataset, ... with torch's arguments. */
const TORCH_LIKE = 'mindspore.dataset.dataloader.';

/**
 * The twin from `mindspore.dataset.dataloader` the target chooses for a use (MindSpore 2.10 on; `targetApi: classic`
 * keeps GeneratorDataset), if any.
 */
export function torchLikeTwin(ctx: RuleContext, use: ApiUse): Twin | undefined {
  const entry = ctx.entryOf(use);
  const twin = entry ? ctx.db.choose(entry, ctx.target).twin : undefined;
  return twin?.api.startsWith(TORCH_LIKE) ? twin : undefined;
}

/** `DataLoader(...)` → `dataloader.DataLoader(...)`, the same call: safe unless a difference applies to what it passes. */
function torchLikeReport(ctx: RuleContext, use: ApiUse, twin: Twin): void {
  const args = use.call ? callArgs(use.call) : undefined;
  const differing = (twin.args ?? []).filter((d) => d.torch && args?.keywords.has(d.torch));
  const fix = twinRenameFix(ctx, use, use.confidence === 'high' && differing.length === 0 && !args?.hasSplat ? 'safe' : 'unsafe');
  const notes = [...differing.map((d) => `${tick(d.torch!)}: ${d.note ?? 'differs'}`), ...(twin.note && use.context === 'call' ? [twin.note] : [])];
  reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)} → ${tick(twin.api)}, from MindSpore 2.10's torch-like data loading${notes.length ? `: ${notes.join('; ')}` : ' (the same)'}.`, {
    fixes: fix ? [fix] : [],
    withAdvice: false,
    severity: 'info',
  });
}

export const msp405Rule: Rule = {
  codes: ['MSP405'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP405', (q) => DATASETS.test(q) || q === 'torch.utils.data.DataLoader' || q === 'torch.utils.data.TensorDataset' || ruleOwned(ctx, 'MSP405', q));
    if (!ctx.enabled('MSP405')) return;
    for (const use of uses) {
      const torchLike = torchLikeTwin(ctx, use);
      if (torchLike) torchLikeReport(ctx, use, torchLike);
      else if (DATASETS.test(use.qname)) {
        const fix = baseRemoval(ctx, use);
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)}: MindSpore needs no dataset base class.`, {
          fixes: fix ? [fix] : [],
          fallback: `Any object with __getitem__ and __len__ (or an iterable) is wrapped by ${tick('mindspore.dataset.GeneratorDataset(source, column_names=[...])')}; return NumPy arrays from __getitem__.`,
        });
      } else if (use.qname === 'torch.utils.data.DataLoader') {
        const fix = loaderFix(ctx, use);
        reportAdvice(ctx, 'MSP405', use, `${tick('DataLoader')} → ${tick('GeneratorDataset(source, column_names, shuffle=..., num_parallel_workers=...).batch(batch_size, drop_remainder=True)')}: fixed batch shapes keep graph mode from recompiling (the last partial batch is dropped); num_workers becomes num_parallel_workers; for data parallel pass num_shards/shard_id.`, { fixes: fix ? [fix] : [], withAdvice: false });
      } else {
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)}: build the source in NumPy and wrap it with ${tick('GeneratorDataset')} (or NumpySlicesDataset).`);
      }
    }
  },
};
