// MSP405: Dataset / DataLoader. MindSpore wraps any random-access Python source in
// mindspore.dataset.GeneratorDataset(source, column_names, shuffle) and batches with .batch(bs, drop_remainder=True)
// (fixed batch shapes keep graph mode from recompiling); num_workers → num_parallel_workers.
import { isTorchLikeData, type MappedEntry } from '../../mappings/database';
import type { Twin } from '../../mappings/schema';
import { removeArgumentEdit } from '../edits';
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import { classRows, rowNames } from '../datasetRows';
import { hintTypeFix } from './annotationTypes';
import type { Rule, RuleContext } from './types';
import { assignedValue, callArgs, claimUses, mindsporeNamer, reportAdvice, ruleOwned, scopeNode, tick, twinRenameFix } from './util';

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

/**
 * Column names from the `return a, b` of the dataset class's __getitem__: the class of a known dataset instance (this
 * file's, or one imported from the project: `self.data_train`, `train_set`), else of the call a name is assigned.
 */
function columns(ctx: RuleContext, dataset: Node): string[] | undefined {
  const cls = ctx.resolution.instances.get(dataset.id)?.cls;
  const rows = cls ? classRows(cls) : undefined;
  if (rows) return [...rows];
  let expr: Node | undefined = dataset;
  if (expr.type === 'identifier') expr = assignedValue(scopeNode(expr), expr.text, expr.startIndex);
  if (expr?.type !== 'call') return undefined;
  const clsName = expr.childForFieldName('function')?.text;
  const getitem = ctx.resolution.classes.find((c) => c.name === clsName)?.methods.get('__getitem__');
  return getitem ? rowNames(getitem) : undefined;
}

const DISTRIBUTED_SAMPLER = 'torch.utils.data.distributed.DistributedSampler';

/**
 * `sampler=DistributedSampler(ds, ...)` (or a name assigned one) as GeneratorDataset's own sharding: `num_shards`,
 * `shard_id` (the sampler's num_replicas/rank, else the communication group's size and rank) and its `shuffle`
 * (torch's default True). Undefined for any other sampler, or one given drop_last, seed or a spread.
 */
function shardingOf(ctx: RuleContext, sampler: Node, edits: TextEdit[]): string[] | undefined {
  let expr: Node | undefined = sampler;
  if (expr.type === 'identifier') expr = assignedValue(scopeNode(expr), expr.text, expr.startIndex);
  if (expr?.type !== 'call') return undefined;
  const callee = expr.childForFieldName('function');
  if (!callee || !ctx.resolution.uses.some((u) => u.qname === DISTRIBUTED_SAMPLER && u.node.id === callee.id)) return undefined;
  const args = callArgs(expr);
  if (!args || args.hasSplat || args.keywords.has('drop_last') || args.keywords.has('seed') || args.positional.length > 4) return undefined;
  const arg = (name: string, pos: number) => args.keywords.get(name)?.value.text ?? args.positional[pos]?.text;
  const ms = mindsporeNamer(ctx, edits);
  return [
    `num_shards=${arg('num_replicas', 1) ?? `${ms('mindspore.communication.get_group_size')}()`}`,
    `shard_id=${arg('rank', 2) ?? `${ms('mindspore.communication.get_rank')}()`}`,
    `shuffle=${arg('shuffle', 3) ?? 'True'}`,
  ];
}

/** Why a torch argument keeps a DataLoader call from the rewrite (what GeneratorDataset has instead, if anything). */
const UNSUPPORTED_LOADER_ARGS: Readonly<Record<string, string>> = {
  collate_fn:
    "it passes a `collate_fn`, which receives samples while GeneratorDataset's `.batch(per_batch_map=...)` receives columns (MindSpore 2.10's `mindspore.dataset.dataloader.DataLoader` takes `collate_fn` as it is: target 2.10 for that rename)",
  worker_init_fn: 'it passes a `worker_init_fn`, which GeneratorDataset has no counterpart for',
  generator: 'it passes a `torch.Generator` (seed MindSpore with `ms.set_seed` / `ds.config.set_seed` instead)',
  timeout: 'it passes a `timeout`, which GeneratorDataset has no counterpart for',
  batch_sampler: "it passes a `batch_sampler`: GeneratorDataset's `.batch()` makes batches of a fixed size",
  multiprocessing_context: 'it passes a `multiprocessing_context` (GeneratorDataset chooses with `python_multiprocessing=`)',
};

type LoaderResult = { fix: Fix } | { why: string };

