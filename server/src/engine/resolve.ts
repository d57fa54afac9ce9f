// Name resolution: walks a Python syntax tree once, in statement order, keeping scopes of what each name is
// bound to, and records every use of a tracked library (torch and friends) with its fully-qualified name.
// It also infers which expressions are tensors or torch module instances, so that `x.view(...)` resolves to
// `torch.Tensor.view` and `self.fc(x)` to the `torch.nn.Linear` assigned in `__init__`.
import { definitionOf, functionNameOf } from './definitions';
import { publicName } from './publicNames';
import type { Node, Tree } from './parser';

/** Top-level packages whose uses are recorded. */
export const TRACKED_ROOTS = new Set([
  'torch',
  'torchvision',
  'torchaudio',
  'torchtext',
  'torch_scatter',
  'torch_geometric',
  'torch_npu',
  'dgl',
  'einops',
  'timm',
  'apex',
  'numpy',
]);

export type Confidence = 'high' | 'low';

/** What an expression is known to be. */
export type Value =
  /** A module, function, class or constant of an imported package: `torch.nn`, `torch.nn.functional.relu`. */
  | { kind: 'name'; qname: string }
  /** An instance of a class: `torch.Tensor`, `torch.nn.Linear`, `torch.optim.Adam`, or a user `nn.Module` subclass. */
  | { kind: 'instance'; qname: string; confidence: Confidence; cls?: ClassInfo; self?: boolean }
  /** A class defined in this file that derives (directly or not) from a tracked class. */
  | { kind: 'class'; cls: ClassInfo }
  /**
   * A function of the project that returns a module (or another instance of a tracked class, not a tensor): its
   * return annotation says so, or every value it returns is one (`def build_model(cfg): return FourCastNet(cfg)`).
   */
  | { kind: 'function'; returns: Value & { kind: 'instance' } };

export type UseContext = 'call' | 'attribute' | 'base' | 'decorator' | 'annotation' | 'isinstance' | 'default' | 'reference';

export interface ApiUse {
  /** Fully-qualified name: `torch.nn.functional.interpolate`, `torch.Tensor.view`, `torch.nn.Module.train`. */
  qname: string;
  /** The expression that names the API (`F.interpolate`, or `x.view` for a method). */
  node: Node;
  /** What a rename replaces: the whole expression for a name, the method identifier for a method. */
  nameNode: Node;
  /** Set for methods: the receiver expression. */
  receiver?: Node;
  /** For methods: what the receiver is (e.g. `torch.Tensor`). */
  receiverType?: string;
  context: UseContext;
  /** The call node when the use is called. */
  call?: Node;
  confidence: Confidence;
  /** How the name was reached: 'import' (a static name), 'method' (on an instance). */
  via: 'import' | 'method';
}

/**
 * A class of another file of the project that derives from a tracked class, as plain data: what
 * `ResolveOptions.projectClass` answers (engine/projectIndex.ts reads it from the file that defines it).
 */
export interface ImportedClass {
  name: string;
  /** The file defining it. */
  file: string;
  /** The tracked base class, e.g. `torch.nn.Module` (none for a class of an attribute's value that has none). */
  torchBase?: string;
  /** The names of its methods (those of its project base classes too). */
  methods: readonly string[];
  /** What its methods bind `self.X` to: torch names and instances (of tracked classes, or of other project classes). */
  attrs: ReadonlyArray<readonly [string, ImportedValue]>;
  /** Its class and static methods that return instances (as `ClassInfo.factories`). */
  factories?: ReadonlyArray<readonly [string, ImportedValue | 'cls']>;
  /** For a dataset class: the names of what its `__getitem__` returns (engine/datasetRows.ts). */
  rows?: readonly string[];
}

export type ImportedValue = { kind: 'name'; qname: string } | { kind: 'instance'; qname: string; confidence: Confidence; cls?: ImportedClass };

export interface ClassInfo {
  name: string;
  /**
   * Its class definition. For a class of another file (`file` set) this file's module node: rules look at the
   * classes of `Resolution.classes`, which are this file's own.
   */
  node: Node;
  /** Set for a class of another file of the project (`ResolveOptions.projectClass`): that file's path. */
  file?: string;
  /** The tracked base class, e.g. `torch.nn.Module` (also set through a local base class). */
  torchBase?: string;
  /** `self.X = ...` bindings seen in its methods. */
  attrs: Map<string, Value>;
  methods: Map<string, Node>;
  /**
   * Its class and static methods that return a module (or another tracked class's instance): `Net.from_config(cfg)`.
   * 'cls': an instance of the class they are called on (`return cls(...)`, or of this class).
   */
  factories?: Map<string, InstanceValue | 'cls'>;
  /** For a class of another file (`file` set) that is a dataset: the names of what its `__getitem__` returns. */
  rows?: readonly string[];
}

/** A set of names as rules ask it: whether it has one. */
export interface NameSet {
  has(name: string): boolean;
}

export interface Resolution {
  uses: ApiUse[];
  classes: ClassInfo[];
  /** Values of identifiers and attributes that are known instances (tensors, modules), by node id. */
  instances: Map<number, Value & { kind: 'instance' }>;
  /** Names bound by imports at module level (alias → qualified name), for fixes that add imports. */
  moduleBindings: Map<string, string>;
  /** Every name bound anywhere in the file (to avoid clashes when a fix introduces a name). */
  boundNames: NameSet;
  /**
   * The names each top-level statement binds (keyed by the statement's start offset): `all` in any scope, `module`
   * at module level. Incremental analysis uses them to know which statements depend on which.
   */
  bindingsByStatement: Map<number, StatementBindings>;
  /** What each module-level name is bound to once the whole tree has run (null: something unknown). */
  moduleValues: ReadonlyMap<string, Value | null>;
  /** The torch-derived class a module-level name stands for: a class of this file, or one imported from the project. */
  classNamed(name: string): ClassInfo | undefined;
}

export interface StatementBindings {
  all: ReadonlySet<string>;
  module: ReadonlySet<string>;
  /** Names the statement looks up at module level (or that are unbound): what it reads from other statements. */
  refs: ReadonlySet<string>;
  /** With `ResolveOptions.exports`: what each name in `module` is bound to once the statement has run (null: unknown). */
  exports?: Map<string, Value | null>;
  /** With `ResolveOptions.exports`: names in the targets of its module-level assignments (`name = …` is what `assignedValue` finds). */
  assigns?: ReadonlySet<string>;
  /**
   * For a statement that is a class definition (decorated or not): the names each member of its body binds (in
   * any scope) and reads at module level, keyed by the member's start offset. Incremental analysis re-checks
   * one method of a large class with them.
   */
  members?: Map<number, MemberBindings>;
  /**
   * For a function definition (decorated or not) of at least `ResolveOptions.bodiesFrom` characters: what each
   * statement of its body binds and reads, keyed by the statement's start offset. Incremental analysis re-checks
   * one statement of a long function with them.
   */
  body?: Map<number, BodyBindings>;
}

/** What one statement of a long top-level function's body binds and reads. */
export interface BodyBindings {
  /** Names it binds in any scope. */
  all: ReadonlySet<string>;
  /** Names it binds in the function's own scope: what the statements after it see. */
  local: ReadonlySet<string>;
  /** Every name it looks up, wherever the binding found is. */
  refs: ReadonlySet<string>;
  /** With `ResolveOptions.exports`: what each name in `local` is bound to once the statement has run (null: unknown). */
  exports?: Map<string, Value | null>;
  /** Names it assigns plainly in the function's scope (`name = …`: what `assignedValue` finds there). */
  assigns?: ReadonlySet<string>;
}

export interface MemberBindings {
  all: ReadonlySet<string>;
  refs: ReadonlySet<string>;
  /** It sets (or deletes) an attribute of the class's instance (`self.x = …`): what other members resolve `self.x` to. */
  setsAttributes?: boolean;
}

