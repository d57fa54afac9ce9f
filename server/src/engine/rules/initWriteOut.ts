// torch.nn.init's in-place initialisers written out for MindSpore, whose initialisers are objects applied to a
// Parameter: `nn.init.normal_(m.weight, std=0.02)` → `m.weight.set_data(initializer(Normal(sigma=0.02),
// m.weight.shape, m.weight.dtype))`. Arguments keep their values under MindSpore's names; where torch's default
// differs from MindSpore's (`std` 1.0, `sigma` 0.01) torch's is passed. The tensor is written three times, so it
// must be a name or an attribute. Unsafe: the random numbers differ, and the target must be a Parameter.
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { RuleContext } from './types';
import { argOf, callArgs, isNameOrAttribute, mindsporeNamer } from './util';

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
]);

const same = (a: string, b: string) => Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) === Number(b) : a.replace(/"/g, "'") === b.replace(/"/g, "'");

/** The call written out, or undefined when it is not an initialiser's or its arguments are not all understood (a fix must not guess). */
export function initWriteOutFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const spec = SPECS.get(use.qname);
  if (!spec || use.context !== 'call' || !use.call || use.via !== 'import') return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  const tensor = argOf(args, 'tensor', 0);
  if (!tensor || !isNameOrAttribute(tensor)) return undefined;
  const known = new Set(['tensor', ...spec.params.map((p) => p[0])]);
  if ([...args.keywords.keys()].some((k) => !known.has(k)) || args.positional.length > spec.params.length + 1) return undefined;
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
  const code = `${t}.set_data(${name('mindspore.common.initializer.initializer')}(${name(`mindspore.common.initializer.${spec.cls}`)}(${out.join(', ')}), ${t}.shape, ${t}.dtype))`;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: code });
  return { title: `Re-initialise with set_data(initializer(${spec.cls}(...)))`, applicability: 'unsafe', edits };
}
