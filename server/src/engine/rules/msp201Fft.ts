// MSP201: FFT and complex numbers. Ascend ports carry complex values as (re, im) pairs of float Tensors and
// compute FFTs as products with precomputed DFT matrices. The fix inserts the DFT helper once (or replaces one an
// older MindPort inserted, which lacks the function needed) and rewrites fft/ifft, rfft/irfft, fft2/ifft2,
// rfft2/irfft2 and fftn/ifftn calls whose axes are written out; view_as_complex/view_as_real become pair operations.
import { HELPER_END_PREFIX, helperMarkLines } from '../edits';
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import { DFT_HELPER_SOURCE } from './msp201DftHelper';
import type { Rule, RuleContext } from './types';
import { argOf, assignedValue, callArgs, claimUses, enclosing, enclosingStatement, eol, insertBeforeStatement, isAscend, isLiteralDims, lineStartOf, mindsporeNamer, reportAdvice, rootOf, ruleOwned, tick } from './util';

export const DFT_HELPER_MARKER = '# mindport: DFT helper';
const DFT_HELPER_END = '# mindport: end of DFT helper';

const COMPLEX_NAMES = new Set([
  'torch.view_as_complex', 'torch.view_as_real', 'torch.complex64', 'torch.complex128', 'torch.cfloat', 'torch.cdouble',
  'torch.complex', 'torch.polar', 'torch.Tensor.real', 'torch.Tensor.imag', 'torch.Tensor.conj', 'torch.Tensor.angle',
]);

/**
 * The transforms the helper writes out: its function, torch's size parameter (at position 1; dim follows it, then
 * norm), what it maps (`r2c`: a real Tensor to a (re, im) pair; `c2r`: a pair to a real Tensor; `c2c`: a real
 * Tensor or a pair to a pair) and whether the axes must be written out (fftn: all axes by default, which the
 * rewrite cannot count).
 */
const REWRITABLE: Record<string, { helper: string; size: string; maps: 'r2c' | 'c2r' | 'c2c'; needsDim?: boolean }> = {
  'torch.fft.rfft': { helper: 'dft_rfft', size: 'n', maps: 'r2c' },
  'torch.fft.irfft': { helper: 'dft_irfft', size: 'n', maps: 'c2r' },
  'torch.fft.rfft2': { helper: 'dft_rfft2', size: 's', maps: 'r2c' },
  'torch.fft.irfft2': { helper: 'dft_irfft2', size: 's', maps: 'c2r' },
  'torch.fft.fft': { helper: 'dft_fft', size: 'n', maps: 'c2c' },
  'torch.fft.ifft': { helper: 'dft_ifft', size: 'n', maps: 'c2c' },
  'torch.fft.fft2': { helper: 'dft_fft2', size: 's', maps: 'c2c' },
  'torch.fft.ifft2': { helper: 'dft_ifft2', size: 's', maps: 'c2c' },
  'torch.fft.fftn': { helper: 'dft_fftn', size: 's', maps: 'c2c', needsDim: true },
  'torch.fft.ifftn': { helper: 'dft_ifftn', size: 's', maps: 'c2c', needsDim: true },
};

/** The current helper's first line: an older MindPort's helper has another one (its dft_fft took a pair only). */
const HELPER_FIRST_LINE = DFT_HELPER_SOURCE.slice(0, DFT_HELPER_SOURCE.indexOf('\n'));

/**
 * The helper a fix can rely on: `insert` (none in the file), `current` (this MindPort's, with `fn`), `replace` (an
 * older MindPort's, from its first line to its end line), or `unusable` (edited by hand: its end line gone, or
 * `fn` missing from the current one): the fix is then withheld rather than calling a function that is not there.
 */