/**
 * A module-level name, what it is bound to, and where the statement binding it starts: taken unless a statement
 * of this tree starting after that one has bound the name.
 */
export type Seed = readonly [name: string, value: Value | null, boundAt: number];

export interface ResolveOptions {
  /**
   * Called before each top-level statement is visited, with its start offset: module-level names to bind first,
   * to what another statement (not in this tree) left them bound to. Incremental analysis resolves some statements
   * of a file alone this way.
   */
  seed?: (statementStart: number) => Iterable<Seed> | undefined;
  /** Record each top-level statement's `exports`. */
  exports?: boolean;
  /**
   * Method names a top-level class has beyond those in the tree (keyed by the statement's start offset):
   * incremental analysis re-checks one method of a large class with the other methods left out of the tree,
   * and calls to them must still be calls of the class's own methods.
   */
  classMethods?: (statementStart: number) => Iterable<string> | undefined;
  /** Record the `body` of each top-level function of at least this many characters. */
  bodiesFrom?: number;
  /**
   * Called before each statement of a recorded function body is visited (the function's top-level statement start,
   * the statement's start): names of the function's scope to bind first, as `seed` does at module level.
   */
  bodySeed?: (functionStart: number, statementStart: number) => Iterable<Seed> | undefined;
  /**
   * Record `bindingsByStatement` (what each top-level statement, class member and recorded body statement binds
   * and reads), which only incremental analysis uses; without it the map stays empty (a one-off analysis makes
   * no per-statement name sets).
   */
  statementBindings?: boolean;
  /**
   * The class a name imported from a module of the project stands for, if it derives from a tracked class. Asked
   * with the name as written in the imports: `models.fcn.FourCastNet` for `from models.fcn import FourCastNet`,
   * `.layers.MLP` for `from .layers import MLP` (relative imports keep their leading dots).
   */
  projectClass?: (qname: string) => ImportedClass | undefined;
  /** What a function imported from a module of the project returns, when it is a module instance (named as above). */
  projectFunction?: (qname: string) => ImportedValue | undefined;
  /** The public names of a project module's torch-derived classes (`from .layers import *`), the module named as above. */
  projectModuleClasses?: (module: string) => readonly string[];
  /**
   * The public module-level names of a project module bound to tracked names (`import torch.nn as nn` there gives
   * `nn` → `torch.nn`), which `from utils import *` binds here too.
   */
  projectModuleNames?: (module: string) => ReadonlyArray<readonly [string, string]>;
}

/** What a statement that binds or reads nothing shares (most sets stay empty: each is made on its first name). */
const NO_NAMES: ReadonlySet<string> = new Set<string>();
const noBindings = (): StatementBindings => ({ all: NO_NAMES, module: NO_NAMES, refs: NO_NAMES });
const added = (set: ReadonlySet<string>, name: string): ReadonlySet<string> => (set === NO_NAMES ? new Set([name]) : (set as Set<string>).add(name));

/** Tensor methods that return something other than a tensor. */
const NON_TENSOR_METHODS = new Set([
  'size', 'item', 'tolist', 'numel', 'dim', 'ndimension', 'numpy', 'is_contiguous', 'data_ptr', 'element_size',
  'nelement', 'get_device', 'stride', 'is_floating_point', 'is_complex', 'equal', 'backward', 'register_hook',
  'untyped_storage', 'storage', 'type', 'retain_grad', 'is_pinned',
]);
/** Tensor attributes that are tensors. */
const TENSOR_ATTRS = new Set(['T', 'mT', 'H', 'mH', 'data', 'grad', 'real', 'imag']);
/**
 * Method names distinctive enough that an unknown receiver is probably a tensor (reported with low confidence).
 * Names common on other types (split, sum, mean, copy, to, ...) are left out.
 */
export const TENSOR_ONLY_METHODS = new Set([
  'view', 'view_as', 'permute', 'contiguous', 'cuda', 'masked_fill', 'masked_fill_', 'unsqueeze', 'squeeze',
  'type_as', 'expand', 'expand_as', 'chunk', 'index_add_', 'index_add', 'scatter_add_', 'scatter_add', 'scatter_',
  'scatter_reduce', 'scatter_reduce_', 'detach', 'double', 'half', 'bfloat16', 'requires_grad_', 'masked_select',
  'nonzero', 'clamp', 'clamp_', 'softmax', 'log_softmax', 'unfold', 'flatten', 'transpose', 'numel', 'pin_memory',
  'new_zeros', 'new_ones', 'new_full', 'new_empty', 'new_tensor', 'zero_', 'uniform_', 'normal_', 'bmm', 'matmul',
  'addmm', 'baddbmm', 'gather', 'narrow', 'repeat_interleave', 'roll', 'flip', 'argmax', 'argmin', 'topk',
  'cumsum', 'float', 'long', 'int', 'bool', 'cpu', 'backward',
]);
/** Calls into torch (lower-case functions) that do not return tensors. */
const NON_TENSOR_FUNCS = /^(torch\.(is_\w+|set_\w+|get_\w+|manual_seed|seed|save|load|no_grad|enable_grad|inference_mode|set_grad_enabled|autocast|compile|device|dtype|finfo|iinfo|typename|numel|use_deterministic_algorithms|cuda\..*|backends\..*|jit\..*|distributed\..*|utils\..*|amp\..*|hub\..*|onnx\..*|profiler\..*|multiprocessing\..*|random\..*|nn\.init\.\w+|nn\.utils\..*|optim\..*))$/;
/**
 * What torch.nn.Module itself has: any other name called on a module instance (`self.norm1(x)`, `self.act(x)`) is the
 * model's own (a sub-module, or a method of a base class not seen), not a torch API.
 */
const MODULE_API = new Set([
  'add_module', 'apply', 'bfloat16', 'buffers', 'children', 'compile', 'cpu', 'cuda', 'double', 'eval', 'extra_repr', 'float',
  'forward', 'get_buffer', 'get_extra_state', 'get_parameter', 'get_submodule', 'half', 'ipu', 'load_state_dict', 'modules',
  'mtia', 'named_buffers', 'named_children', 'named_modules', 'named_parameters', 'parameters', 'register_backward_hook',
  'register_buffer', 'register_forward_hook', 'register_forward_pre_hook', 'register_full_backward_hook',
  'register_full_backward_pre_hook', 'register_load_state_dict_post_hook', 'register_load_state_dict_pre_hook',
  'register_module', 'register_parameter', 'register_state_dict_post_hook', 'register_state_dict_pre_hook', 'requires_grad_',
  'set_extra_state', 'set_submodule', 'share_memory', 'state_dict', 'to', 'to_empty', 'train', 'type', 'xpu', 'zero_grad',
]);
/** The containers' own methods (`self.blocks.append(block)` of an nn.ModuleList): named after the container. */
const CONTAINER_METHODS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['torch.nn.ModuleList', new Set(['append', 'extend', 'insert'])],
  ['torch.nn.Sequential', new Set(['append', 'extend', 'insert'])],
  ['torch.nn.ModuleDict', new Set(['keys', 'values', 'items', 'update', 'pop', 'clear'])],
  ['torch.nn.ParameterList', new Set(['append', 'extend'])],
  ['torch.nn.ParameterDict', new Set(['keys', 'values', 'items', 'update', 'pop', 'clear'])],
]);

/** The torch API a method call on an instance of `instanceQname` names, if it names one. */
function methodApi(instanceQname: string, name: string): string | undefined {
  if (CONTAINER_METHODS.get(instanceQname)?.has(name)) return `${instanceQname}.${name}`;
  const owner = methodOwner(instanceQname);
  if (owner === 'torch.nn.Module' && !MODULE_API.has(name)) return undefined;
  return `${owner}.${name}`;
}

