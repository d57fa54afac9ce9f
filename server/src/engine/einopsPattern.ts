// einops patterns written out as Tensor methods. einops has no MindSpore backend, so `rearrange`, `repeat` and
// `reduce` become the reshape / permute / unsqueeze / broadcast_to sequence einops itself performs, and a reduction
// (MSP106, rules/msp106Einops.ts). Pure text in, text out: the pattern, the axis sizes given as keyword arguments
// (their source text) and the tensor expression's text.
//
//   rearrange(x, 'b l (h d) -> b h l d', h=h)  →  x.reshape(x.shape[0], x.shape[1], h, -1).permute(0, 2, 1, 3)
//   rearrange(x, 'b h l d -> b l (h d)')       →  x.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1)
//   repeat(e, 'n f -> b n f', b=bs)            →  e.unsqueeze(0).broadcast_to((bs, -1, -1))
//
// Sizes are the input's (`x.shape[i]`), the keyword arguments', or worked out (`x.shape[i] // p` for the one axis
// of a split group without a size). A reshape gets -1 for one dimension (a product or a worked-out size first), so
// most patterns name the tensor once or twice. What cannot be written out exactly (an ellipsis, a group with two
// unsized axes, an axis on one side only) gets a reason instead.

export type EinopsOp = 'rearrange' | 'repeat' | 'reduce';

/** An axis of a side: named, or anonymous with a size (a number in the pattern). */
type Item = { name: string } | { size: number };
/** One dimension of a side: its axes in order (one for `a`, several for `(a b)`, none for `1` or `()`). */
type Dim = Item[];

export interface EinopsCall {
  op: EinopsOp;
  pattern: string;
  /** Sizes given as keyword arguments: axis name → the argument's source text. */
  sizes: ReadonlyMap<string, string>;
  /** The tensor expression as it can be written before `.method(...)` (parenthesised when it needs to be). */
  tensor: string;
  /** Whether the tensor expression may be written more than once (a name or an attribute: no side effects). */
  repeatable: boolean;
  /** reduce: the reduction's name (`mean`, `sum`, `max`, `min`, `prod`). */
  reduction?: string;
  /** reduce: the callee text of a MindSpore reduction function (`mint.mean`), as the caller imports it. */
  reduceFunction?: (name: 'mean' | 'sum' | 'amax' | 'amin' | 'prod') => string;
}

export type EinopsPlan = { ok: true; code: string } | { ok: false; why: string };

class PatternError extends Error {}

const TOKEN = /\(|\)|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g;

function parseSide(side: string): Dim[] {
  const dims: Dim[] = [];
  let group: Dim | undefined;
  for (const [tok] of side.matchAll(TOKEN)) {
    if (tok === '(') {
      if (group) throw new PatternError('nested brackets');
      group = [];
    } else if (tok === ')') {
      if (!group) throw new PatternError('a closing bracket without an opening one');
      dims.push(group);
      group = undefined;
    } else if (tok === '...') {
      throw new PatternError('an ellipsis (`...`): the rank is not known here');
    } else if (/^\d+$/.test(tok)) {
      const size = Number(tok);
      const items: Dim = size === 1 ? [] : [{ size }];
      if (group) group.push(...items);
      else dims.push(items);
    } else if (/^[A-Za-z_]/.test(tok)) {
      if (group) group.push({ name: tok });
      else dims.push([{ name: tok }]);
    } else {
      throw new PatternError(`\`${tok}\` in the pattern`);
    }
  }
  if (group) throw new PatternError('an unclosed bracket');
  const seen = new Set<string>();
  for (const d of dims)
    for (const it of d)
      if ('name' in it) {
        if (seen.has(it.name)) throw new PatternError(`axis \`${it.name}\` twice on one side`);
        seen.add(it.name);
      }
  return dims;
}

/** A size expression and what it costs: whether it names the tensor, whether it is worked out (a product, `//`). */
interface Size {
  text: string;
  xref: boolean;
  computed: boolean;
}

