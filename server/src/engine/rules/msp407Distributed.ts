// MSP407: torch.distributed / DistributedDataParallel / DistributedSampler. MindSpore data parallelism:
// mindspore.communication.init(), ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL,
// gradients_mean=True), dataset sharding (num_shards/shard_id), launched with msrun.
import { TORCH_LIKE_DATA } from '../../mappings/database';
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { hintTypeFix } from './annotationTypes';
import { callArgs, callStatement, claimUses, eol, indentAt, reportAdvice, ruleOwned, tick, twinRenameFix } from './util';

const OWNED = /^torch\.(distributed\.|nn\.(parallel\.)?(DistributedDataParallel|DataParallel)$|utils\.data\.distributed\.|multiprocessing\.spawn$)/;
const LAUNCH = 'Launch with msrun (e.g. `msrun --worker_num=8 --local_worker_num=8 train.py`).';
const COLLECTIVE = /all_reduce|all_gather|broadcast|reduce_scatter/;
const IN_PLACE = /\.(all_reduce|broadcast|reduce)$/;

/**
 * The target's twin when it behaves the same and runs on the target: `mindspore.mint.distributed`'s functions (2.5+,
 * Ascend), `ops.ReduceOp`'s members.
 */
function sameTwin(ctx: RuleContext, use: ApiUse): string | undefined {
  const entry = ctx.entryOf(use);
  const choice = entry ? ctx.db.choose(entry, ctx.target) : undefined;
  const twin = choice?.twin;
  return twin && !choice.uncovered && twin.status === 'same' ? twin.api : undefined;
}

function initFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (!use.call) return undefined;
  const stmt = callStatement(use.call);
  if (!stmt) return undefined;
  const init = ctx.imports.plan('mindspore.communication.init');
  const ctxPlan = ctx.imports.plan('mindspore.set_auto_parallel_context');
  const mode = ctx.imports.plan('mindspore.ParallelMode');
  const nl = eol(ctx.text);
  const ind = indentAt(ctx.text, stmt.startIndex);
  const edits: TextEdit[] = [
    { start: use.call.startIndex, end: use.call.endIndex, newText: `${init.expr}()${nl}${ind}${ctxPlan.expr}(parallel_mode=${mode.expr}.DATA_PARALLEL, gradients_mean=True)` },
  ];
  for (const p of [init, ctxPlan, mode]) if (p.edit) edits.push(p.edit);
  return { title: 'Use communication.init() and a data-parallel context', applicability: 'unsafe', edits };
}

function ddpFix(use: ApiUse): Fix | undefined {
  const args = callArgs(use.call);
  const model = args?.keywords.get('module')?.value ?? args?.positional[0];
  if (!use.call || !model || args?.hasSplat) return undefined;
  return { title: 'Keep the model itself (data parallelism comes from the parallel context)', applicability: 'unsafe', edits: [{ start: use.call.startIndex, end: use.call.endIndex, newText: model.text }] };
}