/** Functions that return the module (or function) they are given, changed in place or wrapped. */
const RETURNS_ITS_ARGUMENT = new Set([
  'torch.nn.SyncBatchNorm.convert_sync_batchnorm',
  'torch.compile',
  'torch.jit.script',
  'torch.nn.utils.weight_norm',
  'torch.nn.utils.spectral_norm',
  'torch.nn.utils.parametrizations.weight_norm',
  'torch.nn.utils.parametrizations.spectral_norm',
  'torch.nn.utils.parametrizations.orthogonal',
]);

/** Module-instance methods that return the module itself. */
const SELF_RETURNING_MODULE_METHODS = new Set(['cuda', 'cpu', 'to', 'train', 'eval', 'float', 'half', 'double', 'bfloat16', 'requires_grad_', 'apply', 'type']);

/** Known package modules: a use that names one of these is a module reference, not an API. */
export const KNOWN_MODULES = new Set([
  'torch', 'torch.nn', 'torch.nn.functional', 'torch.nn.init', 'torch.nn.parallel', 'torch.nn.utils', 'torch.nn.modules',
  'torch.optim', 'torch.optim.lr_scheduler', 'torch.utils', 'torch.utils.data', 'torch.utils.data.distributed',
  'torch.utils.checkpoint', 'torch.cuda', 'torch.cuda.amp', 'torch.amp', 'torch.cpu', 'torch.cpu.amp', 'torch.fft',
  'torch.linalg', 'torch.special', 'torch.distributed', 'torch.backends', 'torch.backends.cudnn', 'torch.backends.cuda',
  'torch.jit', 'torch.autograd', 'torch.distributions', 'torch.hub', 'torch.onnx', 'torch.testing', 'torchvision',
  'torchvision.transforms', 'torchvision.models', 'torchvision.ops', 'torchvision.datasets', 'torchaudio', 'torchtext',
  'torch_scatter', 'torch_geometric', 'torch_geometric.nn', 'torch_geometric.utils', 'torch_geometric.data', 'dgl',
  'dgl.function', 'dgl.nn', 'einops', 'einops.layers', 'einops.layers.torch', 'timm', 'timm.models', 'timm.layers',
  'timm.models.layers', 'numpy', 'numpy.random', 'numpy.linalg', 'numpy.fft', 'apex', 'apex.amp', 'torch_npu',
]);

const MAX_DEPTH = 300;

class Scope {
  readonly vars = new Map<string, Value | null>();
  constructor(
    readonly parent: Scope | undefined,
    readonly kind: 'module' | 'function' | 'class' | 'comprehension',
    readonly cls?: ClassInfo,
  ) {}
  /** The scope whose binding of `name` is visible here, if any. */
  find(name: string): Scope | undefined {
    if (this.vars.has(name)) return this;
    // class bodies are not visible from the functions nested in them
    for (let s = this.parent; s; s = s.parent) if (s.kind !== 'class' && s.vars.has(name)) return s;
    return undefined;
  }
}

function rootOf(qname: string): string {
  const i = qname.indexOf('.');
  return i < 0 ? qname : qname.slice(0, i);
}

export function isTracked(qname: string): boolean {
  return TRACKED_ROOTS.has(rootOf(qname));
}

/** The family a method of an instance belongs to: nn modules share `torch.nn.Module`, optimizers `torch.optim.Optimizer`. */
export function methodOwner(instanceQname: string): string {
  if (instanceQname === 'torch.Tensor' || instanceQname === 'torch.nn.Parameter') return 'torch.Tensor';
  if (/^torch\.nn\.(modules\.\w+\.)?[A-Z]\w*$/.test(instanceQname) || instanceQname.startsWith('torch.nn.parallel.')) return 'torch.nn.Module';
  if (/^torch\.optim\.[A-Z]\w*$/.test(instanceQname)) return 'torch.optim.Optimizer';
  if (instanceQname.startsWith('torch.optim.lr_scheduler.')) return 'torch.optim.lr_scheduler.LRScheduler';
  return instanceQname;
}

type InstanceValue = Extract<Value, { kind: 'instance' }>;
/** An instance of a class of this file or of the project. */
const instanceOfClass = (cls: ClassInfo): InstanceValue => ({ kind: 'instance', qname: cls.torchBase ?? 'object', confidence: 'high', cls });
const TENSOR: InstanceValue = { kind: 'instance', qname: 'torch.Tensor', confidence: 'high' };

