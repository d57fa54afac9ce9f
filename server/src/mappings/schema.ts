// The shape of the mapping database (mappings/*.json), validated with zod at load time and in tests.
// One file holds `{ "$schema"?: string, "source"?: string, "entries": { "<torch api>": Entry } }`.
import * as z from 'zod';

/** MindSpore release lines the database knows about, oldest first. */
export const MS_VERSIONS = ['2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10'] as const;
export type MsVersion = (typeof MS_VERSIONS)[number];

export const Platform = z.enum(['Ascend', 'GPU', 'CPU']);
export type Platform = z.infer<typeof Platform>;

/** How a MindSpore twin relates to the torch API. */
export const Status = z.enum([
  'same', // same behaviour: a rename is enough
  'args', // argument differences (renamed, dropped, unsupported, default changed)
  'behavior', // behaviour differs beyond the arguments
  'none', // no MindSpore equivalent
]);
export type Status = z.infer<typeof Status>;

/** One argument-level difference between the torch API and a MindSpore twin. */
export const ArgDiff = z.strictObject({
  /** The torch argument name (`-` style absence is written as a missing field). */
  torch: z.string().min(1).optional(),
  /** The MindSpore argument name, when there is one. */
  ms: z.string().min(1).optional(),
  change: z.enum(['renamed', 'dropped', 'unsupported', 'default', 'behavior', 'added']),
  /** Changed default: the MindSpore default, as Python source. */
  msDefault: z.string().optional(),
  /**
   * For `added`: the value (Python source) rewrites pass for this MindSpore argument so that the call keeps
   * torch's behaviour (nn.Conv2d: `pad_mode='pad'`, since MindSpore's default 'same' pads where torch does not).
   */
  value: z.string().optional(),
  /** For `added` with a value: not when this torch argument is given as a string (`padding='same'` names a mode). */
  unlessString: z.string().optional(),
  /**
   * For `added` with a value: only when this torch argument is passed (the pooling layers take `padding` only
   * with `pad_mode='pad'`; without it, their default 'valid' is torch's no padding).
   */
  whenPassed: z.string().min(1).optional(),
  /**
   * For `added` with a value: the value makes MindSpore return a plain tuple where torch returns a named one
   * (`Tensor.max(dim)`: values, indices): reads of these fields become indexes (`.values` → `[0]`).
   */
  namedResult: z.array(z.string().min(1)).optional(),
  /** For `renamed`: only when the value passed is a string (`padding='same'` → `pad_mode='same'`). */
  whenString: z.boolean().optional(),
  /**
   * For `behavior`: the difference does not apply to a list (a list display or comprehension) passed by position
   * (nn.ModuleList: CellList takes one list, by position, and fails on a tuple, a generator or `modules=`).
   */
  whenNotList: z.boolean().optional(),
  /** For `renamed`: MindSpore takes 1 − the torch value (BatchNorm `momentum` weighs the running statistic). */
  complement: z.boolean().optional(),
  /**
   * For `renamed`: torch value (Python source) → MindSpore value, for arguments whose values are spelled
   * differently (nn.GELU `approximate`: `'none'` → `False`). Other values make the fix unsafe. Also applied to
   * torch's default when a `default` difference spells it out.
   */
  valueMap: z.record(z.string(), z.string()).optional(),
  /**
   * For `default`: torch's default is the value passed for this other torch parameter (the pooling layers'
   * `stride` defaults to `kernel_size`); rewrites pass that value explicitly.
   */
  torchDefaultFrom: z.string().min(1).optional(),
  /** Short explanation in the project's own words. */
  note: z.string().optional(),
});
export type ArgDiff = z.infer<typeof ArgDiff>;

/** One torch parameter: name and default (Python source) if it has one. */
export const Param = z.strictObject({
  name: z.string().min(1),
  default: z.string().optional(),
  /** keyword-only (after `*`) */
  kwOnly: z.boolean().optional(),
});
export type Param = z.infer<typeof Param>;

