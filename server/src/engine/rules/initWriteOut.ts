// torch.nn.init's in-place initialisers written out for MindSpore, whose initialisers are objects applied to a
// Parameter: `nn.init.normal_(m.weight, std=0.02)` → `m.weight.set_data(initializer(Normal(sigma=0.02),
// m.weight.shape, m.weight.dtype))`. Arguments keep their values under MindSpore's names; where torch's default
// differs from MindSpore's (`std` 1.0, `sigma` 0.01) torch's is passed. The tensor is written three times, so it
// must be a name, an attribute or an item at a literal index (util.isRepeatable). Unsafe: the random numbers differ, and the target must be a Parameter.
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { Node } from '../parser';
import type { RuleContext } from './types';
import { argOf, callArgs, isRepeatable, mindsporeNamer, type CallArgs } from './util';

/** A torch argument after the tensor: its name, torch's default, MindSpore's name and default (undefined: required). */
type Param = readonly [torch: string, torchDefault: string | undefined, ms: string, msDefault: string | undefined];

interface Spec {
  /** The class of mindspore.common.initializer. */
  cls: string;
  params: readonly Param[];
}

const HE: readonly Param[] = [
  ['a', '0', 'negative_slope', '0'],
  ['mode', "'fan_in'", 'mode', "'fan_in'"],
  ['nonlinearity', "'leaky_relu'", 'nonlinearity', "'leaky_relu'"],
];
const TRUNC: Spec = {
  cls: 'TruncatedNormal',
  params: [
    ['mean', '0.0', 'mean', '0.0'],
    ['std', '1.0', 'sigma', '0.01'],
    ['a', '-2.0', 'a', '-2.0'],
    ['b', '2.0', 'b', '2.0'],
  ],
};
const SPECS: ReadonlyMap<string, Spec> = new Map([
  ['torch.nn.init.constant_', { cls: 'Constant', params: [['val', undefined, '', undefined]] }],
  ['torch.nn.init.zeros_', { cls: 'Zero', params: [] }],
  ['torch.nn.init.ones_', { cls: 'One', params: [] }],
  [
    'torch.nn.init.normal_',
    {
      cls: 'Normal',
      params: [
        ['mean', '0.0', 'mean', '0.0'],
        ['std', '1.0', 'sigma', '0.01'],
      ],
    },
  ],
  ['torch.nn.init.trunc_normal_', TRUNC],
  ['timm.layers.trunc_normal_', TRUNC],
  ['timm.models.layers.trunc_normal_', TRUNC],
  ['torch.nn.init.xavier_uniform_', { cls: 'XavierUniform', params: [['gain', '1.0', 'gain', '1']] }],
  ['torch.nn.init.xavier_normal_', { cls: 'XavierNormal', params: [['gain', '1.0', 'gain', '1']] }],
  ['torch.nn.init.kaiming_uniform_', { cls: 'HeUniform', params: HE }],
  ['torch.nn.init.orthogonal_', { cls: 'Orthogonal', params: [['gain', '1', 'gain', '1.0']] }],
  ['torch.nn.init.kaiming_normal_', { cls: 'HeNormal', params: HE }],
  // written out by uniformCode: MindSpore's Uniform takes one scale, not two bounds
  [
    'torch.nn.init.uniform_',
    {
      cls: 'Uniform',
      params: [
        ['a', '0.0', 'scale', undefined],
        ['b', '1.0', 'scale', undefined],
      ],
    },
  ],
]);