export function resolve(tree: Tree, opts: ResolveOptions = {}): Resolution {
  const uses: ApiUse[] = [];
  const classes: ClassInfo[] = [];
  const instances = new Map<number, Value & { kind: 'instance' }>();
  const boundNames = new Set<string>();
  const moduleScope = new Scope(undefined, 'module');
  let scope = moduleScope;
  const bindingsByStatement = new Map<number, StatementBindings>();
  let current: StatementBindings = noBindings(); // of the top-level statement being visited
  let currentStart = -1; // its start offset
  let currentTop = -1; // its node id
  let member: MemberBindings | undefined; // of the member of a top-level class being visited
  /** Where the top-level statement that last bound each module-level name starts (with `seed`). */
  const moduleBoundAt = new Map<string, number>();
  let bodyStatement: BodyBindings | undefined; // of the statement of a recorded function body being visited
  let bodyStart = -1; // its start offset
  let bodyScope: Scope | undefined; // the scope of the recorded function
  /** Where the body statement that last bound each name of the recorded function's scope starts (with `bodySeed`). */
  const localBoundAt = new Map<string, number>();

  const recording = opts.statementBindings === true;
  /** The values the `return`s of the function being visited give (undefined: in no function, or in a method). */
  let returns: (Value | null | undefined)[] | undefined;

  /** What `name` is bound to here; a name bound at module level (or not at all) is recorded as read from there. */
  const lookup = (name: string): Value | undefined => {
    const s = scope.find(name);
    if (recording) {
      if (!s || s.kind === 'module') {
        current.refs = added(current.refs, name);
        if (member) member.refs = added(member.refs, name);
      }
      if (bodyStatement) bodyStatement.refs = added(bodyStatement.refs, name);
    }
    return s?.vars.get(name) ?? undefined;
  };

  const bind = (name: string, v: Value | null) => {
    scope.vars.set(name, v);
    boundNames.add(name);
    if (!recording) return;
    current.all = added(current.all, name);
    if (member) member.all = added(member.all, name);
    if (bodyStatement) {
      bodyStatement.all = added(bodyStatement.all, name);
      if (scope === bodyScope) {
        bodyStatement.local = added(bodyStatement.local, name);
        if (opts.bodySeed) localBoundAt.set(name, bodyStart);
      }
    }
    if (scope === moduleScope) {
      current.module = added(current.module, name);
      if (opts.seed) moduleBoundAt.set(name, currentStart);
    }
  };

  /** Names in the target of an assignment at module level (a plain name, a tuple's names, a subscript's, ...). */
  const recordAssigns = (left: Node) => {
    if (left.type === 'identifier') current.assigns = added(current.assigns ?? NO_NAMES, left.text);
    else for (let c = left.firstNamedChild; c; c = c.nextNamedSibling) recordAssigns(c);
  };

  // ---- values -------------------------------------------------------------------------------------------
  function callResult(fv: Value): Value | undefined {
    if (fv.kind === 'class') return instanceOfClass(fv.cls);
    if (fv.kind === 'function') return fv.returns;
    if (fv.kind === 'instance') {
      // calling a module instance runs its forward: the result is a tensor
      return fv.qname === 'torch.Tensor' ? undefined : TENSOR;
    }
    const q = fv.qname;
    if (!isTracked(q)) {
      const cls = projectClass(q);
      return cls ? instanceOfClass(cls) : projectFunction(q);
    }
    if (rootOf(q) === 'numpy') return undefined;
    const last = q.slice(q.lastIndexOf('.') + 1);
    if (q === 'torch.tensor' || q === 'torch.Tensor' || q === 'torch.nn.Parameter' || q === 'torch.from_numpy' || q === 'torch.as_tensor') return TENSOR;
    if (/^[A-Z]/.test(last)) return { kind: 'instance', qname: q, confidence: 'high' };
    if (q.startsWith('torch.') && !NON_TENSOR_FUNCS.test(q)) return TENSOR;
    return undefined;
  }

  function memberValue(o: Value & { kind: 'instance' }, attr: string): Value | undefined {
    if (o.cls && o.self !== false) {
      const v = o.cls.attrs.get(attr);
      if (v) return v;
    }
    if (o.qname === 'torch.Tensor' && TENSOR_ATTRS.has(attr)) return { ...TENSOR, confidence: o.confidence };
    if (methodOwner(o.qname) === 'torch.nn.Module' && (attr === 'weight' || attr === 'bias')) return TENSOR;
    return undefined;
  }

  // Values and uses are read by node index (tree.typeAt, fieldChild, ...): a node object is made only for what
  // a use stores. Resolution visits every expression of the file, and one object per node visited was most of
  // what the analysis allocated.
  function valueOf(node: Node, depth = 0): Value | undefined {
    return valueAt(node.id, depth);
  }

  /** The value of a call's first positional argument. */
  function firstArgumentValue(call: number, depth: number): Value | undefined {
    const args = tree.fieldChild(call, 'arguments');
    let a = args >= 0 ? tree.firstNamedChildAt(args) : -1;
    while (a >= 0 && tree.typeAt(a) === 'comment') a = tree.nextNamedSiblingAt(a);
    return a >= 0 && tree.typeAt(a) !== 'keyword_argument' && tree.typeAt(a) !== 'list_splat' ? valueAt(a, depth + 1) : undefined;
  }

  function valueAt(i: number, depth: number): Value | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (tree.typeAt(i)) {
      case 'identifier':
        return lookup(tree.textAt(i));
      case 'attribute': {
        const obj = tree.fieldChild(i, 'object');
        const attr = tree.fieldChild(i, 'attribute');
        if (obj < 0 || attr < 0) return undefined;
        const o = valueAt(obj, depth + 1);
        if (!o) return undefined;
        if (o.kind === 'name') return { kind: 'name', qname: publicName(`${o.qname}.${tree.textAt(attr)}`) };
        if (o.kind === 'instance') return memberValue(o, tree.textAt(attr));
        return undefined;
      }
      case 'call': {
        const fn = tree.fieldChild(i, 'function');
        if (fn < 0) return undefined;
        if (tree.typeAt(fn) === 'attribute') {
          const obj = tree.fieldChild(fn, 'object');
          const attr = tree.fieldChild(fn, 'attribute');
          const o = obj >= 0 ? valueAt(obj, depth + 1) : undefined;
          if (o?.kind === 'instance' && attr >= 0) {
            const m = tree.textAt(attr);
            const member = memberValue(o, m);
            if (member) return callResult(member);
            if (o.qname === 'torch.Tensor') return NON_TENSOR_METHODS.has(m) ? undefined : { ...TENSOR, confidence: o.confidence };
            if (methodOwner(o.qname) === 'torch.nn.Module' || o.cls) {
              if (SELF_RETURNING_MODULE_METHODS.has(m)) return o;
              if (m === 'forward') return TENSOR;
            }
            return undefined;
          }
          if (attr < 0) return undefined;
          // a class or static method of a class of this file or of the project: `Net.from_config(cfg)`
          const cls = o?.kind === 'class' ? o.cls : o?.kind === 'name' && !isTracked(o.qname) ? projectClass(o.qname) : undefined;
          const made = cls?.factories?.get(tree.textAt(attr));
          if (made) return made === 'cls' ? instanceOfClass(cls!) : made;
          // the receiver is evaluated once: evaluating `fn` again would redo it at every level of a method
          // chain (`a.f().g().h()...`), exponential in the chain's length
          if (o?.kind !== 'name') return undefined;
          const q = publicName(`${o.qname}.${tree.textAt(attr)}`);
          return RETURNS_ITS_ARGUMENT.has(q) ? firstArgumentValue(i, depth) : callResult({ kind: 'name', qname: q });
        }
        const fv = valueAt(fn, depth + 1);
        if (fv?.kind === 'name' && RETURNS_ITS_ARGUMENT.has(fv.qname)) return firstArgumentValue(i, depth);
        return fv ? callResult(fv) : undefined;
      }
      case 'parenthesized_expression': {
        let inner = tree.firstNamedChildAt(i);
        while (inner >= 0 && tree.typeAt(inner) === 'comment') inner = tree.nextNamedSiblingAt(inner);
        return inner >= 0 ? valueAt(inner, depth + 1) : undefined;
      }
      case 'binary_operator': {
        const l = tree.fieldChild(i, 'left');
        const r = tree.fieldChild(i, 'right');
        const lv = l >= 0 ? valueAt(l, depth + 1) : undefined;
        if (lv?.kind === 'instance' && lv.qname === 'torch.Tensor') return lv;
        const rv = r >= 0 ? valueAt(r, depth + 1) : undefined;
        if (rv?.kind === 'instance' && rv.qname === 'torch.Tensor') return rv;
        return undefined;
      }
      case 'unary_operator': {
        const a = tree.fieldChild(i, 'argument');
        const v = a >= 0 ? valueAt(a, depth + 1) : undefined;
        return v?.kind === 'instance' && v.qname === 'torch.Tensor' ? v : undefined;
      }
      case 'subscript': {
        const v = tree.fieldChild(i, 'value');
        const vv = v >= 0 ? valueAt(v, depth + 1) : undefined;
        return vv?.kind === 'instance' && vv.qname === 'torch.Tensor' ? vv : undefined;
      }
      default:
        return undefined;
    }
  }

  // ---- uses ---------------------------------------------------------------------------------------------
  /** The text of node `i`'s child in field `name` ('' without one). */
  function fieldText(i: number, name: string): string {
    const c = i < 0 ? -1 : tree.fieldChild(i, name);
    return c < 0 ? '' : tree.textAt(c);
  }

  function contextOf(i: number): { context: UseContext; call?: Node } {
    const p = tree.parentAt(i);
    if (p < 0) return { context: 'reference' };
    const type = tree.typeAt(p);
    if (type === 'call' && tree.fieldChild(p, 'function') === i) return { context: 'call', call: tree.node(p) };
    if (type === 'decorator') return { context: 'decorator' };
    if (type === 'type' || type === 'generic_type') return { context: 'annotation' };
    // an item of a subscripted hint (`typing.Optional[X]`, `t.Union[a, X]`: a subscript, not a generic type)
    if (type === 'subscript' && tree.fieldChild(p, 'value') !== i) {
      let top = p;
      while (tree.parentAt(top) >= 0 && ['subscript', 'tuple', 'binary_operator'].includes(tree.typeAt(tree.parentAt(top)))) top = tree.parentAt(top);
      if (tree.parentAt(top) >= 0 && tree.typeAt(tree.parentAt(top)) === 'type') return { context: 'annotation' };
    }
    if (type === 'binary_operator') {
      // a union in a hint (`device: str | torch.device`)
      let top = p;
      while (tree.parentAt(top) >= 0 && tree.typeAt(tree.parentAt(top)) === 'binary_operator') top = tree.parentAt(top);
      if (tree.parentAt(top) >= 0 && tree.typeAt(tree.parentAt(top)) === 'type') return { context: 'annotation' };
    }
    if (type === 'argument_list') {
      const gp = tree.parentAt(p);
      const gpType = gp < 0 ? '' : tree.typeAt(gp);
      if (gpType === 'class_definition') return { context: 'base' };
      if (gpType === 'call' && fieldText(gp, 'function') === 'isinstance') return { context: 'isinstance' };
    }
    if (type === 'tuple') {
      const list = tree.parentAt(p);
      if (list >= 0 && tree.typeAt(list) === 'argument_list' && fieldText(tree.parentAt(list), 'function') === 'isinstance') return { context: 'isinstance' };
    }
    if ((type === 'default_parameter' || type === 'typed_default_parameter') && tree.fieldChild(p, 'value') === i) return { context: 'default' };
    if (type === 'attribute') return { context: 'attribute' };
    return { context: 'reference' };
  }

  /** Records a use named by node `i` (`nameAt`: the node naming the API, `receiverAt`: the method's receiver, or -1). */
  function record(i: number, qname: string, nameAt: number, via: ApiUse['via'], confidence: Confidence, receiverAt = -1, receiverType?: string) {
    const { context, call } = contextOf(i);
    const node = tree.node(i);
    const nameNode = nameAt === i ? node : tree.node(nameAt);
    const receiver = receiverAt < 0 ? undefined : tree.node(receiverAt);
    uses.push({ qname, node, nameNode, receiver, receiverType, context, call, confidence, via });
  }

  /** Visits an expression: records uses, descends into sub-expressions. Iterative over siblings, bounded in depth. */
  function visitExpr(node: Node, depth = 0): void {
    visitExprAt(node.id, depth);
  }

  function visitExprAt(i: number, depth: number): void {
    if (depth > MAX_DEPTH) return;
    switch (tree.typeAt(i)) {
      case 'identifier': {
        const v = lookup(tree.textAt(i));
        if (v?.kind === 'name' && isTracked(v.qname) && !KNOWN_MODULES.has(v.qname) && v.qname.includes('.')) {
          record(i, v.qname, i, 'import', 'high');
        } else if (v?.kind === 'instance') {
          instances.set(i, v);
        }
        return;
      }
      case 'attribute': {
        const obj = tree.fieldChild(i, 'object');
        const attr = tree.fieldChild(i, 'attribute');
        if (obj < 0 || attr < 0) break;
        const o = valueAt(obj, depth);
        const name = tree.textAt(attr);
        if (o?.kind === 'name') {
          const q = publicName(`${o.qname}.${name}`);
          if (isTracked(q) && !KNOWN_MODULES.has(q)) record(i, q, i, 'import', 'high');
          return; // the rest of the chain is part of this name
        }
        const parent = tree.parentAt(i);
        const called = parent >= 0 && tree.typeAt(parent) === 'call';
        if (o?.kind === 'instance') {
          instances.set(obj, o);
          const member = memberValue(o, name);
          if (member?.kind === 'instance') instances.set(i, member);
          else if (!member && called && !o.cls?.methods.has(name) && !o.cls?.attrs.has(name)) {
            // a method call on a known instance; user-defined methods and attributes are not torch APIs
            const api = o.cls && !o.cls.torchBase ? undefined : methodApi(o.qname, name);
            if (api && isTracked(api)) record(i, api, attr, 'method', o.confidence, obj, o.qname);
          }
        } else if (!o && called && TENSOR_ONLY_METHODS.has(name) && (tree.typeAt(obj) === 'call' || tree.textAt(obj) !== 'self')) {
          record(i, `torch.Tensor.${name}`, attr, 'method', 'low', obj, 'torch.Tensor');
        }
        visitExprAt(obj, depth + 1);
        return;
      }
      case 'lambda': {
        const node = tree.node(i);
        const saved = scope;
        scope = new Scope(scope, 'function');
        const params = node.childForFieldName('parameters');
        if (params) for (const p of params.namedChildren) if (p) bindTarget(p, null);
        const body = node.childForFieldName('body');
        if (body) visitExprAt(body.id, depth + 1);
        scope = saved;
        return;
      }
      case 'list_comprehension':
      case 'set_comprehension':
      case 'dictionary_comprehension':
      case 'generator_expression': {
        const node = tree.node(i);
        const saved = scope;
        scope = new Scope(scope, 'comprehension');
        // bind loop targets first (the body refers to them), then visit everything in source order
        for (const c of node.namedChildren) {
          if (c?.type === 'for_in_clause') {
            const right = c.childForFieldName('right');
            if (right) visitExprAt(right.id, depth + 1);
            const left = c.childForFieldName('left');
            if (left) bindTarget(left, null);
          }
        }
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (c.type === 'for_in_clause') continue;
          visitExprAt(c.id, depth + 1);
        }
        scope = saved;
        return;
      }
      case 'named_expression': {
        const value = tree.fieldChild(i, 'value');
        if (value >= 0) visitExprAt(value, depth + 1);
        const name = tree.fieldChild(i, 'name');
        if (name >= 0) bind(tree.textAt(name), value >= 0 ? valueAt(value, 0) ?? null : null);
        return;
      }
      case 'keyword_argument': {
        // `f(checkpoint=x)`: the keyword names a parameter of f, not the `checkpoint` this file imported
        const value = tree.fieldChild(i, 'value');
        if (value >= 0) visitExprAt(value, depth + 1);
        return;
      }
      case 'string':
      case 'comment':
      case 'integer':
      case 'float':
        return;
    }
    for (let c = tree.firstNamedChildAt(i); c >= 0; c = tree.nextNamedSiblingAt(c)) visitExprAt(c, depth + 1);
  }

  // ---- bindings -----------------------------------------------------------------------------------------
  function bindTarget(target: Node, v: Value | null): void {
    switch (target.type) {
      case 'identifier':
        bind(target.text, v);
        if (v?.kind === 'instance') instances.set(target.id, v);
        return;
      case 'attribute': {
        const obj = target.childForFieldName('object');
        const attr = target.childForFieldName('attribute');
        if (obj?.type === 'identifier' && attr) {
          const o = lookup(obj.text);
          if (o?.kind === 'instance' && o.self && o.cls) {
            if (v) o.cls.attrs.set(attr.text, v);
            else o.cls.attrs.delete(attr.text);
            if (member) member.setsAttributes = true;
          }
        }
        return;
      }
      case 'typed_parameter':
      case 'default_parameter':
      case 'typed_default_parameter': {
        const name = target.childForFieldName('name') ?? target.namedChildren.find((c) => c?.type === 'identifier');
        if (name) bind(name.text, v);
        return;
      }
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression':
        for (const c of target.namedChildren) if (c) bindTarget(c, target.type.endsWith('splat_pattern') ? null : tupleElement(v));
        return;
      default:
        return;
    }
  }

  /** `a, b = x.chunk(2)` keeps tensor-ness for the parts; anything else is unknown. */
  function tupleElement(v: Value | null): Value | null {
    return v?.kind === 'instance' && v.qname === 'torch.Tensor' ? v : null;
  }

  /** Project classes as this tree's ClassInfo, each made once (a class met twice is the same ClassInfo). */
  const imported = new Map<ImportedClass, ClassInfo>();
  const projectClass = askedOnce(opts.projectClass, (ic) => classOf(ic, 0));
  const projectFunction = askedOnce(opts.projectFunction, (r) => (r.kind === 'instance' ? instanceOf(r, 0) : undefined));
  function instanceOf(v: ImportedValue & { kind: 'instance' }, depth: number): InstanceValue {
    return v.cls && depth < 4 ? { kind: 'instance', qname: v.qname, confidence: v.confidence, cls: classOf(v.cls, depth + 1) } : { kind: 'instance', qname: v.qname, confidence: v.confidence };
  }
  function classOf(ic: ImportedClass, depth: number): ClassInfo {
    let c = imported.get(ic);
    if (c) return c;
    const node = tree.rootNode;
    c = { name: ic.name, node, file: ic.file, torchBase: ic.torchBase, attrs: new Map(), methods: new Map(ic.methods.map((m) => [m, node])), rows: ic.rows };
    imported.set(ic, c);
    for (const [k, v] of ic.attrs) c.attrs.set(k, v.kind === 'name' ? v : instanceOf(v, depth));
    if (ic.factories?.length) {
      c.factories = new Map();
      for (const [k, v] of ic.factories) if (v === 'cls' || v.kind === 'instance') c.factories.set(k, v === 'cls' ? v : instanceOf(v, depth));
    }
    return c;
  }

  function importName(dotted: string): Value | null {
    return { kind: 'name', qname: publicName(dotted) };
  }

  function visitImport(node: Node): void {
    for (const c of node.namedChildren) {
      if (!c) continue;
      if (c.type === 'dotted_name') {
        // `import torch.nn.functional` binds `torch`
        const first = c.namedChildren[0]?.text ?? c.text;
        bind(first, importName(first));
        if (scope === moduleScope) moduleBindingsSet(first, first);
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name');
        const alias = c.childForFieldName('alias');
        if (name && alias) {
          bind(alias.text, importName(name.text.replace(/\s+/g, '')));
          if (scope === moduleScope) moduleBindingsSet(alias.text, name.text);
        }
      }
    }
  }

  const moduleBindings = new Map<string, string>();
  function moduleBindingsSet(alias: string, qname: string) {
    moduleBindings.set(alias, qname.replace(/\s+/g, ''));
  }

  function visitImportFrom(node: Node): void {
    const mod = node.childForFieldName('module_name');
    const relative = !mod || mod.type === 'relative_import';
    const base = relative ? '' : mod.text.replace(/\s+/g, '');
    // a relative import's names keep its dots (`.layers.MLP`, `..utils.x`, `.x` for `from . import x`)
    const prefix = !mod ? undefined : relative ? mod.text.replace(/\s+/g, '').replace(/([^.])$/, '$1.') : `${base}.`;
    for (const c of node.namedChildren) {
      if (!c || c.id === mod?.id) continue;
      if (c.type === 'dotted_name') {
        const local = c.text;
        bind(local, prefix === undefined ? null : importName(`${prefix}${local}`));
        if (!relative && scope === moduleScope) moduleBindingsSet(local, `${base}.${local}`);
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name');
        const alias = c.childForFieldName('alias');
        if (name && alias) {
          bind(alias.text, prefix === undefined ? null : importName(`${prefix}${name.text}`));
          if (!relative && scope === moduleScope) moduleBindingsSet(alias.text, `${base}.${name.text}`);
        }
      } else if (c.type === 'wildcard_import' && prefix !== undefined) {
        // `from .layers import *`: the torch names and torch-derived classes of a module of the project
        const module = relative ? mod!.text.replace(/\s+/g, '') : base;
        for (const [name, qname] of opts.projectModuleNames?.(module) ?? []) {
          bind(name, { kind: 'name', qname });
          if (scope === moduleScope) moduleBindingsSet(name, qname);
        }
        for (const name of opts.projectModuleClasses?.(module) ?? []) bind(name, importName(`${prefix}${name}`));
      }
      // other wildcard imports bind nothing we can know
    }
  }

  // ---- statements ---------------------------------------------------------------------------------------
  /** Binds a function's parameters; `self` of a method is `cls`'s instance, `cls` of a class method (`isClassMethod`) the class. */
  function visitParameters(params: Node | null, cls: ClassInfo | undefined, isMethod: boolean, isClassMethod = false): void {
    if (!params) return;
    let first = true;
    for (const p of params.namedChildren) {
      if (!p) continue;
      const type = p.childForFieldName('type');
      if (type) visitExpr(type);
      const dflt = p.type === 'default_parameter' || p.type === 'typed_default_parameter' ? p.childForFieldName('value') : null;
      if (dflt) {
        // defaults are evaluated in the enclosing scope
        const inner = scope;
        scope = inner.parent ?? inner;
        visitExpr(dflt);
        scope = inner;
      }
      let v: Value | null = null;
      if (first && isClassMethod && cls && p.type === 'identifier') {
        v = { kind: 'class', cls };
      } else if (first && isMethod && cls && (p.type === 'identifier' || p.type === 'typed_parameter')) {
        v = { ...instanceOfClass(cls), self: true };
      } else if (type) {
        const tv = valueOf(type.namedChildren[0] ?? type);
        if (tv?.kind === 'name' && (tv.qname === 'torch.Tensor' || tv.qname === 'torch.nn.Parameter')) v = TENSOR;
        else if (tv?.kind === 'name' && /^torch\.nn\.[A-Z]/.test(tv.qname)) v = { kind: 'instance', qname: tv.qname, confidence: 'high' };
        else if (tv?.kind === 'name' && !isTracked(tv.qname)) v = callResult(tv) ?? null; // `model: FourCastNet`, a class of the project
      }
      if (p.type === 'identifier') bind(p.text, v);
      else bindTarget(p, v);
      first = false;
    }
  }

  function visitFunction(node: Node, cls: ClassInfo | undefined, decorators: Node[]): void {
    for (const d of decorators) visitExpr(d);
    const name = node.childForFieldName('name');
    const ret = node.childForFieldName('return_type');
    if (ret) visitExpr(ret);
    const isStatic = decorators.some((d) => /staticmethod/.test(d.text));
    const isMethod = !!cls && !isStatic;
    // a class or static method may be a factory (`Net.from_config(cfg)`): what it returns is followed
    const isFactory = !!cls && (isStatic || decorators.some((d) => /classmethod/.test(d.text)));
    const saved = scope;
    // a long top-level function: its body is recorded statement by statement
    const recorded =
      opts.bodiesFrom !== undefined && saved === moduleScope && bodyStatement === undefined && (node.id === currentTop || node.parent?.id === currentTop) && node.endIndex - node.startIndex >= opts.bodiesFrom;
    scope = new Scope(scope, 'function', cls);
    visitParameters(node.childForFieldName('parameters'), cls, isMethod, isFactory && !isStatic);
    const body = node.childForFieldName('body');
    const frame = returns;
    returns = cls && !isFactory ? undefined : [];
    if (body && recorded) visitRecordedBody(body);
    else if (body) visitBlock(body);
    scope = saved;
    const made = returns && body ? returned(node, ret, returns) : undefined;
    returns = frame;
    if (isFactory && cls && name) {
      if (made) (cls.factories ??= new Map()).set(name.text, made.cls === cls ? 'cls' : made);
      else cls.factories?.delete(name.text); // one of this class's own overrides an inherited factory
    }
    if (name) bind(name.text, made ? { kind: 'function', returns: made } : null);
  }

  /**
   * What a function returns when that is a module (or another tracked class's instance, not a tensor): its return
   * annotation's class, else the one instance all its `return`s give (`return None` aside); returns of several
   * Module classes give an nn.Module. Undefined when any return is unknown, or for a generator.
   */
  function returned(fn: Node, annotation: Node | null, values: (Value | null | undefined)[]): InstanceValue | undefined {
    if (annotation) {
      const v = valueOf(annotation.namedChildren[0] ?? annotation);
      const r = v && (v.kind !== 'name' || !isTracked(v.qname) || /^torch\.nn\.[A-Z]/.test(v.qname)) ? callResult(v) : undefined;
      return r?.kind === 'instance' && r.qname !== 'torch.Tensor' ? r : undefined;
    }
    let out: InstanceValue | undefined;
    for (const v of values) {
      if (v === null) continue; // `return`, `return None`
      if (v?.kind !== 'instance' || v.qname === 'torch.Tensor' || v.self) return undefined;
      if (!out || (out.cls ? out.cls === v.cls : !v.cls && out.qname === v.qname)) out ??= v;
      else if (methodOwner(out.qname) === 'torch.nn.Module' && methodOwner(v.qname) === 'torch.nn.Module') out = { kind: 'instance', qname: 'torch.nn.Module', confidence: 'high' };
      else return undefined;
    }
    if (out && /\byield\b/.test(fn.text)) return undefined;
    return out;
  }

  function visitRecordedBody(body: Node): void {
    const records = (current.body = new Map());
    bodyScope = scope;
    localBoundAt.clear();
    for (let s = body.firstNamedChild; s; s = s.nextNamedSibling) {
      const record: BodyBindings = { all: NO_NAMES, local: NO_NAMES, refs: NO_NAMES };
      records.set(s.startIndex, record);
      const seeds = opts.bodySeed?.(currentStart, s.startIndex);
      if (seeds) for (const [name, v, at] of seeds) if ((localBoundAt.get(name) ?? -1) < at) scope.vars.set(name, v);
      bodyStatement = record;
      bodyStart = s.startIndex;
      visitStatement(s, 1);
      bodyStatement = undefined;
      if (opts.exports && record.local.size) {
        record.exports = new Map();
        for (const name of record.local) record.exports.set(name, scope.vars.get(name) ?? null);
      }
    }
    bodyScope = undefined;
  }

  function visitClass(node: Node, decorators: Node[]): void {
    for (const d of decorators) visitExpr(d);
    const name = node.childForFieldName('name');
    const supers = node.childForFieldName('superclasses');
    const cls: ClassInfo = { name: name?.text ?? '?', node, attrs: new Map(), methods: new Map() };
    if (supers) {
      visitExpr(supers);
      for (const s of supers.namedChildren) {
        if (!s || s.type === 'keyword_argument') continue;
        const v = valueOf(s);
        if (v?.kind === 'name' && isTracked(v.qname)) {
          cls.torchBase ??= v.qname;
        } else {
          // a class of this file, or one of the project imported from another file
          const base = v?.kind === 'class' ? v.cls : v?.kind === 'name' ? projectClass(v.qname) : undefined;
          if (!base?.torchBase) continue;
          cls.torchBase ??= base.torchBase;
          for (const [k, a] of base.attrs) cls.attrs.set(k, a);
          // methods inherited from a project base class are user methods, not torch APIs
          for (const [k, m] of base.methods) cls.methods.set(k, m);
          if (base.factories) cls.factories = new Map([...(cls.factories ?? []), ...base.factories]);
        }
      }
    }
    classes.push(cls);
    const saved = scope;
    scope = new Scope(scope, 'class', cls);
    const body = node.childForFieldName('body');
    if (body) {
      // __init__ first: other methods use the attributes it sets
      const stmts = body.namedChildren.filter((c): c is Node => !!c);
      const init = stmts.filter((s) => functionNameOf(s) === '__init__');
      for (const s of stmts) {
        const d = definitionOf(s);
        const mname = functionNameOf(s);
        if (d && mname) cls.methods.set(mname, d);
      }
      // the members of a top-level class: what each binds and reads is recorded apart too
      const topLevel = member === undefined && (node.id === currentTop || node.parent?.id === currentTop);
      const top = topLevel && recording ? (current.members = new Map<number, MemberBindings>()) : undefined;
      if (topLevel) for (const n of opts.classMethods?.(currentStart) ?? []) if (!cls.methods.has(n)) cls.methods.set(n, node);
      for (const s of [...init, ...stmts.filter((s) => !init.includes(s))]) {
        if (top) top.set(s.startIndex, (member = { all: NO_NAMES, refs: NO_NAMES }));
        visitStatement(s, 0);
        if (top) member = undefined;
      }
    }
    scope = saved;
    if (name) bind(name.text, { kind: 'class', cls });
  }

  /**
   * `if` / `elif` / `else`: each branch starts from the names as they were before the statement (a name bound in
   * the `if` block is not what the `elif` condition reads), and afterwards a name keeps what every way through
   * agrees on (joinValues). `act = nn.ReLU` in one branch and `act = nn.GELU` in another leave `act` unknown;
   * a branch that ends in `raise` / `return` / `continue` / `break` does not reach the code after the statement.
   */
  function visitBranches(node: Node, depth: number): void {
    const before = new Map(scope.vars);
    const outcomes: Map<string, Value | null>[] = [];
    let hasElse = false;
    const branch = (cond: Node | null, block: Node | null) => {
      restoreVars(before);
      if (cond) visitExpr(cond);
      if (block) visitBlock(block, depth);
      if (!block || !exits(block)) outcomes.push(new Map(scope.vars));
    };
    branch(node.childForFieldName('condition'), node.childForFieldName('consequence'));
    for (const c of node.namedChildren) {
      if (c?.type === 'elif_clause') branch(c.childForFieldName('condition'), c.childForFieldName('consequence'));
      else if (c?.type === 'else_clause') {
        hasElse = true;
        branch(null, c.childForFieldName('body'));
      }
    }
    if (!hasElse) outcomes.push(before);
    if (!outcomes.length) {
      restoreVars(before);
      return;
    }
    const joined = new Map(outcomes[0]);
    for (const o of outcomes.slice(1)) {
      for (const [k, v] of o) joined.set(k, joined.has(k) ? joinValues(joined.get(k) ?? null, v) : v);
    }
    restoreVars(joined);
  }

  function restoreVars(vars: Map<string, Value | null>): void {
    scope.vars.clear();
    for (const [k, v] of vars) scope.vars.set(k, v);
  }

  function visitBlock(block: Node, depth = 0): void {
    for (let s = block.firstNamedChild; s; s = s.nextNamedSibling) visitStatement(s, depth + 1);
  }

  function visitStatement(node: Node, depth: number): void {
    if (depth > MAX_DEPTH) return;
    switch (node.type) {
      case 'import_statement':
        visitImport(node);
        return;
      case 'import_from_statement':
        visitImportFrom(node);
        return;
      case 'future_import_statement':
        return;
      case 'return_statement': {
        const value = node.firstNamedChild;
        if (value) visitExpr(value);
        // what the function being visited returns (null: nothing, or None)
        returns?.push(!value || value.type === 'none' ? null : valueOf(value));
        return;
      }
      case 'expression_statement': {
        for (let c = node.firstNamedChild; c; c = c.nextNamedSibling) visitStatement(c, depth + 1);
        return;
      }
      case 'assignment': {
        const right = node.childForFieldName('right');
        const left = node.childForFieldName('left');
        const type = node.childForFieldName('type');
        if (type) visitExpr(type);
        if (right) {
          if (right.type === 'assignment') visitStatement(right, depth + 1); // a = b = expr
          else visitExpr(right);
        }
        if (left) {
          if (left.type !== 'identifier' && left.type !== 'pattern_list' && left.type !== 'tuple_pattern') visitExpr(left);
          let v: Value | null = right ? valueOf(right.type === 'assignment' ? innermostValue(right) : right) ?? null : null;
          if (!v && type) {
            const tv = valueOf(type.namedChildren[0] ?? type);
            if (tv?.kind === 'name' && tv.qname === 'torch.Tensor') v = TENSOR;
          }
          if (opts.exports && scope === moduleScope) recordAssigns(left);
          if (bodyStatement && scope === bodyScope && left.type === 'identifier') bodyStatement.assigns = added(bodyStatement.assigns ?? NO_NAMES, left.text);
          bindTarget(left, v);
          if (right?.type === 'assignment') {
            const l2 = right.childForFieldName('left');
            if (l2) bindTarget(l2, v);
          }
        }
        return;
      }
      case 'augmented_assignment': {
        const right = node.childForFieldName('right');
        const left = node.childForFieldName('left');
        if (right) visitExpr(right);
        if (left) visitExpr(left);
        return;
      }
      case 'function_definition':
        visitFunction(node, scope.kind === 'class' ? scope.cls : undefined, []);
        return;
      case 'class_definition':
        visitClass(node, []);
        return;
      case 'decorated_definition': {
        const def = node.childForFieldName('definition');
        const decos = node.namedChildren.filter((c): c is Node => c?.type === 'decorator');
        if (def?.type === 'function_definition') visitFunction(def, scope.kind === 'class' ? scope.cls : undefined, decos);
        else if (def?.type === 'class_definition') visitClass(def, decos);
        else for (const d of decos) visitExpr(d);
        return;
      }
      case 'for_statement': {
        const right = node.childForFieldName('right');
        if (right) visitExpr(right);
        const left = node.childForFieldName('left');
        if (left) {
          // `for blk in self.blocks` over a ModuleList: each item is a module
          const rv = right ? valueOf(right) : undefined;
          const item: Value | null =
            rv?.kind === 'instance' && /^torch\.nn\.(ModuleList|Sequential)$/.test(rv.qname)
              ? { kind: 'instance', qname: 'torch.nn.Module', confidence: 'high' }
              : null;
          bindTarget(left, item);
        }
        const body = node.childForFieldName('body');
        if (body) visitBlock(body, depth);
        const alt = node.childForFieldName('alternative');
        if (alt) visitStatement(alt, depth + 1);
        return;
      }
      case 'with_statement': {
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (c.type === 'with_clause') {
            for (const item of c.namedChildren) {
              if (!item) continue;
              const value = item.childForFieldName('value');
              if (value?.type === 'as_pattern') {
                const expr = value.namedChildren[0];
                if (expr) visitExpr(expr);
                const target = value.childForFieldName('alias');
                const t = target?.namedChildren[0] ?? target;
                if (t) bindTarget(t, expr ? valueOf(expr) ?? null : null);
              } else if (value) visitExpr(value);
            }
          } else if (c.type === 'block') visitBlock(c, depth);
        }
        return;
      }
      case 'except_clause': {
        // `try: from torch.nn import X` / `except ImportError: X = None`: the fallback does not hide the import
        const imported = new Map([...scope.vars].filter(([, v]) => v?.kind === 'name'));
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (c.type === 'block') {
            visitBlock(c, depth);
            for (const [k, v] of imported) if (scope.vars.get(k) === null) scope.vars.set(k, v);
          }
          else if (c.type === 'as_pattern') {
            const e = c.namedChildren[0];
            if (e) visitExpr(e);
            const alias = c.childForFieldName('alias');
            const t = alias?.namedChildren[0] ?? alias;
            if (t) bindTarget(t, null);
          } else visitExpr(c);
        }
        return;
      }
      case 'global_statement':
      case 'nonlocal_statement':
      case 'pass_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'comment':
        return;
      case 'block':
        visitBlock(node, depth);
        return;
      case 'module':
        for (const c of node.children) {
          if (!c) continue;
          current = noBindings();
          if (recording) bindingsByStatement.set(c.startIndex, current);
          currentStart = c.startIndex;
          currentTop = c.id;
          const seeds = opts.seed?.(c.startIndex);
          if (seeds) for (const [name, v, at] of seeds) if ((moduleBoundAt.get(name) ?? -1) < at) moduleScope.vars.set(name, v);
          if (isStatement(c)) visitStatement(c, depth + 1);
          else if (c.isNamed) visitExpr(c);
          if (opts.exports) {
            current.exports = new Map();
            for (const name of current.module) current.exports.set(name, moduleScope.vars.get(name) ?? null);
          }
        }
        return;
      case 'if_statement':
        visitBranches(node, depth);
        return;
      case 'elif_clause':
      case 'else_clause':
      case 'while_statement':
      case 'try_statement':
      case 'finally_clause':
      case 'ERROR':
      case 'match_statement':
      case 'case_clause':
        for (const c of node.namedChildren) {
          if (!c) continue;
          if (isStatement(c)) visitStatement(c, depth + 1);
          else visitExpr(c);
        }
        return;
      default:
        if (isStatement(node)) {
          for (let c = node.firstNamedChild; c; c = c.nextNamedSibling) (isStatement(c) ? visitStatement(c, depth + 1) : visitExpr(c));
        } else visitExpr(node);
    }
  }

  function innermostValue(a: Node): Node {
    let n = a;
    while (n.type === 'assignment') {
      const r = n.childForFieldName('right');
      if (!r) break;
      n = r;
    }
    return n;
  }

  visitStatement(tree.rootNode, 0);
  const classNamed = (name: string): ClassInfo | undefined => {
    const v = moduleScope.vars.get(name);
    const cls = v?.kind === 'class' ? v.cls : v?.kind === 'name' && !isTracked(v.qname) ? projectClass(v.qname) : undefined;
    return cls?.torchBase ? cls : undefined;
  };
  return { uses, classes, instances, moduleBindings, boundNames, bindingsByStatement, moduleValues: moduleScope.vars, classNamed };
}