export const Twin = z.strictObject({
  /** Fully-qualified MindSpore name, e.g. `mindspore.mint.nn.functional.relu` or `mindspore.Tensor.view`. */
  api: z.string().regex(/^mindspore(\.[A-Za-z_][A-Za-z0-9_]*)+$/, 'must be a dotted mindspore.* name'),
  status: Status.exclude(['none']),
  /** The first MindSpore version that has this twin. */
  since: z.enum(MS_VERSIONS).optional(),
  /** Supported platforms per MindSpore version ("Supported Platforms" of the API docs). */
  platforms: z.partialRecord(z.enum(MS_VERSIONS), z.array(Platform)).optional(),
  args: z.array(ArgDiff).optional(),
  /**
   * How the twin is called: `method` (on an instance), `static` (a static/class method called on the class),
   * `function` or `class`. When omitted it is inferred from the name (`mindspore.Tensor.view` is a method).
   */
  form: z.enum(['function', 'class', 'method', 'static']).optional(),
  /**
   * The torch parameters keep their names but not their order (nn.BCEWithLogitsLoss takes `reduction` first):
   * rewrites pass every positional argument by keyword, from the first one.
   */
  keywordFrom: z.string().min(1).optional(),
  /**
   * For a `behavior` twin whose difference does not apply to a value stored on `self` (nn.Parameter: a Cell
   * attribute is named after the attribute): `self.x = torch_api(a, kw=...)` with at most one positional argument
   * and only these keywords behaves the same.
   */
  sameAsSelfAttribute: z.strictObject({ keywords: z.array(z.string().min(1)) }).optional(),
  /**
   * Renaming the call would run and do something else (`clip_grad_norm_` clips the gradients in place; `ops.clip_by_norm`
   * returns clipped copies of what it is given): the call is rewritten by hand, as the note says, and gets no rename fix.
   */
  byHand: z.literal(true).optional(),
  /**
   * Torch parameters MindSpore takes only by position, in this order (`mint.randint(*args)`): given by keyword
   * (`low=1, high=5, size=(3,)`), in this order and before other keywords, they are passed by position.
   */
  positionalOnly: z.array(z.string().min(1)).optional(),
  /** CANN aclnn operator behind a mint API on Ascend. */
  aclnn: z.string().optional(),
  /** Official difference page. */
  doc: z.url().optional(),
  note: z.string().optional(),
});
export type Twin = z.infer<typeof Twin>;

export const Entry = z.strictObject({
  kind: z.enum(['function', 'class', 'method', 'attribute', 'module']).optional(),
  /** Overall status: derived from the twins when omitted. */
  status: Status.optional(),
  /** The torch signature, in order. */
  params: z.array(Param).optional(),
  /** The `mindspore.mint` twin. */
  mint: Twin.optional(),
  /** The classic `mindspore.ops` / `mindspore.nn` / `mindspore.Tensor` twin. */
  classic: Twin.optional(),
  /**
   * The same value from Python's standard library (`torch.pi` is `math.pi`): with status `none`, rewrites name it
   * (MSP101, a safe fix adding `import math`), or a builtin type (`torch.Size` is `tuple`: a MindSpore shape is one).
   */
  python: z.string().regex(/^(math\.[a-z_]+|tuple)$/, 'must be a math.* name or tuple').optional(),
  /**
   * With status `none`: the rule named here writes calls out in MindSpore terms (MSP106's einops patterns, MSP103's
   * typed constructors): the statistics count such a use as one with differences that is ready to port.
   */
  writtenOutBy: z.string().regex(/^MSP\d{3}$/).optional(),
  /**
   * With status `none` and a `rule`: MindSpore has no use for the API (a device move, a CUDA setting, a grad mode
   * outside a differentiated function) and the port deletes it, which that rule offers to do. The statistics count
   * such a use as not needed, and as ready to port.
   */
  notNeeded: z.literal(true).optional(),
  /** What real ports do instead, in the project's own words (always set for status `none`). */
  advice: z.string().optional(),
  note: z.string().optional(),
  /** A MindPort rule that owns this API (e.g. MSP201 for torch.fft.*): the generic mapping rules stay silent. */
  rule: z.string().regex(/^MSP\d{3}$/).optional(),
  /** Section of the official table, or `extra` for hand-written entries. */
  section: z.string().optional(),
  /** Where the facts come from. */
  sources: z.array(z.string()).optional(),
  /** Aliases: other torch names for the same API (e.g. `torch.Tensor.absolute`). */
  aliases: z.array(z.string()).optional(),
});
export type Entry = z.infer<typeof Entry>;

export const MappingFile = z.strictObject({
  $schema: z.string().optional(),
  /** `generated` files are written by `npm run mappings:import`; `overlay` files are hand-written and win. */
  layer: z.enum(['generated', 'overlay']),
  description: z.string().optional(),
  entries: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/, 'must be a dotted torch name'), z.unknown()),
});
export type MappingFile = z.infer<typeof MappingFile>;