function helperState(text: string, fn: string): { kind: 'insert' | 'current' | 'unusable' } | { kind: 'replace'; start: number; end: number } {
  const at = text.indexOf(DFT_HELPER_MARKER);
  if (at < 0) return { kind: 'insert' };
  const start = lineStartOf(text, at);
  const lineEnd = text.indexOf('\n', start);
  const first = text.slice(start, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  if (first === HELPER_FIRST_LINE) return text.includes(`def ${fn}(`) ? { kind: 'current' } : { kind: 'unusable' };
  const endMark = text.indexOf(DFT_HELPER_END, start);
  return endMark < 0 ? { kind: 'unusable' } : { kind: 'replace', start, end: endMark + DFT_HELPER_END.length };
}

/** Where a helper's block stands: from its first line (`marker`) to its end line, which is left out. */
export function helperBlock(text: string, marker: string): { start: number; end: number } | undefined {
  const start = text.indexOf(marker);
  const end = start >= 0 ? text.indexOf(HELPER_END_PREFIX, start) : -1;
  return end > start ? { start, end } : undefined;
}

/** The text without a helper's block (its own definitions are no clash for the names it defines). */
export function withoutHelperBlock(text: string, marker: string): string {
  const b = helperBlock(text, marker);
  return b ? text.slice(0, b.start) + text.slice(b.end) : text;
}

/**
 * Inserts a helper's source once (none when the file has its first line, `marker`): after the last top-level
 * import (or docstring / __future__), or after `after` (a top-level statement that must run first: the import a
 * helper's names replace) when that comes later; else below the leading comments (a shebang, a coding line).
 * Never inside another helper's block. The DFT helper by default.
 */
export function helperInsertEdit(ctx: Pick<RuleContext, 'tree' | 'text'>, source = DFT_HELPER_SOURCE, marker = DFT_HELPER_MARKER, after?: Node): TextEdit | undefined {
  if (ctx.text.includes(marker)) return undefined;
  const text = ctx.text;
  const nl = eol(text);
  const src = source.replace(/\n/g, nl);
  let anchor: Node | undefined;
  for (const c of ctx.tree.rootNode.namedChildren) {
    if (!c) continue;
    if (c.type === 'import_statement' || c.type === 'import_from_statement' || c.type === 'future_import_statement') anchor = c;
    else if (c.type === 'comment') continue;
    else if (!anchor && c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string') anchor = c;
    else break;
  }
  if (after && (!anchor || after.endIndex > anchor.endIndex)) anchor = after;
  if (!anchor) {
    // below a shebang, a coding line and other leading comments
    const lead = /^(?:[ \t]*(?:#[^\r\n]*)?(?:\r?\n|\r))*/.exec(text)![0];
    const comments = lead.replace(/(?:[ \t]*(?:\r?\n|\r))*$/, '');
    if (!comments) return { start: 0, end: 0, newText: `${src}${nl}${nl}` };
    return { start: comments.length, end: comments.length, newText: `${nl}${nl}${src.replace(/\r?\n$/, '')}${nl}` };
  }
  let at = anchor.endIndex;
  while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at++;
  // an import of another helper's block: after that block's end line
  const marks = helperMarkLines();
  let open = -1;
  for (let m = marks.exec(text); m; m = marks.exec(text)) {
    if (!m[0].startsWith(HELPER_END_PREFIX)) open = m.index;
    else if (open >= 0 && open < at && at <= m.index) at = m.index + m[0].length;
  }
  return { start: at, end: at, newText: `${nl}${nl}${src.replace(/\r?\n$/, '')}${nl}` };
}

function rewriteFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const spec = REWRITABLE[use.qname];
  if (!spec || use.context !== 'call' || use.via !== 'import' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  for (const k of args.keywords.keys()) if (!['input', spec.size, 'dim', 'norm'].includes(k)) return undefined;
  if (args.positional.length > 4) return undefined;
  const input = argOf(args, 'input', 0);
  const size = argOf(args, spec.size, 1);
  const dim = argOf(args, 'dim', 2);
  const norm = argOf(args, 'norm', 3);
  if (!input) return undefined;
  if (dim && !isLiteralDims(dim)) return undefined; // axes must be visible
  if (spec.needsDim && !dim) return undefined;
  // the 2-D and n-D transforms with one int for dim or s (torch takes that too): the helper wants sequences
  const oneInt = (n: Node | undefined) => !!n && (n.type === 'integer' || (n.type === 'unary_operator' && n.namedChildren[0]?.type === 'integer'));
  if (spec.size === 's' && (oneInt(dim) || oneInt(size))) return undefined;
  const state = helperState(ctx.text, spec.helper);
  if (state.kind === 'unusable') return undefined;
  if (norm && norm.type !== 'string' && norm.text !== 'None') return undefined;
  const parts = [input.text];
  if (size && size.text !== 'None') parts.push(`${spec.size}=${size.text}`);
  if (dim) parts.push(`dim=${dim.text}`);
  if (norm && norm.text !== 'None') parts.push(`norm=${norm.text}`);
  // `.real` / `.imag` of the result: that part of the pair
  const parent = use.call.parent;
  const part = spec.maps !== 'c2r' && parent?.type === 'attribute' && parent.childForFieldName('object')?.id === use.call.id ? parent.childForFieldName('attribute')?.text : undefined;
  const index = part === 'real' ? 0 : part === 'imag' ? 1 : undefined;
  const whole = index === undefined ? use.call : parent!;
  const edits: TextEdit[] = [{ start: whole.startIndex, end: whole.endIndex, newText: `${spec.helper}(${parts.join(', ')})${index === undefined ? '' : `[${index}]`}` }];
  // the result changes from a complex Tensor to a (re, im) pair (or takes one): leave a reminder above the statement
  // (not for a part of a real input's transform, `rfft(x).real`: nothing changes for the code around it)
  const stmt = spec.maps === 'r2c' && index !== undefined ? undefined : enclosingStatement(use.call);
  if (stmt) {
    const note =
      spec.maps === 'c2r'
        ? `${spec.helper} takes a (re, im) pair: pass the real and imaginary parts`
        : index !== undefined
          ? `${spec.helper} takes a real Tensor or a (re, im) pair: check what is passed (its ${part} part is taken)`
          : `${spec.helper} ${spec.maps === 'c2c' ? 'takes a real Tensor or a (re, im) pair and ' : ''}returns a (re, im) pair: adapt the code that uses the result`;
    const todo = `# TODO(mindport) MSP201: ${note}`;
    // not again when the comment lines right above the statement have it (a fix of an earlier pass left it)
    if (!commentsAbove(ctx.text, stmt.startIndex).includes(todo)) edits.push(insertBeforeStatement(ctx.text, stmt, [todo]));
  }
  const helper =
    state.kind === 'replace'
      ? { start: state.start, end: state.end, newText: DFT_HELPER_SOURCE.replace(/\n/g, eol(ctx.text)).replace(/\r?\n$/, '') }
      : state.kind === 'insert'
        ? helperInsertEdit(ctx)
        : undefined;
  if (helper) edits.push(helper);
  return {
    title: `Rewrite with the DFT helper (${spec.helper}, returns a (re, im) pair)`,
    applicability: 'unsafe',
    edits,
  };
}

/** The comment lines right above the line at `at` (up to the first line that is not one), trimmed. */
function commentsAbove(text: string, at: number): string[] {
  const out: string[] = [];
  let end = lineStartOf(text, at); // the line above ends just before this
  while (end > 0) {
    let e = end; // without the line break (\n, \r\n or \r)
    if (text[e - 1] === '\n') e--;
    if (text[e - 1] === '\r') e--;
    const start = lineStartOf(text, e);
    const line = text.slice(start, e).trim();
    if (!line.startsWith('#')) break;
    out.push(line);
    end = start;
  }
  return out;
}

function pairFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.context !== 'call' || use.via !== 'import' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.all.length !== 1 || args.positional.length !== 1) return undefined;
  const x = args.positional[0];
  if (use.qname === 'torch.view_as_complex') {
    return {
      title: 'Split into a (re, im) pair',
      applicability: 'unsafe',
      edits: [{ start: use.call.startIndex, end: use.call.endIndex, newText: `(${x.text}[..., 0], ${x.text}[..., 1])` }],
    };
  }
  if (use.qname === 'torch.view_as_real') {
    const plan = ctx.imports.plan('mindspore.ops.stack');
    const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: `${plan.expr}(${x.text}, -1)` }];
    if (plan.edit) edits.push(plan.edit);
    return { title: 'Stack the (re, im) pair on a last axis', applicability: 'unsafe', edits };
  }
  return undefined;
}