export const msp407Rule: Rule = {
  codes: ['MSP407'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP407', (q) => OWNED.test(q) || ruleOwned(ctx, 'MSP407', q));
    if (!ctx.enabled('MSP407')) return;
    for (const use of uses) {
      if (use.context === 'annotation' && /^torch\.distributed\./.test(use.qname)) {
        // a type hint (`group: Optional[ProcessGroup] = None`) computes nothing: a short hint
        const group = /ProcessGroup$/.test(use.qname);
        const fix = hintTypeFix(ctx, use);
        reportAdvice(ctx, 'MSP407', use, `${tick(use.qname)} is a torch.distributed type${group ? ': MindSpore names communication groups by strings (mindspore.communication.create_group), so the hint is `str`' : ''}.`, {
          severity: 'hint',
          withAdvice: false,
          fixes: fix ? [fix] : [],
        });
        continue;
      }
      let fix: Fix | undefined;
      let lead: string;
      let tail: string | undefined;
      let withAdvice = true; // false where the lead already says what to do
      let severity: 'info' | undefined;
      const q = use.qname;
      const same = sameTwin(ctx, use);
      if (q === 'torch.distributed.init_process_group') {
        fix = initFix(ctx, use);
        lead = `${tick(q)} → ${tick('mindspore.communication.init()')} plus ${tick('ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)')}.`;
        tail = LAUNCH;
        withAdvice = false;
      } else if (/DistributedDataParallel|DataParallel/.test(q)) {
        // the wrapper's constructor only: `FSDP.state_dict_type(model, ...)` is a context manager, not a wrapper
        fix = use.context === 'call' && /DataParallel$/.test(q) ? ddpFix(use) : undefined;
        lead = /DataParallel$/.test(q)
          ? `${tick(q)}: no wrapper in MindSpore — the data-parallel context averages gradients (with a functional step, wrap grads with nn.DistributedGradReducer).`
          : `${tick(q)}: no wrapper in MindSpore, so nothing of the wrapper's to call: with data parallelism every device holds the whole network, whose parameters are the full state (ms.save_checkpoint(net, path)); drop the call, keeping what it wraps.`;
        tail = LAUNCH;
      } else if (same?.startsWith(TORCH_LIKE_DATA)) {
        // MindSpore 2.10's torch-like sampler: torch's arguments, and set_epoch as in torch
        const method = use.via === 'method';
        fix = method ? undefined : twinRenameFix(ctx, use, use.confidence === 'high' ? 'safe' : 'unsafe');
        lead = method
          ? `${tick(q)}: keep it — ${tick(same.slice(0, same.lastIndexOf('.')))} has it too, so it works once the sampler is MindSpore's.`
          : `${tick(q)} → ${tick(same)}, from MindSpore 2.10's torch-like data loading: the same sampler; without num_replicas/rank it reads MindSpore's communication group, so mindspore.communication.init() must run first.`;
        withAdvice = false;
        severity = 'info';
      } else if (q === 'torch.utils.data.distributed.DistributedSampler.set_epoch') {
        // no fix: deleting it is right only once the loader is a MindSpore dataset, and while torch's sampler stays
        // its order changes only through set_epoch (deleted first, every epoch would repeat the first one's order)
        lead = `${tick(q)}:`;
      } else if (q.startsWith('torch.utils.data.distributed.')) {
        lead = `${tick(q)} → shard the dataset: ${tick('GeneratorDataset(..., num_shards=get_group_size(), shard_id=get_rank())')}.`;
        withAdvice = false;
      } else if (same) {
        // MindSpore 2.5+ on Ascend: mint.distributed has torch's functions, collectives in place as in torch
        // a reduction MindSpore's ReduceOp lacks (AVG, BAND, ...): renaming the call would pass torch's op and raise
        const op = use.call ? callArgs(use.call)?.keywords.get('op')?.value ?? callArgs(use.call)?.positional[1] : undefined;
        const foreignOp = !!op && /\bReduceOp\.(?!SUM\b|MAX\b|MIN\b|PRODUCT\b|PROD\b)\w+$/.test(op.text);
        fix = foreignOp ? undefined : twinRenameFix(ctx, use, use.confidence === 'high' ? 'safe' : 'unsafe');
        const what = same.startsWith('mindspore.mint.distributed.') ? "the same function in MindSpore's torch-like distributed API" : 'the same';
        lead =
          `${tick(q)} → ${tick(same)}: ${what}${IN_PLACE.test(q) ? ' (it updates the tensor in place, as torch does)' : ''}.` +
          (foreignOp ? ` MindSpore has no ${tick(op!.text.slice(op!.text.lastIndexOf('.') + 1))} reduction: reduce with SUM, then divide by the group size.` : '');
        withAdvice = false;
      } else if (COLLECTIVE.test(q)) {
        lead = `${tick(q)}: collectives are operators in MindSpore (ops.AllReduce(), ops.AllGather(), ...) and return new Tensors instead of updating in place.`;
      } else if (q === 'torch.multiprocessing.spawn') {
        lead = `${tick(q)}: MindSpore starts one process per device with msrun; no spawning in the script.`;
        tail = LAUNCH;
      } else {
        fix = twinRenameFix(ctx, use);
        lead = `${tick(q)}: MindSpore's process-group functions (get_rank, get_group_size, ...) are in mindspore.communication.`;
      }
      reportAdvice(ctx, 'MSP407', use, lead, { fixes: fix ? [fix] : [], withAdvice, tail, severity });
    }
  },
};
