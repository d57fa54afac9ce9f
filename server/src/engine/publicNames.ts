// torch's (and timm's, torchvision's) classes as their public names. Code sometimes reaches them through the modules that define them
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

/** Other names of classes and functions documented under one name (old names, re-exports). */
const ALIASES = new Map([
  ['torch.utils.data.DistributedSampler', 'torch.utils.data.distributed.DistributedSampler'],
  ['torch.optim.lr_scheduler._LRScheduler', 'torch.optim.lr_scheduler.LRScheduler'],
  ['timm.models.vision_transformer.trunc_normal_', 'timm.models.layers.trunc_normal_'],
  ['timm.models.layers.weight_init.trunc_normal_', 'timm.models.layers.trunc_normal_'],
  ['timm.layers.weight_init.trunc_normal_', 'timm.layers.trunc_normal_'],
]);
/** torchvision's transforms are defined in torchvision.transforms.transforms and documented one level up. */
const TV_TRANSFORMS = /^torchvision\.transforms\.transforms\.(?=[A-Z])/;

/** The public name of a torch name (itself when it has no other). */
export function publicName(qname: string): string {
  if (!MAYBE.test(qname)) return ALIASES.get(qname) ?? (TV_TRANSFORMS.test(qname) ? qname.replace(TV_TRANSFORMS, 'torchvision.transforms.') : qname);
  for (const [re, to] of DEFINED_IN) if (re.test(qname)) return qname.replace(re, to);
  return ALIASES.get(qname) ?? qname;
}
