// torch's classes as their public names. Code sometimes reaches them through the modules that define them
// (`from torch.amp.grad_scaler import GradScaler`, `torch.nn.modules.linear.Linear`); the mapping database and the
// rules know them by the names torch documents (`torch.amp.GradScaler`, `torch.nn.Linear`).

/** Defining modules → the public module their classes are documented in ($1: a captured part kept). */
const DEFINED_IN: readonly [RegExp, string][] = [
  [/^torch\.nn\.modules\.(?:\w+\.)?(?=[A-Z])/, 'torch.nn.'],
  [/^torch\.nn\.parameter\.(?=[A-Z])/, 'torch.nn.'],
  [/^torch\.optim\.(?:adam|adamw|sgd|rmsprop|adagrad|adadelta|adamax|nadam|radam|lbfgs|asgd|rprop|sparse_adam|optimizer)\.(?=[A-Z])/, 'torch.optim.'],
  [/^torch\.(cuda\.|cpu\.)?amp\.(?:grad_scaler|autocast_mode)\./, 'torch.$1amp.'],
  [/^torch\.utils\.data\.(?:dataloader|dataset|sampler)\.(?=[A-Z])/, 'torch.utils.data.'],
  [/^torch\.nn\.parallel\.(?:distributed|data_parallel)\.(?=[A-Z])/, 'torch.nn.parallel.'],
];
/** Whether a name may be one of those (one test: names are made for every attribute of a torch name). */
const MAYBE = /^torch\.(?:nn\.(?:modules|parameter|parallel)|optim\.[a-z_]+|(?:cuda\.|cpu\.)?amp\.(?:grad_scaler|autocast_mode)|utils\.data\.(?:dataloader|dataset|sampler))\./;

/** Public aliases of classes documented elsewhere. */
const ALIASES = new Map([['torch.utils.data.DistributedSampler', 'torch.utils.data.distributed.DistributedSampler']]);

/** The public name of a torch name (itself when it has no other). */
export function publicName(qname: string): string {
  if (!MAYBE.test(qname)) return ALIASES.get(qname) ?? qname;
  for (const [re, to] of DEFINED_IN) if (re.test(qname)) return qname.replace(re, to);
  return qname;
}