/**
 * `torch.fft.fftfreq(n, d=...)` / `rfftfreq`: the sample frequencies are bookkeeping, not an FFT, computed on the
 * host with NumPy's functions of the same name and made a float32 Tensor (torch's default dtype). Unsafe: `n` and
 * `d` must be Python numbers there (a Tensor spacing would be NumPy's to convert).
 */
function frequenciesFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const fn = /^torch\.fft\.(r?fftfreq)$/.exec(use.qname)?.[1];
  if (!fn || use.context !== 'call' || use.via !== 'import' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat || args.positional.length > 2) return undefined;
  for (const k of args.keywords.keys()) if (!['n', 'd', 'device'].includes(k)) return undefined; // dtype=, requires_grad=, out=: by hand
  const n = argOf(args, 'n', 0);
  const d = argOf(args, 'd', 1);
  if (!n) return undefined;
  const edits: TextEdit[] = [];
  const np = ctx.imports.planModule('numpy', 'np');
  if (!np || boundAround(use.call, np.expr)) return undefined;
  if (np.edit) edits.push(np.edit);
  const name = mindsporeNamer(ctx, edits);
  const code = `${name('mindspore.Tensor')}(${np.expr}.fft.${fn}(${n.text}${d ? `, ${d.text}` : ''}), dtype=${name('mindspore.float32')})`;
  edits.unshift({ start: use.call.startIndex, end: use.call.endIndex, newText: code });
  return { title: `Compute the frequencies on the host (${np.expr}.fft.${fn})`, applicability: 'unsafe', edits };
}