/** `ask` asked at most once per name, and its answer made into this tree's value once. */
function askedOnce<A, T>(ask: ((qname: string) => A | undefined) | undefined, make: (answer: A) => T | undefined): (qname: string) => T | undefined {
  const known = new Map<string, T | null>();
  return (qname) => {
    if (!ask) return undefined;
    let v = known.get(qname);
    if (v === undefined) {
      const answer = ask(qname);
      known.set(qname, (v = answer === undefined ? null : make(answer) ?? null));
    }
    return v ?? undefined;
  };
}

const STATEMENT_TYPES = new Set([
  'import_statement', 'import_from_statement', 'future_import_statement', 'expression_statement', 'function_definition',
  'class_definition', 'decorated_definition', 'for_statement', 'while_statement', 'if_statement', 'try_statement',
  'with_statement', 'return_statement', 'raise_statement', 'assert_statement', 'delete_statement', 'global_statement',
  'nonlocal_statement', 'pass_statement', 'break_statement', 'continue_statement', 'block', 'elif_clause',
  'else_clause', 'except_clause', 'finally_clause', 'match_statement', 'case_clause', 'print_statement',
  'exec_statement', 'type_alias_statement', 'ERROR', 'assignment', 'augmented_assignment',
]);

function isStatement(n: Node): boolean {
  return STATEMENT_TYPES.has(n.type);
}