const ATOM = /^(-?\d+|[A-Za-z_][\w.]*(\[[^\]]*\])*|\(.*\))$/;
const paren = (s: string) => (ATOM.test(s) ? s : `(${s})`);

function product(sizes: Size[]): Size {
  if (sizes.length === 0) return { text: '1', xref: false, computed: false };
  if (sizes.length === 1) return sizes[0];
  return { text: sizes.map((s) => paren(s.text)).join(' * '), xref: sizes.some((s) => s.xref), computed: true };
}

/** A reshape's arguments, -1 for one dimension: a worked-out one first, else one naming the tensor. */
function reshapeArgs(sizes: Size[]): string[] {
  let pick = sizes.findIndex((s) => s.computed);
  if (pick < 0) pick = sizes.findIndex((s) => s.xref);
  return sizes.map((s, i) => (i === pick ? '-1' : s.text));
}

const names = (dims: Dim[]) => dims.flatMap((d) => d.flatMap((it) => ('name' in it ? [it.name] : [])));
const isIdentity = (perm: number[]) => perm.every((p, i) => p === i);

export function einopsToMethods(call: EinopsCall): EinopsPlan {
  try {
    return { ok: true, code: compile(call) };
  } catch (e) {
    if (e instanceof PatternError) return { ok: false, why: e.message };
    throw e;
  }
}