const same = (a: string, b: string) => Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) === Number(b) : a.replace(/"/g, "'") === b.replace(/"/g, "'");

const INIT = 'mindspore.common.initializer';

/** A number as Python reads it back, or undefined when JavaScript's arithmetic left it long (0.30000000000000004). */
const numberText = (n: number) => {
  const t = String(n);
  return /^-?\d+(\.\d{1,8})?$/.test(t) ? t : undefined;
};

/**
 * `uniform_(w, a, b)`. MindSpore's Uniform(scale) draws from U(-scale, scale): symmetric bounds (`-0.1, 0.1`,
 * `-bound, bound`) become `Uniform(scale=b)`; others are torch's own definition, `rand * (b - a) + a`, with the
 * target's twin of torch.rand (mint.rand on Ascend). A bound written twice must be a number or repeatable (util.isRepeatable).
 */
function uniformCode(ctx: RuleContext, args: CallArgs, t: string, name: (api: string) => string): { code: string; cls: string } | undefined {
  const aNode = argOf(args, 'a', 1);
  const bNode = argOf(args, 'b', 2);
  const a = aNode?.text ?? '0.0';
  const b = bNode?.text ?? '1.0';
  const na = Number(a);
  const nb = Number(b);
  const numeric = Number.isFinite(na) && Number.isFinite(nb);
  if (numeric ? na === -nb && nb > 0 : a === `-${b}` || a === `-(${b})`) {
    return { cls: 'Uniform', code: `${t}.set_data(${name(`${INIT}.initializer`)}(${name(`${INIT}.Uniform`)}(scale=${b}), ${t}.shape, ${t}.dtype))` };
  }
  const plain = (n: Node | undefined) => !n || Number.isFinite(Number(n.text)) || isRepeatable(n);
  if (!plain(aNode) || !plain(bNode) || (numeric && na >= nb)) return undefined;
  const entry = ctx.db.get('torch.rand');
  const twin = entry ? ctx.db.choose(entry, ctx.target).twin : undefined;
  if (!twin || !/^mindspore\.[\w.]+$/.test(twin.api)) return undefined;
  const width = numeric ? numberText(nb - na) : undefined;
  const scaled = width === '1' ? '' : ` * ${width ?? `(${b} - ${a})`}`;
  const shifted = numeric && na === 0 ? '' : na < 0 ? ` - ${numberText(-na) ?? `(${a})`}` : ` + ${/^[\w.]+$/.test(a) ? a : `(${a})`}`;
  return { cls: 'rand', code: `${t}.set_data(${name(twin.api)}(${t}.shape, dtype=${t}.dtype)${scaled}${shifted})` };
}

/** Initialisers that draw every element alike, whatever the shape (not Xavier, He or Orthogonal, which read it). */
const ELEMENTWISE = new Set(['Constant', 'Zero', 'One', 'Normal', 'TruncatedNormal', 'Uniform']);

/**
 * `w.view([w.shape[0], -1])` (ClimaX's patch embeddings): a reshaped view shares the tensor's elements, so an
 * initialiser that draws every element alike fills the tensor itself; the argument otherwise.
 */
function reshapedBase(ctx: RuleContext, arg: Node | undefined, spec: Spec): Node | undefined {
  if (arg?.type !== 'call' || !ELEMENTWISE.has(spec.cls)) return arg;
  const f = arg.childForFieldName('function');
  const base = f?.type === 'attribute' ? f.childForFieldName('object') : undefined;
  const method = f?.childForFieldName('attribute')?.text ?? '';
  if (!base || !['view', 'reshape', 'flatten'].includes(method)) return arg;
  // `torch.flatten(w)`, `np.reshape(b, ...)`: a module's function, not a method of the tensor
  const root = base.text.split('.')[0];
  if (ctx.resolution.moduleBindings.has(root)) return arg;
  // `w.view(torch.int32)` reinterprets the bits as another dtype
  const args = callArgs(arg);
  if (method === 'view' && args?.all.some((a) => a.type === 'attribute' || a.type === 'string' || a.type === 'keyword_argument')) return arg;
  return base;
}

/** The call written out, or undefined when it is not an initialiser's or its arguments are not all understood (a fix must not guess). */
export function initWriteOutFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const spec = SPECS.get(use.qname);
  if (!spec || use.context !== 'call' || !use.call || use.via !== 'import') return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  const tensor = reshapedBase(ctx, argOf(args, 'tensor', 0), spec);
  if (!tensor || !isRepeatable(tensor)) return undefined;
  const known = new Set(['tensor', ...spec.params.map((p) => p[0])]);
  if ([...args.keywords.keys()].some((k) => !known.has(k)) || args.positional.length > spec.params.length + 1) return undefined;
  if (spec.cls === 'Uniform') {
    const edits: TextEdit[] = [];
    const u = uniformCode(ctx, args, tensor.text, mindsporeNamer(ctx, edits));
    if (!u) return undefined;
    edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: u.code });
    const title = u.cls === 'Uniform' ? 'Re-initialise with set_data(initializer(Uniform(...)))' : 'Re-initialise with set_data(rand(...) scaled to the bounds)';
    return { title, applicability: 'unsafe', edits };
  }
  const out: string[] = [];
  for (const [i, [torch, torchDefault, ms, msDefault]] of spec.params.entries()) {
    const value = argOf(args, torch, i + 1)?.text ?? torchDefault;
    if (value === undefined) return undefined; // a required argument not given
    if (msDefault !== undefined && same(value, msDefault)) continue;
    out.push(ms ? `${ms}=${value}` : value);
  }
  const edits: TextEdit[] = [];
  const name = mindsporeNamer(ctx, edits);
  const t = tensor.text;
  const code = `${t}.set_data(${name(`${INIT}.initializer`)}(${name(`${INIT}.${spec.cls}`)}(${out.join(', ')}), ${t}.shape, ${t}.dtype))`;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: code });
  return { title: `Re-initialise with set_data(initializer(${spec.cls}(...)))`, applicability: 'unsafe', edits };
}