/** Whether a function or lambda around `node` binds `name` itself (a parameter, an assignment, a loop or `as` target). */
function boundAround(node: Node, name: string): boolean {
  const binding = new RegExp(`(?<![\\w.])${name}\\s*(?:=(?!=)|,[^\\n]*=(?!=))|\\bfor\\s+${name}\\b|\\bas\\s+${name}\\b`);
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'function_definition' && p.type !== 'lambda') continue;
    const params = p.childForFieldName('parameters');
    if (params?.namedChildren.some((c) => c && (c.text === name || c.text.startsWith(`${name}:`) || c.text.startsWith(`${name}=`) || c.text.startsWith(`*${name}`)))) return true;
    const body = p.childForFieldName('body');
    if (body && binding.test(body.text)) return true;
  }
  return false;
}

const COMPLEX_PRODUCERS = /^torch\.(fft\.\w+|view_as_complex|complex|polar)$/;
/** Tensor methods whose result is as complex as their receiver (views, copies, arithmetic). */
const KEEPS_COMPLEX = new Set(['reshape', 'view', 'permute', 'transpose', 'contiguous', 'clone', 'to', 'flatten', 'unsqueeze', 'squeeze', 'roll', 'narrow', 'expand', 'flip', 'conj', 'mul', 'add', 'sub', 'div']);