function compile(call: EinopsCall): string {
  const arrow = call.pattern.split('->');
  if (arrow.length !== 2) throw new PatternError('a pattern without one `->`');
  const left = parseSide(arrow[0]);
  const right = parseSide(arrow[1]);
  const { op, tensor } = call;
  const sizes = new Map(call.sizes);
  if (op === 'reduce') {
    // reduce may name reduced axes by their size alone: `(h 2)`
    let k = 0;
    for (const dim of left)
      dim.forEach((it, j) => {
        if ('size' in it) {
          const name = `#${k++}`;
          sizes.set(name, String(it.size));
          dim[j] = { name };
        }
      });
  }
  const shape = (i: number): Size => ({ text: `${tensor}.shape[${i}]`, xref: true, computed: false });
  const given = (name: string): Size | undefined => {
    const t = sizes.get(name);
    return t === undefined ? undefined : { text: t, xref: false, computed: false };
  };

  // the input's axes and their sizes
  const size = new Map<string, Size>();
  let split = false;
  left.forEach((dim, i) => {
    if (dim.some((it) => 'size' in it)) throw new PatternError('an anonymous axis other than 1 on the left');
    const axes = dim as { name: string }[];
    if (axes.length !== 1) split = true;
    if (axes.length === 1) {
      size.set(axes[0].name, given(axes[0].name) ?? shape(i));
      return;
    }
    const unknown = axes.filter((a) => !sizes.has(a.name));
    if (unknown.length > 1) throw new PatternError(`the group of axis ${i} needs the sizes of all but one of its axes`);
    const known = axes.filter((a) => sizes.has(a.name)).map((a) => given(a.name)!);
    for (const a of axes) if (sizes.has(a.name)) size.set(a.name, given(a.name)!);
    if (unknown.length === 1) {
      const whole = shape(i);
      size.set(unknown[0].name, { text: `${whole.text} // ${paren(product(known).text)}`, xref: true, computed: true });
    }
  });
  let current = names(left);
  const steps: string[] = [];
  if (split) steps.push(`.reshape(${reshapeArgs(current.map((n) => size.get(n)!)).join(', ')})`);

  // reduce: the axes the right side lacks
  const rightNames = names(right);
  let code: string | undefined;
  if (op === 'reduce') {
    const reduced = current.filter((n) => !rightNames.includes(n));
    if (reduced.length) {
      const fn = ({ mean: 'mean', sum: 'sum', max: 'amax', min: 'amin', prod: 'prod' } as const)[call.reduction ?? ''];
      if (!fn || !call.reduceFunction) throw new PatternError(`the reduction ${call.reduction ? `\`${call.reduction}\`` : 'given'} is not one of mean, sum, max, min, prod`);
      if (fn === 'prod' && reduced.length > 1) throw new PatternError('a product over several axes');
      const dims = reduced.map((n) => current.indexOf(n));
      code = `${call.reduceFunction(fn)}(${tensor + steps.join('')}, ${dims.length === 1 ? dims[0] : `(${dims.join(', ')})`})`;
      steps.length = 0;
      current = current.filter((n) => !reduced.includes(n));
    }
  }
  for (const n of rightNames) {
    if (current.includes(n)) continue;
    if (op !== 'repeat') throw new PatternError(`axis \`${n}\` is only on the right`);
    if (!sizes.has(n)) throw new PatternError(`the new axis \`${n}\` has no size`);
    size.set(n, given(n)!);
  }
  for (const n of current) if (!rightNames.includes(n)) throw new PatternError(`axis \`${n}\` is only on the left`);
  if (op !== 'repeat' && right.some((d) => d.some((it) => 'size' in it))) throw new PatternError('an anonymous axis other than 1 on the right');

  // the kept axes in the right side's order
  const kept = rightNames.filter((n) => current.includes(n));
  const perm = kept.map((n) => current.indexOf(n));
  if (!isIdentity(perm)) steps.push(`.permute(${perm.join(', ')})`);
  current = kept;

  // repeat: new axes inserted (size 1) where the right side has them, then broadcast
  const elementary = right.flat();
  const itemSize = (it: Item): Size => ('name' in it ? size.get(it.name)! : { text: String(it.size), xref: false, computed: false });
  if (elementary.length > current.length) {
    elementary.forEach((it, k) => {
      if (!('name' in it) || !current.includes(it.name)) steps.push(`.unsqueeze(${k})`);
    });
    const target = elementary.map((it) => ('name' in it && current.includes(it.name) ? '-1' : itemSize(it).text));
    steps.push(`.broadcast_to((${target.join(', ')}${target.length === 1 ? ',' : ''}))`);
  }

  // groups and unit axes of the right side
  if (right.some((d) => d.length !== 1)) steps.push(`.reshape(${reshapeArgs(right.map((d) => product(d.map(itemSize)))).join(', ')})`);

  if (!call.repeatable && (steps.some((s) => s.includes(`${tensor}.shape`)) || code?.includes(`${tensor}.shape`)))
    throw new PatternError('the tensor expression would be written more than once (give it a name first)');
  return (code ?? tensor) + steps.join('');
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * An einops.einsum pattern (`'batch i d, batch j d -> batch i j'`) as the equation of a one-letter einsum
 * (`'bid,bjd->bij'`): each axis name gets a letter (itself if it is one, else its first letter while that is free);
 * `...` stays.
 */
export function einsumEquation(pattern: string): { ok: true; equation: string } | { ok: false; why: string } {
  const arrow = pattern.split('->');
  if (arrow.length !== 2) return { ok: false, why: 'a pattern without one `->`' };
  const letters = new Map<string, string>();
  const taken = new Set<string>();
  const letterOf = (name: string): string | undefined => {
    let l = letters.get(name);
    if (l) return l;
    l = [name[0], ...LETTERS].find((c) => LETTERS.includes(c) && !taken.has(c));
    if (!l) return undefined;
    letters.set(name, l);
    taken.add(l);
    return l;
  };
  // the names written as single letters keep them: reserve those first
  for (const [tok] of pattern.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (tok.length === 1 && LETTERS.includes(tok)) letterOf(tok);
  const side = (s: string): string | undefined => {
    let out = '';
    for (const [tok] of s.matchAll(/\.\.\.|[A-Za-z_][A-Za-z0-9_]*|\S/g)) {
      if (tok === '...') out += '...';
      else if (/^[A-Za-z_]/.test(tok)) {
        const l = letterOf(tok);
        if (!l) return undefined;
        out += l;
      } else return undefined;
    }
    return out;
  };
  const inputs = arrow[0].split(',').map(side);
  const output = side(arrow[1]);
  if (output === undefined || inputs.some((i) => i === undefined)) return { ok: false, why: 'the pattern has brackets, numbers or more than 52 axis names' };
  return { ok: true, equation: `${inputs.join(',')}->${output}` };
}