function loaderFix(ctx: RuleContext, use: ApiUse): LoaderResult | undefined {
  if (use.qname !== 'torch.utils.data.DataLoader' || use.context !== 'call' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args) return undefined;
  if (args.hasSplat) return { why: 'the call passes `*args` / `**kwargs`, which the rewrite cannot see into' };
  if (args.positional.length > 3) return { why: 'it passes more than three arguments by position' };
  const allowed = ['dataset', 'batch_size', 'shuffle', 'sampler', 'num_workers', 'drop_last', 'pin_memory', 'persistent_workers', 'prefetch_factor'];
  // an argument given its default (`collate_fn=None`) changes nothing
  const defaults: Record<string, string> = { collate_fn: 'None', worker_init_fn: 'None', generator: 'None', batch_sampler: 'None', multiprocessing_context: 'None', timeout: '0' };
  for (const [k, v] of args.keywords) {
    if (!allowed.includes(k) && defaults[k] !== v.value.text) return { why: UNSUPPORTED_LOADER_ARGS[k] ?? `it passes \`${k}\`, which the rewrite does not carry over` };
  }
  const ds = args.keywords.get('dataset')?.value ?? args.positional[0];
  if (!ds) return { why: 'it names no dataset' };
  const cols = columns(ctx, ds);
  if (!cols) {
    return {
      why: `the columns of \`${ds.text.length > 40 ? 'the dataset' : ds.text}\` are not known (GeneratorDataset needs \`column_names\`: they are read from what the dataset class's \`__getitem__\` returns, when its class is found in this file or the project)`,
    };
  }
  const edits: TextEdit[] = [];
  const sampler = args.keywords.get('sampler')?.value;
  const sharding = sampler && sampler.type !== 'none' ? shardingOf(ctx, sampler, edits) : undefined;
  if (sampler && sampler.type !== 'none' && !sharding) {
    return { why: 'its `sampler` is not a `DistributedSampler` the rewrite can turn into `num_shards` / `shard_id` (samplers with `drop_last` or `seed` included)' };
  }
  const bs = args.keywords.get('batch_size')?.value.text ?? args.positional[1]?.text ?? '1';
  const workers = args.keywords.get('num_workers')?.value.text;
  // torch keeps the last partial batch by default; a fixed batch shape keeps graph mode from recompiling, so the
  // rewrite drops it unless the call says drop_last=... itself
  const dropLast = args.keywords.get('drop_last')?.value.text ?? 'True';
  const plan = ctx.imports.plan('mindspore.dataset.GeneratorDataset');
  const parts = [ds.text, `column_names=[${cols.map((c) => JSON.stringify(c)).join(', ')}]`];
  // with a sampler torch's own shuffle is False: the order is the sampler's
  parts.push(...(sharding ?? [`shuffle=${args.keywords.get('shuffle')?.value.text ?? args.positional[2]?.text ?? 'False'}`]));
  if (workers && workers !== '0') parts.push(`num_parallel_workers=${workers}`);
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: `${plan.expr}(${parts.join(', ')}).batch(${bs}, drop_remainder=${dropLast})` });
  if (plan.edit) edits.push(plan.edit);
  return { fix: { title: 'Use GeneratorDataset(...).batch(..., drop_remainder=...)', applicability: 'unsafe', edits } };
}

/**
 * The twin from `mindspore.dataset.dataloader` the target chooses for a torch API (MindSpore 2.10 on; `targetApi:
 * classic` keeps GeneratorDataset), if any.
 */
function torchLikeTwinOf(ctx: RuleContext, entry: MappedEntry | undefined): Twin | undefined {
  const twin = entry ? ctx.db.choose(entry, ctx.target).twin : undefined;
  return isTorchLikeData(twin) ? twin : undefined;
}

/** `DataLoader(...)` → `dataloader.DataLoader(...)`, the same call: safe unless a difference applies to what it passes. */
function torchLikeReport(ctx: RuleContext, use: ApiUse, twin: Twin): void {
  const args = use.call ? callArgs(use.call) : undefined;
  const passed = (twin.args ?? []).filter((d) => d.torch && args?.keywords.has(d.torch));
  // an argument MindSpore's loader does not have and that changes nothing there (pin_memory_device) goes; any other
  // difference passed (a torch.Generator) makes the rename unsafe
  const dropped = passed.filter((d) => d.change === 'dropped');
  const differing = passed.filter((d) => d.change !== 'dropped');
  const fix = twinRenameFix(ctx, use, use.confidence === 'high' && differing.length === 0 && !args?.hasSplat ? 'safe' : 'unsafe');
  if (fix && args) for (const d of dropped) fix.edits.push(removeArgumentEdit(args.list, args.keywords.get(d.torch!)!.arg));
  const notes = [...passed.map((d) => `${tick(d.torch!)}: ${d.note ?? 'differs'}`), ...(twin.note && use.context === 'call' ? [twin.note] : [])];
  reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)} → ${tick(twin.api)}, from MindSpore 2.10's torch-like data loading${notes.length ? `: ${notes.join('; ')}` : ' (the same)'}.`, {
    fixes: fix ? [fix] : [],
    withAdvice: false,
    severity: 'info',
  });
}

