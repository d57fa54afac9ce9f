// MSP106: einops. It has no MindSpore backend, so each `rearrange` / `repeat` / `reduce` call is written out as the
// Tensor methods its pattern stands for (engine/einopsPattern.ts), `einsum` becomes the target's einsum with a
// one-letter equation, and the einops layers become Cells of the file whose construct runs that code. A call's fix
// is safe when the tensor is known to be one (the written-out code calls Tensor methods; einops also takes NumPy
// arrays and lists), else unsafe; a layer's is unsafe (it adds a class).
import { einopsToMethods, einsumEquation, type EinopsOp } from '../einopsPattern';
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { argOf, callArgs, claimUses, freshName, insertBeforeStatement, isRepeatable, lineStartOf, mindsporeNamer, reportAdvice, ruleOwned, tick } from './util';

const FUNCTIONS = /^einops\.(rearrange|repeat|reduce)$/;
const LAYERS = /^einops\.layers\.\w+\.(Rearrange|Reduce)$/;
/** Expressions written before `.method(...)` as they are. */
const PRIMARY = new Set(['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression']);

/** A plain string literal's value (no f-string, bytes or escapes), else undefined. */
function literal(n: Node | undefined): string | undefined {
  if (n?.type !== 'string') return undefined;
  const m = /^([rRuU]?)('''|"""|'|")([\s\S]*)\2$/.exec(n.text);
  if (!m || (m[3].includes('\\') && !m[1].match(/[rR]/))) return undefined;
  return m[3];
}

interface Written {
  code?: string;
  why?: string;
}

/** The call's pattern written out, or why not. `tensor` undefined: a layer (its construct's input is `x`). */
function writeOut(
  ctx: RuleContext,
  op: EinopsOp,
  use: ApiUse,
  layer: boolean,
  sizeText: (name: string, arg: Node) => string = (_, arg) => arg.text,
): Written & { tensor?: Node; reduceEdits?: TextEdit[]; sizeArgs?: Node[]; /** the pattern (and reduction) as written */ patternText?: string } {
  const args = callArgs(use.call);
  if (!args) return { why: 'the call has no arguments' };
  if (args.hasSplat) return { why: 'axis sizes are passed with ** (their names are not known here)' };
  const at = layer ? 0 : 1; // a layer's pattern comes first, a function's after the tensor
  const tensor = layer ? undefined : argOf(args, 'tensor', 0);
  if (!layer && !tensor) return { why: 'the call names no tensor' };
  if (tensor?.type === 'list' || tensor?.type === 'tuple' || tensor?.type === 'list_comprehension')
    return { why: 'einops stacks a list of tensors first: stack them (mint.stack) and write the pattern with one more axis' };
  const patternNode = argOf(args, 'pattern', at);
  const pattern = literal(patternNode);
  if (pattern === undefined) return { why: 'the pattern is not a plain string literal' };
  const reductionNode = op === 'reduce' ? argOf(args, 'reduction', at + 1) : undefined;
  const reduction = reductionNode ? literal(reductionNode) : undefined;
  if (op === 'reduce' && reduction === undefined) return { why: 'the reduction is not one of the named ones' };
  const sizes = new Map<string, string>();
  const sizeArgs: Node[] = [];
  for (const [k, v] of args.keywords)
    if (!['tensor', 'pattern', 'reduction'].includes(k)) {
      sizes.set(k, sizeText(k, v.value));
      sizeArgs.push(v.arg);
    }
  const positionalUsed = layer ? (op === 'reduce' ? 2 : 1) : op === 'reduce' ? 3 : 2;
  if (args.positional.length > positionalUsed) return { why: 'the call has more positional arguments than einops takes' };
  const reduceEdits: TextEdit[] = [];
  const plan = einopsToMethods({
    op,
    pattern,
    sizes,
    tensor: tensor ? (PRIMARY.has(tensor.type) ? tensor.text : `(${tensor.text})`) : 'x',
    repeatable: tensor ? isRepeatable(tensor) : true,
    reduction,
    reduceFunction: (name) => mindsporeNamer(ctx, reduceEdits)(`mindspore.mint.${name}`),
  });
  const patternText = reductionNode ? `${patternNode!.text}, ${reductionNode.text}` : patternNode!.text;
  return plan.ok ? { code: plan.code, tensor, reduceEdits, sizeArgs, patternText } : { why: plan.why };
}

/** Whether the resolution knows `n` to be a tensor. */
function knownTensor(ctx: RuleContext, n: Node): boolean {
  const v = ctx.resolution.instances.get(n.id);
  return v?.qname === 'torch.Tensor' && v.confidence === 'high';
}

const KEYWORDS = new Set(['self', 'x', 'super', 'None', 'True', 'False', 'class', 'def', 'return', 'lambda', 'import', 'from', 'pass']);

/**
 * An einops layer (`Rearrange('b c h w -> b (h w) c')`, `Reduce(...)`) as a Cell of this file: the class goes before
 * the top-level statement holding the call, takes the axis sizes the call passes as its own arguments (kept as
 * attributes), and its construct returns the written-out code. Unsafe: a new class, named freshly.
 */
function layerFix(ctx: RuleContext, op: EinopsOp, use: ApiUse, className: string): Fix | undefined {
  const w = writeOut(ctx, op, use, true, (name) => `self.${name}`);
  if (w.code === undefined || !w.sizeArgs || w.sizeArgs.some((a) => KEYWORDS.has(a.childForFieldName('name')?.text ?? ''))) return undefined;
  let top: Node = use.call!;
  while (top.parent && top.parent.type !== 'module') top = top.parent;
  if (!top.parent) return undefined;
  const names = w.sizeArgs.map((a) => a.childForFieldName('name')!.text);
  const imports: TextEdit[] = [];
  const cell = mindsporeNamer(ctx, imports)('mindspore.nn.Cell');
  // two blank lines around the class (PEP 8), unless the line above is blank already
  const above = ctx.text.slice(0, lineStartOf(ctx.text, top.startIndex));
  const lines = [
    ...(above === '' || /\n[ \t]*\r?\n$/.test(above) ? [] : ['', '']),
    `class ${className}(${cell}):`,
    `    """${use.nameNode.text}(${w.patternText}) written out (einops has no MindSpore backend)."""`,
    '',
    `    def __init__(self${names.map((n) => `, ${n}`).join('')}):`,
    '        super().__init__()',
    ...names.map((n) => `        self.${n} = ${n}`),
    '',
    '    def construct(self, x):',
    `        return ${w.code}`,
    '',
    '',
  ];
  const edits: TextEdit[] = [
    { start: use.call!.startIndex, end: use.call!.endIndex, newText: `${className}(${w.sizeArgs.map((a) => a.text).join(', ')})` },
    insertBeforeStatement(ctx.text, top, lines),
    ...(w.reduceEdits ?? []),
    ...imports,
  ];
  return { title: `Write the einops layer out as a Cell (${className})`, applicability: 'unsafe', edits };
}

/** einops.einsum(a, b, 'b i d, b j d -> b i j') → the target's einsum with a one-letter equation, operands after it. */
function einsumFix(ctx: RuleContext, use: ApiUse): { fix?: Fix; code?: string; why?: string } {
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.keywords.size || args.positional.length < 2) return { why: 'it takes its operands, then the pattern, by position' };
  const operands = args.positional.slice(0, -1);
  const pattern = literal(args.positional[args.positional.length - 1]);
  if (pattern === undefined) return { why: 'the pattern is not a plain string literal' };
  const eq = einsumEquation(pattern);
  if (!eq.ok) return { why: eq.why };
  const entry = ctx.db.get('torch.einsum');
  const twin = entry && ctx.db.choose(entry, ctx.target).twin;
  if (!twin || !/^mindspore\.[\w.]+$/.test(twin.api)) return { why: `MindSpore ${ctx.target.version} on ${ctx.target.device} has no einsum` };
  const imports: TextEdit[] = [];
  const code = `${mindsporeNamer(ctx, imports)(twin.api)}('${eq.equation}', ${operands.map((o) => o.text).join(', ')})`;
  const safe = operands.every((o) => knownTensor(ctx, o));
  const edits: TextEdit[] = [{ start: use.call!.startIndex, end: use.call!.endIndex, newText: code }, ...imports];
  return { code, fix: { title: `Use ${twin.api} with a one-letter equation`, applicability: safe ? 'safe' : 'unsafe', edits } };
}

export const msp106Rule: Rule = {
  codes: ['MSP106'],
  order: 20,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP106', (q) => q.startsWith('einops.') || ruleOwned(ctx, 'MSP106', q));
    if (!ctx.enabled('MSP106')) return;
    // each layer's Cell gets its own name: EinopsRearrange, EinopsRearrange2, ... (none the file binds)
    const taken = new Set<string>();
    for (const use of uses) {
      if (use.qname === 'einops.einsum' && use.context === 'call' && use.call) {
        const e = einsumFix(ctx, use);
        if (e.fix) reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)} → ${tick(e.code!)}: einops has no MindSpore backend; einsum takes one letter per axis.`, { fixes: [e.fix], withAdvice: false });
        else reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)}: einops has no MindSpore backend; MindPort cannot write this call out: ${e.why}.`);
        continue;
      }
      const fn = FUNCTIONS.exec(use.qname);
      const layer = LAYERS.exec(use.qname);
      const called = use.context === 'call' && use.call !== undefined;
      if (!called || (!fn && !layer)) {
        reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)}: einops has no MindSpore backend.`);
        continue;
      }
      const op = (fn ? fn[1] : layer![1].toLowerCase()) as EinopsOp;
      const w = writeOut(ctx, op, use, !!layer);
      if (w.code === undefined) {
        reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)}: einops has no MindSpore backend; MindPort cannot write this call out: ${w.why}.`);
        continue;
      }
      if (layer) {
        const fix = layerFix(ctx, op, use, freshName(ctx, `Einops${layer[1]}`, taken));
        reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)}: einops has no MindSpore backend; a Cell whose construct(x) returns ${tick(w.code)} does the same.`, {
          fixes: fix ? [fix] : [],
          withAdvice: false,
        });
        continue;
      }
      const safe = !!w.tensor && knownTensor(ctx, w.tensor);
      const fix: Fix = {
        title: `Write the einops pattern out as Tensor methods`,
        applicability: safe ? 'safe' : 'unsafe',
        edits: [{ start: use.call!.startIndex, end: use.call!.endIndex, newText: w.code }, ...(w.reduceEdits ?? [])],
      };
      reportAdvice(ctx, 'MSP106', use, `${tick(use.qname)} → ${tick(w.code)}: einops has no MindSpore backend, and these Tensor methods do what the pattern says.`, {
        fixes: [fix],
        withAdvice: false,
      });
    }
  },
};
