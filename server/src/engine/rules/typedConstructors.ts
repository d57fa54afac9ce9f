// torch's legacy typed constructors written out. `torch.LongTensor([1, 2])` is a tensor of that data and dtype:
// `ms.Tensor([1, 2], dtype=ms.int64)`; `torch.FloatTensor(2, 3)` an uninitialised one of that shape, which
// `mint.zeros((2, 3), dtype=ms.float32)` is too (zeros are one of its possible contents). One argument that is
// neither a list nor a number may be either (data or a size): its fix is unsafe. MSP103 offers these fixes, and
// MSP202 the float32 one for `torch.DoubleTensor` (Ascend has no float64).
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import type { RuleContext } from './types';
import { callArgs, mindsporeNamer } from './util';

/** The MindSpore dtype each typed constructor makes (`torch.Tensor`, a type with a twin, called is torch.FloatTensor). */
export const TYPED_CONSTRUCTORS: ReadonlyMap<string, string> = new Map([
  ['torch.Tensor', 'float32'],
  ['torch.FloatTensor', 'float32'],
  ['torch.DoubleTensor', 'float64'],
  ['torch.HalfTensor', 'float16'],
  ['torch.BFloat16Tensor', 'bfloat16'],
  ['torch.LongTensor', 'int64'],
  ['torch.IntTensor', 'int32'],
  ['torch.ShortTensor', 'int16'],
  ['torch.CharTensor', 'int8'],
  ['torch.ByteTensor', 'uint8'],
  ['torch.BoolTensor', 'bool_'],
]);

const DATA = new Set(['list', 'tuple', 'list_comprehension']);
const SIZE = new Set(['integer', 'identifier', 'attribute', 'subscript', 'binary_operator']);

/** The call written out with MindSpore dtype `dtype` (`int64`), or undefined when its arguments do not say what it makes. */
export function typedConstructorFix(ctx: RuleContext, use: ApiUse, dtype: string, applicability?: 'unsafe'): Fix | undefined {
  if (use.context !== 'call' || use.via !== 'import' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.keywords.size || args.positional.length === 0) return undefined;
  const edits: TextEdit[] = [];
  const name = mindsporeNamer(ctx, edits);
  const [first] = args.positional;
  const dt = `dtype=${name(`mindspore.${dtype}`)}`;
  let code: string;
  let safe: boolean;
  if (args.positional.length === 1 && first.type !== 'integer') {
    // data; one name or expression may also be a size (unsafe)
    code = `${name('mindspore.Tensor')}(${first.text}, ${dt})`;
    safe = DATA.has(first.type);
  } else if (args.positional.every((a) => SIZE.has(a.type))) {
    const sizes = args.positional.map((a) => a.text);
    code = `${name('mindspore.mint.zeros')}((${sizes.join(', ')}${sizes.length === 1 ? ',' : ''}), ${dt})`;
    safe = args.positional.length > 1 || first.type === 'integer';
  } else return undefined;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: code });
  return { title: `Write it out: ${code}`, applicability: applicability ?? (safe && use.confidence === 'high' ? 'safe' : 'unsafe'), edits };
}
