// torch's classes as their public names. Code sometimes imports them from the modules that define them
// (`from torch.amp.grad_scaler import GradScaler`, `from torch.nn.modules.linear import Linear`); the mapping
// database and the rules know them by the names torch documents (`torch.amp.GradScaler`, `torch.nn.Linear`).

/** Defining modules → the public module their classes are documented in ($1: a captured part kept). */
const DEFINED_IN: readonly [RegExp, string][] = [
  [/^torch\.nn\.modules\.(?:\w+\.)?(?=[A-Z])/, 'torch.nn.'],
  [/^torch\.nn\.parameter\.(?=[A-Z])/, 'torch.nn.'],
  [/^torch\.optim\.(?:adam|adamw|sgd|rmsprop|adagrad|adadelta|adamax|nadam|radam|lbfgs|asgd|rprop|sparse_adam|optimizer)\.(?=[A-Z])/, 'torch.optim.'],
  [/^torch\.(cuda\.|cpu\.)?amp\.(?:grad_scaler|autocast_mode)\./, 'torch.$1amp.'],
  [/^torch\.utils\.data\.(?:dataloader|dataset|sampler)\.(?=[A-Z])/, 'torch.utils.data.'],
  [/^torch\.nn\.parallel\.(?:distributed|data_parallel)\.(?=[A-Z])/, 'torch.nn.parallel.'],
];

/** The public name of an imported torch name (itself when it has no other). */
export function publicName(qname: string): string {
  if (!qname.startsWith('torch.')) return qname;
  for (const [re, to] of DEFINED_IN) if (re.test(qname)) return qname.replace(re, to);
  return qname;
}