export const msp201Rule: Rule = {
  codes: ['MSP201'],
  order: 20,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP201', (q) => q.startsWith('torch.fft.') || COMPLEX_NAMES.has(q) || ruleOwned(ctx, 'MSP201', q));
    if (!ctx.enabled('MSP201')) return;
    const ascend = isAscend(ctx);
    const severity = ascend ? undefined : 'info';
    const where = ascend
      ? 'Ascend ports use no FFT operator and no complex dtype.'
      : `complex and FFT support in MindSpore is limited (target ${ctx.target.device}); the Ascend-ready form works everywhere.`;
    for (const use of uses) {
      const isFft = use.qname.startsWith('torch.fft.');
      const fallback = isFft
        ? 'Multiply by precomputed DFT matrices (real/imaginary float parts, built on the host) and carry complex values as (re, im) pairs.'
        : 'Keep real and imaginary parts as two float Tensors.';
      const fix = isFft ? (rewriteFix(ctx, use) ?? frequenciesFix(ctx, use)) : pairFix(ctx, use);
      reportAdvice(ctx, 'MSP201', use, `${tick(use.qname)}: ${where}`, { severity, fallback, fixes: fix ? [fix] : [] });
    }
    // complex einsum: an einsum over a name whose last assignment before it, in its scope, is an FFT's or
    // view_as_complex's result (`x = torch.view_as_real(x)` after an FFT makes x real again)
    const producers = new Set<number>();
    for (const use of uses) if (COMPLEX_PRODUCERS.test(use.qname) && use.call) producers.add(use.call.id);
    /** Whether each assigned value is complex, by node id (false while it is being worked out: cycles). */
    const complexValue = new Map<number, boolean>();
    /**
     * Whether an expression's value is complex at `at` in `scope`: a producer's result, a view, part or arithmetic of
     * a complex value, or a name whose last assignment before `at` is one of those. Every name followed is read.
     */
    const exprComplex = (n: Node | null, at: number, scope: Node): boolean => {
      if (!n) return false;
      switch (n.type) {
        case 'call': {
          if (producers.has(n.id)) return true;
          const fn = n.childForFieldName('function');
          const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
          return !!method && KEEPS_COMPLEX.has(method) && exprComplex(fn!.childForFieldName('object'), at, scope);
        }
        case 'identifier': {
          const value = assignedValue(scope, n.text, at); // incremental analysis learns of the read
          if (!value) return false;
          let complex = complexValue.get(value.id);
          if (complex === undefined) {
            complexValue.set(value.id, false);
            complex = exprComplex(value, value.startIndex, scope);
            complexValue.set(value.id, complex);
          }
          return complex;
        }
        case 'subscript':
          return exprComplex(n.childForFieldName('value'), at, scope);
        case 'binary_operator':
          return exprComplex(n.childForFieldName('left'), at, scope) || exprComplex(n.childForFieldName('right'), at, scope);
        case 'unary_operator':
        case 'parenthesized_expression':
          return exprComplex(n.namedChildren.find((c) => c?.type !== 'comment') ?? null, at, scope);
        default:
          return false; // x.real, x.imag, self.w, literals
      }
    };
    for (const use of ctx.resolution.uses) {
      if (use.qname !== 'torch.einsum' || !use.call) continue;
      const scope = nameScope(use.call);
      const args = callArgs(use.call);
      // the producers may be other statements (of the module or a long function): incremental analysis learns of
      // every assignment followed (assignedValue), with or without an FFT in the statements it re-checks
      const at = use.call.startIndex;
      let complex = false;
      for (const a of args?.positional.slice(1) ?? []) if (exprComplex(a, at, scope)) complex = true;
      if (!complex) continue;
      ctx.claim(use);
      ctx.report({
        code: 'MSP201',
        message: `complex ${tick('torch.einsum')}: ${where} Write it on (re, im) pairs: ` +
          '(a_re*b_re - a_im*b_im, a_re*b_im + a_im*b_re), each an einsum or a broadcast multiply and sum over real Tensors.',
        severity,
        start: use.call.startIndex,
        end: use.call.endIndex,
        fixes: [],
        data: { torchApi: 'torch.einsum', confidence: use.confidence },
      });
    }
  },
};

/**
 * The scope a plain name used at `node` lives in: a function, a lambda, a class body (its names are not the
 * module's; `assignedValue` skips them the same way) or the module.
 */
function nameScope(node: Node): Node {
  return enclosing(node, ['function_definition', 'lambda', 'class_definition']) ?? rootOf(node);
}