/** torch samplers the dataset engine has (mindspore.dataset.*) and 2.10's torch-like module does not. */
const ENGINE_SAMPLERS = /^torch\.utils\.data\.(WeightedRandomSampler|SubsetRandomSampler)$/;


export const msp405Rule: Rule = {
  codes: ['MSP405'],
  order: 40,
  check(ctx) {
    // the engine's samplers are MSP405's only where the loader is the torch-like one, which cannot iterate them
    const torchLikeTarget = !!torchLikeTwinOf(ctx, ctx.db.get('torch.utils.data.DataLoader'));
    const uses = claimUses(
      ctx,
      'MSP405',
      (q) => DATASETS.test(q) || q === 'torch.utils.data.DataLoader' || q === 'torch.utils.data.TensorDataset' || ENGINE_SAMPLERS.test(q) || ruleOwned(ctx, 'MSP405', q),
      (u) => torchLikeTarget || !ENGINE_SAMPLERS.test(u.qname),
    );
    if (!ctx.enabled('MSP405')) return;
    for (const use of uses) {
      const torchLike = torchLikeTwinOf(ctx, ctx.entryOf(use));
      if (torchLike) torchLikeReport(ctx, use, torchLike);
      else if (ENGINE_SAMPLERS.test(use.qname)) {
        const name = use.qname.slice(use.qname.lastIndexOf('.') + 1);
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)}: MindSpore 2.10's ${tick('mindspore.dataset.dataloader')} has no ${name}, and the dataset engine's (${tick(`mindspore.dataset.${name}`)}) cannot be iterated, as its DataLoader iterates a sampler: subclass ${tick('mindspore.dataset.dataloader.Sampler')} with an ${tick('__iter__')} that draws the indices with NumPy (${name === 'WeightedRandomSampler' ? 'numpy.random.choice with p= the weights' : 'a permutation of the given indices'}).`, { withAdvice: false });
      }
      else if (use.context === 'annotation') {
        // a type hint (`self.data_train: Optional[Dataset] = None`) computes nothing: a short hint of what the value becomes
        const becomes = use.qname === 'torch.utils.data.DataLoader' ? `a MindSpore dataset (${tick('mindspore.dataset.Dataset')}, what ${tick('GeneratorDataset(...).batch(...)')} returns)` : 'a plain Python class that GeneratorDataset wraps';
        const fix = hintTypeFix(ctx, use);
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)} in a type hint: in MindSpore the value is ${becomes}.`, { severity: 'hint', withAdvice: false, fixes: fix ? [fix] : [] });
      } else if (DATASETS.test(use.qname)) {
        const fix = baseRemoval(ctx, use);
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)}: MindSpore needs no dataset base class.`, {
          fixes: fix ? [fix] : [],
          fallback: `Any object with __getitem__ and __len__ (or an iterable) is wrapped by ${tick('mindspore.dataset.GeneratorDataset(source, column_names=[...])')}; return NumPy arrays from __getitem__.`,
        });
      } else if (use.qname === 'torch.utils.data.DataLoader') {
        const result = loaderFix(ctx, use);
        const fix = result && 'fix' in result ? result.fix : undefined;
        // a sampler held in a name is consumed by the rewrite: the name and its set_epoch calls are left to delete
        const sampler = fix ? callArgs(use.call)?.keywords.get('sampler')?.value : undefined;
        const leftover = sampler?.type === 'identifier' ? ` ${tick(sampler.text)} is then unused: delete it and its set_epoch calls (the dataset shards and reshuffles every epoch itself), since torch's sampler needs torch's process group.` : '';
        const why = result && 'why' in result ? ` No fix: ${result.why}.` : '';
        reportAdvice(ctx, 'MSP405', use, `${tick('DataLoader')} → ${tick('GeneratorDataset(source, column_names, shuffle=..., num_parallel_workers=...).batch(batch_size, drop_remainder=...)')}: fixed batch shapes keep graph mode from recompiling, so the last partial batch is dropped unless the call says drop_last=False; num_workers becomes num_parallel_workers; for data parallel pass num_shards/shard_id.${leftover}${why}`, { fixes: fix ? [fix] : [], withAdvice: false });
      } else {
        reportAdvice(ctx, 'MSP405', use, `${tick(use.qname)}: build the source in NumPy and wrap it with ${tick('GeneratorDataset')} (or NumpySlicesDataset).`);
      }
    }
  },
};