/** Whether two values a name can hold are the same thing (a new object is made each time one is computed). */
function sameValue(a: Value | null, b: Value | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'name':
      return a.qname === (b as typeof a).qname;
    case 'instance': {
      const o = b as typeof a;
      return a.qname === o.qname && a.cls === o.cls && a.confidence === o.confidence && !!a.self === !!o.self;
    }
    case 'class':
      return a.cls === (b as typeof a).cls;
    case 'function':
      return sameValue(a.returns, (b as typeof a).returns);
  }
}

/**
 * What a name holds after branches that gave it `a` and `b`: that value if they agree; an instance of the class
 * both are instances of (two model classes: a module, its own class unknown); an instance one way and unknown the
 * other, that instance at low confidence; else unknown (an API one way and a string the other is neither).
 */
function joinValues(a: Value | null, b: Value | null): Value | null {
  if (sameValue(a, b)) return a;
  if (a?.kind === 'instance' && b?.kind === 'instance' && a.qname === b.qname && !a.self && !b.self) {
    return { kind: 'instance', qname: a.qname, confidence: a.confidence === 'high' && b.confidence === 'high' ? 'high' : 'low' };
  }
  // `if model is None: model = self.model`: an instance one way, unknown the other: guessed (low confidence)
  const one = !a ? b : !b ? a : undefined;
  if (one?.kind === 'instance' && !one.self) return { ...one, confidence: 'low' };
  return null;
}

/** Whether a block never falls through to the statement after it: its last statement raises, returns or jumps. */
function exits(block: Node): boolean {
  const last = block.namedChildren.filter((c) => c?.type !== 'comment').at(-1);
  return !!last && (last.type === 'raise_statement' || last.type === 'return_statement' || last.type === 'continue_statement' || last.type === 'break_statement');
}
