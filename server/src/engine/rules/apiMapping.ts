// MSP101–MSP105: every resolved torch API use, looked up in the mapping database and judged against the
// configured device, MindSpore version and API preference. Fixes rename the call, rename or drop keyword
// arguments, spell out torch defaults that MindSpore changed, and add the MindSpore import.
import type { MappedEntry, MappingDatabase, Target, TwinChoice } from '../../mappings/database';
import { platformOf } from '../../mappings/database';
import type { ArgDiff, Param, Twin } from '../../mappings/schema';
import { removeArgumentEdit } from '../edits';
import type { Fix, TextEdit, UseStats } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { TYPED_CONSTRUCTORS, typedConstructorFix } from './typedConstructors';
import { unflattenFix } from './unflatten';
import { autogradFunctionFix } from './autogradFunction';
import { gradientFix } from './gradientWriteOut';
import { timmHelperFix } from './timmHelpers';
import { initWriteOutFix } from './initWriteOut';
import { methodWriteOutFix } from './methodWriteOuts';
import { answersByName, callArgs, findAll, isLiteralInt, isRepeatable, methodTwinName, scopeNode, tick, walk, type CallArgs } from './util';

/** Arguments MindSpore does not take on any API (placement, layout and output buffers are not per call there). */
const GENERALLY_UNSUPPORTED: Record<string, string> = {
  out: 'MindSpore functions return new tensors and take no output buffer',
  layout: 'MindSpore tensors have no layout argument',
  device: 'MindSpore places tensors by the global device context (set_context / set_device), not per call',
  pin_memory: 'MindSpore manages host memory itself',
  memory_format: 'MindSpore has no memory-format argument',
  size_average: 'deprecated in torch; use reduction=',
  reduce: 'deprecated in torch; use reduction=',
  sparse_grad: 'MindSpore has no sparse gradients here',
};
/** Removing these keeps what the program computes even when the value is not the default. */
const SAFE_TO_DROP = new Set(['device', 'pin_memory']);

export interface UseVerdict {
  entry?: MappedEntry;
  choice?: TwinChoice;
  /** counted as ready to port: a twin exists in the version and runs on the device */
  ready: boolean;
}

/** The table of verdicts for this database and target (they depend on nothing else), to pass to classifyUse. */
export function verdictMemo(db: MappingDatabase, target: Target): Map<string, UseVerdict> {
  return answersByName<UseVerdict>(db, `verdict ${target.version}|${target.device}|${target.api}`);
}

/** Classifies a use for the statistics and the rules (memoised per name in `memo`: see verdictMemo). */
export function classifyUse(ctx: Pick<RuleContext, 'db' | 'target'>, use: ApiUse, memo: Map<string, UseVerdict>): UseVerdict {
  let v = memo.get(use.qname);
  if (!v) {
    const entry = ctx.db.get(use.qname);
    if (!entry) v = { ready: false };
    else {
      const choice = ctx.db.choose(entry, ctx.target);
      // a constant Python has itself (torch.pi: math.pi) is ready and the same
      v = { entry, choice, ready: (!!choice.twin && !choice.uncovered && choice.status !== 'behavior') || !!entry.python || (!choice.twin && (!!entry.writtenOutBy || !!entry.notNeeded)) };
    }
    memo.set(use.qname, v);
  }
  return v;
}

export function countUse(stats: UseStats, use: ApiUse, v: UseVerdict): void {
  if (use.confidence === 'low') {
    stats.lowConfidence++;
    return;
  }
  stats.apiUses++;
  // a call a rule writes out (einops, typed constructors) is counted with the differences
  // and one the port deletes (MindSpore has no use for it) as not needed
  const s = v.choice?.twin ? v.choice.status : v.entry?.python ? 'same' : v.entry?.writtenOutBy ? 'args' : v.entry?.notNeeded ? 'notNeeded' : 'none';
  if (s === 'same') stats.same++;
  else if (s === 'args') stats.args++;
  else if (s === 'behavior') stats.behavior++;
  else if (s === 'notNeeded') stats.notNeeded++;
  else stats.none++;
  if (v.ready) stats.ready++;
}

function short(api: string): string {
  return `\`${api}\``;
}

const LOW = ' (low confidence: the receiver is only guessed to be a tensor from the method name)';

/**
 * The torch signature a rewrite may take defaults, required parameters and keyword names from: one written by hand
 * (an overlay), not one read off a difference page (MappedEntry.paramsFromPages), which only says where positional
 * arguments land.
 */
const checkedParams = (entry: MappedEntry): Param[] | undefined => (entry.paramsFromPages ? undefined : entry.params);

/** A torch signature as a method call passes it: without `self`. */
const ownParams = (params: Param[], isMethod: boolean): Param[] => (isMethod && params[0]?.name === 'self' ? params.slice(1) : params);

/** The argument node passed for a torch parameter, by keyword or by position. */
function passedArg(args: CallArgs, params: Param[] | undefined, name: string, isMethod: boolean): { node: Node; value: Node } | undefined {
  const kw = args.keywords.get(name);
  if (kw) return { node: kw.arg, value: kw.value };
  if (!params) return undefined;
  const ps = ownParams(params, isMethod);
  const i = ps.findIndex((p) => p.name === name);
  if (i >= 0 && !ps[i].kwOnly && i < args.positional.length && !ps.slice(0, i).some((p) => p.name.startsWith('*'))) {
    return { node: args.positional[i], value: args.positional[i] };
  }
  return undefined;
}

const norm = (s: string) => s.replace(/\s+/g, '').replace(/"/g, "'");

/** An expression without the parentheses around it (`(None)` is None). */
function unparenthesized(n: Node): Node {
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChildren.length === 1 && e.namedChildren[0]) e = e.namedChildren[0];
  return e;
}

/** Whether a `renamed` difference's torch argument is passed in this call (a string-only rename: as a string). */
function isPassedHere(args: CallArgs, params: Param[] | undefined, d: ArgDiff, isMethod: boolean): boolean {
  const passed = d.torch ? passedArg(args, params, d.torch, isMethod) : undefined;
  return !!passed && (!d.whenString || isStringLiteral(passed.value));
}

/** An argument value that can be written a second time with the same meaning: numbers, names, tuples of them. */
function writableTwice(n: Node): boolean {
  if (n.type === 'integer' || n.type === 'float' || isRepeatable(n)) return true;
  if (n.type === 'unary_operator') return n.namedChildren.length === 1 && writableTwice(n.namedChildren[0]);
  if (n.type === 'tuple' || n.type === 'list' || n.type === 'parenthesized_expression') return n.namedChildren.length > 0 && n.namedChildren.every(writableTwice);
  return false;
}

const isStringLiteral = (n: Node | undefined): boolean => n?.type === 'string' || n?.type === 'concatenated_string';

/** An edit adding `text` (e.g. `ddof=True`) as the last argument of a call. */
function appendArgument(args: CallArgs, text: string): TextEdit {
  const all = args.all;
  const at = all.length ? all[all.length - 1].endIndex : args.list.endIndex - 1;
  return { start: at, end: at, newText: `${all.length ? ', ' : ''}${text}` };
}

/** The MindSpore spelling of a torch value (quotes and spaces do not matter), if the map has it. */
function mapValue(map: Record<string, string>, value: string): string | undefined {
  for (const [k, v] of Object.entries(map)) if (norm(k) === norm(value)) return v;
  return undefined;
}

/** `1 - value` as Python source: a number literal is computed (0.01 → 0.99), anything else is wrapped. */
function complementOf(v: Node): string {
  if (v.type === 'float' || v.type === 'integer') {
    const n = Number(v.text.replace(/_/g, ''));
    if (Number.isFinite(n)) {
      const c = Number((1 - n).toPrecision(12));
      return Number.isInteger(c) ? `${c}.0` : String(c);
    }
  }
  return `1 - (${v.text})`;
}

function torchDefault(params: Param[] | undefined, name: string): string | undefined {
  return params?.find((p) => p.name === name)?.default;
}

function describe(d: ArgDiff): string {
  const t = d.torch ? `\`${d.torch}\`` : '';
  switch (d.change) {
    case 'renamed':
      if (d.valueMap) return `${t} takes ${Object.entries(d.valueMap).map(([a, b]) => `${a} as ${b}`).join(', ')}${d.ms !== d.torch ? ` (as \`${d.ms}\`)` : ''}`;
      if (d.complement) return `${t} is 1 − torch's value in MindSpore${d.ms !== d.torch ? ` (as \`${d.ms}\`)` : ''}`;
      return d.whenString ? `${t} given as a string is called \`${d.ms}\`` : `${t} is called \`${d.ms}\``;
    case 'dropped':
      return `${t} does not exist`;
    case 'unsupported':
      return `${t} is not supported`;
    case 'default':
      return `${t} defaults to ${d.msDefault ? `\`${d.msDefault}\`` : 'a different value'}`;
    case 'behavior':
      return `${t || 'behaviour'} differs${d.note ? ` (${d.note})` : ''}`;
    case 'added':
      return `MindSpore adds \`${d.ms}\``;
  }
}

export const apiMappingRule: Rule = {
  codes: ['MSP101', 'MSP102', 'MSP103', 'MSP104', 'MSP105'],
  order: 100,
  check(ctx) {
    for (const use of ctx.resolution.uses) {
      if (ctx.claimed(use) || use.qname.startsWith('numpy.')) continue;
      if (use.confidence === 'low' && !ctx.settings.lowConfidence) continue;
      const v = ctx.verdictOf(use);
      if (!v.entry) {
        if (!reportFunctionForm(ctx, use)) reportUnknown(ctx, use);
        continue;
      }
      if (use.confidence === 'low' && !fitsSignature(use, v.entry)) continue; // another library's method of that name
      const choice = v.choice!;
      if (use.context === 'call' && choice.twin && TYPED_CONSTRUCTORS.has(use.qname)) {
        reportLegacyConstructor(ctx, use, choice.twin.api);
        continue;
      }
      if (!choice.twin) {
        // a twin that exists but does not run on the target device is not "no equivalent": MSP105 says where it runs
        if (choice.uncovered) reportDevice(ctx, use, v.entry, choice);
        else reportNoTwin(ctx, use, v.entry, choice);
        continue;
      }
      const given = use.context === 'call' ? callArgs(use.call) : undefined;
      const axis = given ? axisAsDim(given, v.entry, choice.twin) : undefined;
      const args = axis?.args ?? given;
      const unsupported = args ? unsupportedArgs(use, v.entry, choice.twin, args) : [];
      reportUnsupportedArgs(ctx, use, v.entry, choice.twin, unsupported);
      if (choice.uncovered) {
        reportDevice(ctx, use, v.entry, choice);
        continue;
      }
      reportTwin(ctx, use, v.entry, choice.twin, choice, args, unsupported, axis?.edit);
    }
  },
};

/**
 * Whether a method call whose receiver is only guessed to be a tensor can be torch's method: its arguments fit the
 * signature. NumPy's and xarray's `transpose` take any number of axes (`a.transpose(1, 0, 2, 3)`, `ds.transpose("time",
 * "lat", "lon")`); torch's takes two. A call torch would refuse is not torch's.
 */
function fitsSignature(use: ApiUse, entry: MappedEntry): boolean {
  if (use.via !== 'method' || use.context !== 'call' || !entry.params) return true;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return true;
  const own = ownParams(entry.params, true); // a method use
  if (own.some((p) => p.name.startsWith('*'))) return true;
  const positional = own.filter((p) => !p.kwOnly);
  if (args.positional.length > positional.length) return false;
  return [...args.keywords.keys()].every((k) => own.some((p) => p.name === k) || k === 'axis');
}

/**
 * torch takes `axis` wherever it takes `dim` (NumPy's name: `torch.cat(xs, axis=1)`, `x.sum(axis=0)`), and
 * MindSpore's mint functions do not: the call is read as if it passed `dim`, and the keyword is renamed to `dim`
 * (or to the twin's own name for it, by the rename that difference already makes). Not for a twin whose argument
 * names the data does not know.
 */
function axisAsDim(args: CallArgs, entry: MappedEntry, twin: Twin): { args: CallArgs; edit?: TextEdit } | undefined {
  const kw = args.keywords.get('axis');
  if (!kw || args.keywords.has('dim') || !entry.torch.startsWith('torch.')) return undefined;
  if (twin.status === 'args' && !twin.args?.length) return undefined; // the twin's names are not known: left as written
  if (entry.params && (!entry.params.some((p) => p.name === 'dim') || entry.params.some((p) => p.name === 'axis'))) return undefined;
  const keywords = new Map(args.keywords);
  keywords.delete('axis');
  keywords.set('dim', kw);
  const renamed = (twin.args ?? []).some((d) => d.change === 'renamed' && d.torch === 'dim');
  return { args: { ...args, keywords }, edit: renamed ? undefined : { start: kw.name.startIndex, end: kw.name.endIndex, newText: 'dim' } };
}

const isListDisplay = (n: Node) => n.type === 'list' || n.type === 'list_comprehension';
/** A shape read off a tensor (`y.shape`, `y.shape[1:]`, `y.size()`): a sequence of sizes for sure. */
const SHAPE_READ = /(\.shape(\[[^\]]*\])?|\.size\(\))$/;

/**
 * A name of a function (or the module) that only ever holds a list: every assignment to it there is of a list display
 * or comprehension (`layers = []`, then `layers.append(...)` or `layers += ...`, which keep a list a list), and nothing
 * else binds it (a parameter, a loop target, unpacking, `global`).
 */
function isLocalList(n: Node): boolean {
  if (n.type !== 'identifier') return false;
  const name = n.text;
  const scope = scopeNode(n);
  const params = scope.type === 'function_definition' || scope.type === 'lambda' ? scope.childForFieldName('parameters') : null;
  if (params && findAll(params, (c) => c.type === 'identifier' && c.text === name).length) return false;
  let lists = 0;
  let other = false;
  walk(scope, (c) => {
    if (other) return false;
    if (c.id !== scope.id && (c.type === 'function_definition' || c.type === 'lambda' || c.type === 'class_definition')) return false;
    if (c.type === 'assignment') {
      const left = c.childForFieldName('left');
      if (left?.type === 'identifier' && left.text === name) {
        const right = c.childForFieldName('right');
        if (right && isListDisplay(right)) lists++;
        else other = true;
      } else if (left && left.type !== 'identifier' && findAll(left, (t) => t.type === 'identifier' && t.text === name && t.parent?.type !== 'attribute' && t.parent?.type !== 'subscript').length) other = true;
    } else if (c.type === 'for_statement' || c.type === 'for_in_clause' || c.type === 'with_item' || c.type === 'named_expression' || c.type === 'as_pattern' || c.type === 'global_statement' || c.type === 'nonlocal_statement') {
      const bound = c.type === 'for_statement' || c.type === 'for_in_clause' ? c.childForFieldName('left') : c;
      if (bound && findAll(bound, (t) => t.type === 'identifier' && t.text === name).length) other = true;
    }
  });
  return lists > 0 && !other;
}

/**
 * A typed constructor whose type has a twin, called (`torch.Tensor(2, 3)`, the legacy float32 constructor taking data
 * or sizes): MSP102 (MindSpore's Tensor takes data, and keeps its dtype), with the typed-constructor fix.
 */
function reportLegacyConstructor(ctx: RuleContext, use: ApiUse, api: string): void {
  const fix = typedConstructorFix(ctx, use, TYPED_CONSTRUCTORS.get(use.qname)!);
  ctx.report({
    code: 'MSP102',
    message: `${short(use.qname)} → ${short(api)}: called, torch's is the legacy constructor, which takes data or sizes and makes float32; MindSpore's takes data and keeps its dtype${use.confidence === 'low' ? LOW : ''}`,
    severity: use.confidence === 'low' ? 'info' : undefined,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes: fix ? [fix] : [],
    data: { torchApi: use.qname, msApi: api, confidence: use.confidence },
  });
}

/** Receivers a method call can follow as written (`x.f()`, `a.b[0].f()`); others get parentheses (`(a + b).f()`). */
const PRIMARY = new Set(['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression', 'list', 'tuple', 'dictionary', 'set', 'string', 'concatenated_string']);

/**
 * `torch.masked_fill(x, mask, v)`: a torch function no table lists whose tensor method has a MindSpore twin is
 * reported with that twin and a fix that calls the method (`x.masked_fill(mask, v)`, the same in torch), which is
 * then mapped as a method. Unsafe: for the few torch functions whose method form orders its arguments otherwise
 * the call would change. False when `use` is not such a function.
 */
function reportFunctionForm(ctx: RuleContext, use: ApiUse): boolean {
  const name = /^torch\.([a-z_][a-z0-9_]*)$/.exec(use.qname)?.[1];
  if (!name || use.via !== 'import' || use.context !== 'call' || use.confidence !== 'high') return false;
  const method = ctx.db.get(`torch.Tensor.${name}`);
  const choice = method && ctx.db.choose(method, ctx.target);
  const twin = choice?.twin;
  if (!twin || choice.uncovered) return false;
  const fixes: Fix[] = [];
  const args = callArgs(use.call);
  const first = args?.positional[0];
  if (use.call && args && first && !args.hasSplat && args.all[0]?.id === first.id && !args.keywords.has('input')) {
    const next = args.all[1];
    const receiver = PRIMARY.has(first.type) ? first.text : `(${first.text})`;
    fixes.push({
      title: `Call it as a method: ${receiver}.${name}(…)`,
      applicability: 'unsafe',
      edits: [{ start: use.call.startIndex, end: next ? next.startIndex : first.endIndex, newText: `${receiver}.${name}(` }, ...(next ? [] : trailingCommaEdit(ctx.text, first.endIndex, use.call.endIndex))],
    });
  }
  const how = twin.status === 'same' ? 'the same behaviour' : 'differences';
  ctx.report({
    code: twin.status === 'same' ? 'MSP101' : 'MSP102',
    message: `${short(use.qname)} is the function form of ${short(`Tensor.${name}`)}: MindSpore has the method (${short(twin.api)}, ${how}); call it on the tensor.`,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes,
    data: { torchApi: use.qname, msApi: twin.api, confidence: use.confidence },
  });
  return true;
}

/** With the receiver as the only argument, what is left of the argument list after it (`x,`, spaces) is removed. */
function trailingCommaEdit(text: string, from: number, callEnd: number): TextEdit[] {
  const close = callEnd - 1; // the call's ')'
  return close > from && /^[\s,]*$/.test(text.slice(from, close)) ? [{ start: from, end: close, newText: '' }] : [];
}

function reportUnknown(ctx: RuleContext, use: ApiUse): void {
  if (use.confidence !== 'high') return;
  const interesting =
    use.via === 'import'
      ? use.context === 'call' || use.context === 'base' || use.context === 'decorator'
      : use.receiverType === 'torch.Tensor' && use.context === 'attribute';
  if (!interesting) return;
  ctx.report({
    code: 'MSP103',
    message: `${short(use.qname)} is not in MindPort's mapping database: no MindSpore equivalent is known`,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes: [],
    data: { torchApi: use.qname, confidence: use.confidence },
  });
}

function reportNoTwin(ctx: RuleContext, use: ApiUse, entry: MappedEntry, choice: TwinChoice): void {
  if (entry.python && use.via === 'import') {
    // a constant Python has itself (`torch.pi` is `math.pi`), or a builtin type (`torch.Size` is `tuple`)
    const plan = ctx.imports.planPython(entry.python);
    const edits: TextEdit[] = plan ? [{ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr }, ...(plan.edit ? [plan.edit] : [])] : [];
    ctx.report({
      code: 'MSP101',
      message: `${short(use.qname)} → ${tick(entry.python)} (${entry.python.startsWith('math.') ? 'the same value; MindSpore operators take Python floats' : 'a MindSpore shape is a plain tuple'})`,
      start: use.node.startIndex,
      end: use.node.endIndex,
      fixes: plan ? [{ title: `Replace with ${entry.python}`, applicability: use.confidence === 'high' ? 'safe' : 'unsafe', edits }] : [],
      data: { torchApi: use.qname, confidence: use.confidence },
    });
    return;
  }
  const tooNew = choice.tooNew
    ? `: ${short(choice.tooNew.twin.api)} exists only from MindSpore ${choice.tooNew.since} (target ${ctx.target.version})`
    : '';
  const advice = entry.advice ? ` ${entry.advice}` : '';
  const dtype = TYPED_CONSTRUCTORS.get(use.qname);
  const cell = autogradFunctionFix(ctx, use);
  const writtenOut = dtype ? typedConstructorFix(ctx, use, dtype) : cell && 'fix' in cell ? cell.fix : (unflattenFix(use) ?? gradientFix(ctx, use) ?? timmHelperFix(ctx, use));
  const why = cell && 'why' in cell ? ` No fix: ${cell.why}.` : '';
  ctx.report({
    code: 'MSP103',
    message: `${short(use.qname)} has no MindSpore equivalent${tooNew}.${advice}${why}${use.confidence === 'low' ? LOW : ''}`,
    severity: use.confidence === 'low' ? 'info' : undefined,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes: writtenOut ? [writtenOut] : [],
    data: { torchApi: use.qname, confidence: use.confidence },
  });
}

function reportDevice(ctx: RuleContext, use: ApiUse, entry: MappedEntry, choice: TwinChoice): void {
  const u = choice.uncovered!;
  const dev = platformOf(ctx.target.device);
  const where = u.platforms.length ? `${u.platforms.join('/')} only` : 'no listed platform';
  const alt = choice.twin && choice.twin !== u.twin ? choice.twin : undefined;
  const fixes: Fix[] = [];
  if (alt) {
    const edits = renameEdits(ctx, use, alt);
    if (edits) fixes.push({ title: `Use ${alt.api} (runs on ${dev})`, applicability: alt.status === 'same' ? 'safe' : 'unsafe', edits });
  }
  ctx.report({
    code: 'MSP105',
    message: `${short(u.twin.api)} does not run on ${dev} in MindSpore ${ctx.target.version} (${where})${
      alt ? `; ${short(alt.api)} does` : choice.twin ? '' : `: ${entry.advice ?? `compose it from operators that run on ${dev}, or compute it on the host (NumPy/SciPy) if it is not on the training path`}`
    }`,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes,
    data: { torchApi: entry.torch, msApi: u.twin.api, twin: u.which, confidence: use.confidence },
  });
}

/** `mindspore.Tensor.view` and `mindspore.nn.Cell.recompute` are instance methods unless the entry says otherwise. */
export function twinForm(twin: Twin): NonNullable<Twin['form']> {
  if (twin.form) return twin.form;
  let form = formsByTwin.get(twin);
  if (form === undefined) {
    const parts = twin.api.split('.');
    const last = parts[parts.length - 1];
    const owner = parts[parts.length - 2] ?? '';
    form = /^[A-Z]/.test(owner) && /^[a-z_]/.test(last) ? 'method' : /^[A-Z]/.test(last) ? 'class' : 'function';
    formsByTwin.set(twin, form);
  }
  return form;
}
/** twinForm's answers for the database's twins (asked for every use renamed: once per twin is enough). */
const formsByTwin = new WeakMap<Twin, NonNullable<Twin['form']>>();

/** The edits that make the use name the twin: a method rename, or the new dotted name plus its import. */
function renameEdits(ctx: RuleContext, use: ApiUse, twin: Twin): TextEdit[] | undefined {
  if (use.via === 'method') {
    const m = methodTwinName(use, twin.api);
    if (!m) return undefined; // method → function, or a call of an attribute: needs a human or a write-out
    return m === use.nameNode.text ? [] : [{ start: use.nameNode.startIndex, end: use.nameNode.endIndex, newText: m }];
  }
  if (twinForm(twin) === 'method') return undefined; // function → method needs a human
  const plan = ctx.imports.plan(twin.api);
  const edits: TextEdit[] = [];
  if (plan.expr !== use.node.text) {
    edits.push({ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr });
    if (plan.edit) edits.push(plan.edit);
  }
  return edits;
}

function reportTwin(
  ctx: RuleContext,
  use: ApiUse,
  entry: MappedEntry,
  twin: Twin,
  choice: TwinChoice,
  args: CallArgs | undefined,
  unsupported: readonly UnsupportedArg[],
  axisEdit?: TextEdit,
): void {
  const rename = renameEdits(ctx, use, twin);
  const isMethod = use.via === 'method';
  const differences: string[] = [];
  const edits: TextEdit[] = [...(rename ?? []), ...(axisEdit ? [axisEdit] : [])];
  let safe = rename !== undefined && use.confidence === 'high';
  const asAttribute = twin.status === 'behavior' && storedOnSelf(use, args, twin);
  if (twin.status === 'behavior' && !asAttribute) {
    safe = false;
    differences.push(twin.note ?? entry.note ?? 'behaviour differs');
  }
  // an argument the twin does not take, which MSP104 cannot fix without changing what the call computes: the
  // renamed call would fail, so renaming alone is not safe
  if (unsupported.some((u) => !u.safe)) safe = false;
  const keywordized = args ? keywordizePositionals(args, checkedParams(entry), twin, isMethod) : undefined;
  if (keywordized) {
    edits.push(...keywordized.edits);
    if (!keywordized.ok) {
      safe = false;
      differences.push('arguments passed by position may land on other MindSpore parameters: pass them by keyword');
    }
  }
  const checked = checkedParams(entry);
  const own = checked && ownParams(checked, isMethod);
  // torch takes the sizes (zeros, repeat, expand) or a Tensor's flip dims one by one or as one sequence; MindSpore one tuple
  const starred = own?.[0]?.name;
  const sizes = starred === '*size' || starred === '*sizes' || starred === '*dims';
  const items = starred === '*dims' ? 'dims' : 'sizes'; // what the tuple holds
  const asOneTuple = starred !== '*dims' && !isMethod ? 'the shape is passed as one tuple' : `the ${items} are passed as one tuple`;
  if (args && sizes && !args.hasSplat && (args.positional.length > 1 || (isMethod && args.positional.length === 1 && args.positional[0].type === 'integer'))) {
    // torch.zeros(2, 3) and x.repeat(1, 2) take the sizes as separate arguments; MindSpore takes one tuple:
    // zeros((2, 3)), x.tile((1, 2)), x.tile((2,)) for one integer
    const first = args.positional[0];
    const last = args.positional[args.positional.length - 1];
    edits.push({ start: first.startIndex, end: first.startIndex, newText: '(' }, { start: last.endIndex, end: last.endIndex, newText: args.positional.length === 1 ? ',)' : ')' });
    differences.push(asOneTuple);
  } else if (args && sizes && isMethod && !args.hasSplat && args.positional.length === 1 && args.keywords.size === 0) {
    // x.repeat(n): torch takes an int or a sequence there; MindSpore's tile only a sequence. A tuple or list, or a
    // shape, is one; a name may hold an int
    const only = unparenthesized(args.positional[0]);
    if (!['tuple', 'list', 'list_comprehension'].includes(only.type) && !SHAPE_READ.test(only.text)) {
      safe = false;
      differences.push(`${tick(only.text)} must be a tuple or list of ${items} (an int n is written (n,))`);
    }
  } else if (args && sizes && args.hasSplat) {
    const [only] = args.all;
    const spread = args.all.length === 1 && only.type === 'list_splat' ? only.namedChildren[0] : undefined;
    if (spread) {
      // x.expand(*shape): the sequence itself, as a tuple; safe when it is a shape (`y.shape`, `y.size()`), a
      // sequence of sizes for sure: another name may hold one whole shape (`torch.zeros(*args)`)
      edits.push({ start: only.startIndex, end: only.endIndex, newText: `tuple(${spread.text})` });
      differences.push(asOneTuple);
      if (!SHAPE_READ.test(spread.text)) {
        safe = false;
        differences.push(`${tick(spread.text)} must hold the sizes themselves`);
      }
    } else if (args.all.every((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat')) {
      // x.expand(*lead, -1): spread and plain sizes together are sizes one by one; as one tuple, (*lead, -1)
      const first = args.all[0];
      const last = args.all[args.all.length - 1];
      edits.push({ start: first.startIndex, end: first.startIndex, newText: '(' }, { start: last.endIndex, end: last.endIndex, newText: ')' });
      differences.push(asOneTuple);
    } else {
      safe = false;
      differences.push(`the ${items} must be passed as one tuple`);
    }
  }
  for (const d of twin.args ?? []) {
    if (d.change === 'added' && d.ms && d.value !== undefined && args) {
      // a MindSpore-only argument whose default differs from what torch does: pass the value that matches torch,
      // unless the call gives it (by its MindSpore keyword, or a torch argument renamed to it), or the torch
      // argument it depends on is a string naming a mode (`padding='same'`), or is not passed (`whenPassed`)
      const given =
        args.keywords.has(d.ms) ||
        (twin.args ?? []).some((x) => x.change === 'renamed' && x.ms === d.ms && x.torch && isPassedHere(args, entry.params, x, isMethod));
      const asString = d.unlessString ? passedArg(args, entry.params, d.unlessString, isMethod)?.value : undefined;
      if (given || isStringLiteral(asString)) continue;
      const when = d.whenPassed ? passedArg(args, entry.params, d.whenPassed, isMethod) : undefined;
      if (d.whenPassed && !when && !args.hasSplat) continue;
      if (args.hasSplat) {
        // the spread may hold it or the torch argument it depends on: said, not written
        safe = false;
        differences.push(`${tick(`${d.ms}=${d.value}`)} should be passed${d.note ? ` (${d.note})` : ''}`);
        continue;
      }
      edits.push(appendArgument(args, `${d.ms}=${d.value}`));
      differences.push(`\`${d.ms}=${d.value}\` is passed${d.note ? ` (${d.note})` : ''}`);
      if (when && when.node === when.value && !isLiteralInt(when.value)) {
        // by position and not a number: torch's other overload may be meant (`x.max(other)`, element-wise)
        safe = false;
        differences.push(`${tick(when.value.text)} is taken as \`${d.whenPassed}\`; if it is a tensor, this is another operation`);
      }
      if (d.namedResult && use.call) {
        // the value makes the result a plain tuple: torch's named fields are read by position
        const parent = use.call.parent;
        const field = parent?.type === 'attribute' && parent.childForFieldName('object')?.id === use.call.id ? parent.childForFieldName('attribute') : null;
        const at = field ? d.namedResult.indexOf(field.text) : -1;
        if (field && at >= 0) edits.push({ start: field.startIndex - 1, end: field.endIndex, newText: `[${at}]` });
      }
      continue;
    }
    if (d.change === 'unsupported' || d.change === 'added') continue; // MSP104 reports unsupported arguments
    const passed = args && d.torch ? passedArg(args, entry.params, d.torch, isMethod) : undefined;
    if (d.change === 'renamed' && d.whenString && !isStringLiteral(passed?.value)) continue; // applies to strings only
    if (d.change === 'renamed' && (d.complement || d.valueMap) && d.torch && d.ms) {
      // the value is converted too: 1 − x (BatchNorm momentum) or a MindSpore spelling (GELU approximate)
      if (!passed) continue; // the defaults agree, or the `default` difference spells torch's out
      const v = passed.value;
      const kw = args?.keywords.get(d.torch);
      if (kw && d.ms !== d.torch) edits.push({ start: kw.name.startIndex, end: kw.name.endIndex, newText: d.ms });
      const converted = d.valueMap ? mapValue(d.valueMap, v.text) : v.type === 'none' ? undefined : complementOf(v);
      if (converted === undefined) {
        safe = false;
        differences.push(`${describe(d)}; ${d.valueMap ? `${tick(v.text)} must be converted by hand` : '`None` (a cumulative average) has no MindSpore equivalent'}`);
      } else {
        edits.push({ start: v.startIndex, end: v.endIndex, newText: converted });
        differences.push(describe(d));
      }
      continue;
    }
    if (d.change === 'renamed' && d.torch && d.ms) {
      const kw = args?.keywords.get(d.torch);
      if (kw) {
        edits.push({ start: kw.name.startIndex, end: kw.name.endIndex, newText: d.ms });
        differences.push(describe(d));
      } else if (passed && keywordized?.ok) {
        differences.push(describe(d)); // passed by position: now passed by its MindSpore name
      }
    } else if (d.change === 'dropped' && d.torch) {
      if (passed && args) {
        const dflt = torchDefault(checked, d.torch);
        const same = dflt !== undefined && norm(dflt) === norm(passed.value.text);
        edits.push(removeArgumentEdit(args.list, passed.node));
        if (!same) safe = false;
        differences.push(describe(d) + (same ? ' (the default is passed; dropping it is safe)' : ''));
      }
    } else if (d.change === 'default' && d.torch) {
      const name = twin.args?.find((x) => x.torch === d.torch && x.change === 'renamed')?.ms ?? d.torch;
      // another torch argument that becomes the same MindSpore argument was passed (`correction=` for `ddof`)
      const setOtherwise =
        !!args && (twin.args ?? []).some((x) => x.change === 'renamed' && x.ms === name && x.torch && x.torch !== d.torch && passedArg(args, entry.params, x.torch, isMethod));
      if (setOtherwise) continue;
      // a parameter torch requires (no default) is always passed: MindSpore's default never applies
      const param = checked?.find((p) => p.name === d.torch);
      if (param && param.default === undefined && !param.name.startsWith('*')) continue;
      const value = passed ? unparenthesized(passed.value) : undefined;
      if (args && d.torchDefaultFrom && value && value.type !== 'none' && findAll(value, (n) => n.type === 'none').length > 0) {
        // `stride=s if s else None`: torch's None is kernel_size there, MindSpore's is not
        safe = false;
        differences.push(`${describe(d)}: where ${tick(value.text)} is None, torch's is \`${d.torchDefaultFrom}\``);
      } else if (args && d.torchDefaultFrom && (!passed || value?.type === 'none')) {
        // torch's default (also when None is passed) is another argument's value (pooling: stride = kernel_size):
        // it is written again
        const from = passedArg(args, entry.params, d.torchDefaultFrom, isMethod)?.value;
        if (from && !args.hasSplat && writableTwice(from)) {
          edits.push(passed ? { start: passed.value.startIndex, end: passed.value.endIndex, newText: from.text } : appendArgument(args, `${name}=${from.text}`));
          differences.push(`${describe(d)}; torch's, \`${d.torchDefaultFrom}\`, is passed explicitly (${tick(`${name}=${from.text}`)})`);
        } else {
          safe = false;
          differences.push(`${describe(d)} (torch's is \`${d.torchDefaultFrom}\`)`);
        }
      } else if (args && !passed) {
        const raw = torchDefault(checked, d.torch);
        const map = twin.args?.find((x) => x.torch === d.torch && x.change === 'renamed' && x.valueMap)?.valueMap;
        const dflt = raw !== undefined && map ? mapValue(map, raw) : raw;
        if (dflt === 'None') {
          // torch's None there means "chosen for you" (softmax's implicit dim): MindSpore may not take None, and
          // what torch would choose depends on the input; said, not spelled out
          safe = false;
          differences.push(`${describe(d)}${d.note ? `: ${d.note}` : ''}`);
        } else if (dflt !== undefined && !args.hasSplat) {
          edits.push(appendArgument(args, `${name}=${dflt}`));
          differences.push(`${describe(d)}; torch's \`${dflt}\` is passed explicitly`);
        } else {
          safe = false;
          differences.push(describe(d));
        }
      } else if (!args) differences.push(describe(d));
    } else if (d.change === 'behavior') {
      const listByPosition = !!passed && passed.node === passed.value && (isListDisplay(passed.value) || isLocalList(passed.value));
      // not a call (an annotation, isinstance): the same type; a call given a list, or nothing: the same
      if (d.whenNotList && (use.context !== 'call' || (args && (!passed || listByPosition)))) continue;
      if (!d.torch || passed || !args) {
        safe = false;
        differences.push(describe(d));
      }
    }
  }
  // the API passed as a value (`layer=nn.MaxPool2d`) is called elsewhere with torch's arguments: where they differ,
  // renaming it alone is not safe (an isinstance check or an annotation only names the type)
  const asValue = !args && use.context !== 'call' && use.context !== 'isinstance' && use.context !== 'annotation';
  // (differences that only matter when an argument is passed, dropped or unsupported ones, are not counted)
  const calledDiffs = (twin.args ?? []).filter(
    (d) => d.change === 'default' || d.change === 'renamed' || (d.change === 'added' && d.value !== undefined) || (d.change === 'behavior' && !d.whenNotList),
  );
  if (asValue && calledDiffs.length) {
    safe = false;
    differences.push(`it is called elsewhere with torch's arguments${differences.length ? '' : `: ${calledDiffs.map(describe).join('; ')}`}`);
  }
  // keywords MindSpore takes only by position (`mint.randint(low=1, high=5, size=(3,))` raises): `name=` goes,
  // when they come in MindSpore's order right after the positional arguments; otherwise the call is left unsafe
  if (twin.positionalOnly && args && !args.hasSplat) {
    const given = twin.positionalOnly.filter((n) => args.keywords.has(n));
    if (given.length) {
      const kwArgs = args.all.filter((a) => a.type === 'keyword_argument');
      const inOrder = given.every((n, i) => kwArgs[i]?.id === args.keywords.get(n)!.arg.id);
      if (inOrder) {
        for (const n of given) {
          const kw = args.keywords.get(n)!;
          edits.push({ start: kw.arg.startIndex, end: kw.value.startIndex, newText: '' });
        }
        differences.push(`${given.map((n) => tick(`${n}=`)).join(', ')} passed by position (${short(twin.api)} takes no keywords for them)`);
      } else {
        safe = false;
        differences.push(`${given.map((n) => tick(`${n}=`)).join(', ')} must be passed by position, in the order ${twin.positionalOnly.join(', ')}`);
      }
    }
  }
  // mint.where refuses two Python numbers (torch.where(c, 0, 1) makes an int64 tensor): the first becomes one
  if (twin.api === 'mindspore.mint.where' && args && !args.hasSplat && args.positional.length === 3 && args.keywords.size === 0) {
    const [, a, b] = args.positional.map(unparenthesized);
    const isNumber = (n: Node) => n.type === 'integer' || n.type === 'float' || (n.type === 'unary_operator' && /^-\s*[\d.]/.test(n.text));
    if (isNumber(a) && isNumber(b)) {
      const plan = ctx.imports.plan('mindspore.tensor');
      edits.push({ start: args.positional[1].startIndex, end: args.positional[1].endIndex, newText: `${plan.expr}(${args.positional[1].text})` });
      if (plan.edit) edits.push(plan.edit);
      differences.push('MindSpore takes at most one of the two values as a Python number: the first becomes a tensor');
    }
  }
  // an `args` twin whose differences the data only names ("some argument names differ"): keywords passed may
  // not exist under those names, so the rename is not safe
  if (twin.status === 'args' && !twin.args?.length && !twin.positionalOnly && args && (args.keywords.size > 0 || args.hasSplat)) {
    safe = false;
    differences.push(`${twin.note ?? 'the arguments differ'}: check the names of ${args.hasSplat ? 'the arguments passed' : [...args.keywords.keys()].map((k) => tick(`${k}=`)).join(', ')}`);
  }
  // an `args` twin whose structured differences do not touch this call (MindSpore-only extra arguments, arguments
  // not passed) behaves the same here
  const noneApply = twin.status === 'args' && ((twin.args?.length ?? 0) > 0 || !!twin.positionalOnly) && differences.length === 0;
  const code = (twin.status === 'same' || noneApply || asAttribute) && differences.length === 0 ? 'MSP101' : 'MSP102';
  if (code === 'MSP101' && edits.length === 0) return; // nothing to change: not worth a diagnostic
  const low = use.confidence === 'low';
  const detail = differences.length
    ? `: ${differences.join('; ')}`
    : code === 'MSP101'
      ? asAttribute
        ? ' (the same behaviour for a value stored on self)'
        : noneApply
        ? ' (same behaviour for this call: none of its argument differences apply)'
        : ' (same behaviour)'
      : twin.note
        ? `: ${twin.note}`
        : ': behaviour differs';
  // an in-place torch.nn.init function is not renamed into an initialiser class: it is written out, or left; nor
  // is any other function renamed into a class (`torchvision.ops.nms` → `ops.NMSWithMask`: a primitive's
  // constructor takes attributes, not the data), which would read as a fix and mean nothing
  const writtenOut = initWriteOutFix(ctx, use) ?? methodWriteOutFix(ctx, use, twin);
  const fixes: Fix[] = writtenOut
    ? [writtenOut]
    : rename === undefined || edits.length === 0 || functionToClass(use.qname, twin.api) || twin.byHand
      ? []
      : [{ title: `Replace with ${twin.api}`, applicability: safe ? 'safe' : 'unsafe', edits }];
  ctx.report({
    code,
    message: `${short(use.qname)} → ${short(twin.api)}${detail}${low ? LOW : ''}`,
    // a type hint changes nothing at run time: its rename is a hint, as a low-confidence one
    severity: low ? (code === 'MSP101' ? 'hint' : 'info') : code === 'MSP101' && use.context === 'annotation' ? 'hint' : undefined,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes,
    data: { torchApi: entry.torch, msApi: twin.api, twin: choice.which, confidence: use.confidence },
  });
}

/** A torch function whose twin is a class (`mindspore.Tensor` for `torch.as_tensor` is a constructor taking the data). */
function functionToClass(torch: string, ms: string): boolean {
  const last = (q: string) => q.slice(q.lastIndexOf('.') + 1);
  return /^[a-z_]/.test(last(torch)) && /^[A-Z]/.test(last(ms)) && ms !== 'mindspore.Tensor';
}

/**
 * Whether a call of a twin with `sameAsSelfAttribute` is stored on `self` (`self.w = nn.Parameter(t)`) with at most
 * one positional argument and only the keywords the data allows: there the twin behaves the same.
 */
function storedOnSelf(use: ApiUse, args: CallArgs | undefined, twin: Twin): boolean {
  const allowed = twin.sameAsSelfAttribute?.keywords;
  const call = use.call;
  if (!allowed || !call || !args || args.hasSplat || args.positional.length > 1) return false;
  if ([...args.keywords.keys()].some((k) => !allowed.includes(k))) return false;
  const parent = call.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return false;
  const left = parent.childForFieldName('left');
  return left?.type === 'attribute' && left.childForFieldName('object')?.text === 'self';
}

/** What a twin's argument differences say per torch parameter name, worked out once per twin (mapping data). */
interface ArgTable {
  /** torch name → MindSpore keyword to pass it by (null: dropped) */
  changed: Map<string, string | null>;
  /** torch name → MindSpore name, for string values only */
  stringRenames: Map<string, string>;
  /** torch name → why MindSpore does not support it */
  unsupported: Map<string, string>;
  /** torch names in `changed` only for a different default (where they are passed, nothing changes) */
  defaultOnly: Set<string>;
}
const argTables = new WeakMap<Twin, ArgTable>();

function argTable(twin: Twin): ArgTable {
  let t = argTables.get(twin);
  if (t) return t;
  t = { changed: new Map(), stringRenames: new Map(), unsupported: new Map(), defaultOnly: new Set() };
  for (const d of twin.args ?? []) {
    if (!d.torch || d.whenNotList) continue; // a difference of the value passed, not of where it is passed
    if (d.change === 'unsupported') t.unsupported.set(d.torch, d.note ?? 'MindSpore does not support it');
    if (d.change === 'renamed' && d.ms && d.whenString) t.stringRenames.set(d.torch, d.ms);
    else if (d.change === 'renamed' && d.ms) t.changed.set(d.torch, d.ms);
    else if (d.change === 'dropped') t.changed.set(d.torch, null);
    else if ((d.change === 'default' || d.change === 'behavior') && !t.changed.has(d.torch)) t.changed.set(d.torch, d.torch);
  }
  for (const name of t.changed.keys()) {
    if ((twin.args ?? []).every((d) => d.torch !== name || d.change === 'default' || d.change === 'unsupported')) t.defaultOnly.add(name);
  }
  argTables.set(twin, t);
  return t;
}

/**
 * MindSpore orders parameters differently where torch's differ (`nn.Linear(3, 4, False)`: the third parameter
 * of `nn.Dense` is `weight_init`, not `has_bias`; `nn.Conv2d` has `pad_mode` before `padding`). So every
 * positional argument from the first renamed, dropped, re-defaulted or differing one on is passed by keyword,
 * under its MindSpore name (dropped ones are removed by the caller). `ok` is false when that cannot be done
 * (unknown positions, `*args`): the caller marks the fix unsafe.
 */
function keywordizePositionals(args: CallArgs, params: Param[] | undefined, twin: Twin, isMethod: boolean): { edits: TextEdit[]; ok: boolean } | undefined {
  const { changed, stringRenames, defaultOnly } = argTable(twin);
  if ((changed.size === 0 && !twin.keywordFrom) || args.positional.length === 0) return undefined;
  if (!params) return undefined; // positions unknown: renames only apply to keywords
  const ps = ownParams(params, isMethod);
  // positions name parameters up to `*args` (which takes the rest) or the keyword-only ones
  const open = ps.findIndex((p) => p.name.startsWith('*') || p.kwOnly);
  const named = open < 0 ? ps.length : open;
  // a required parameter whose MindSpore twin only has a default is passed at its place: nothing to move
  const moves = (p: Param) => (changed.has(p.name) && !(defaultOnly.has(p.name) && p.default === undefined)) || p.name === twin.keywordFrom;
  // from the first changed parameter on, or from `keywordFrom` when MindSpore orders the parameters differently
  const first = args.positional.findIndex((_, i) => i < named && moves(ps[i]));
  if (first < 0) return undefined;
  // a spread, arguments `*args` takes after it (a keyword cannot come before them), or more than there are places
  if (args.hasSplat || args.positional.length > named) return { edits: [], ok: false };
  const edits: TextEdit[] = [];
  for (let i = first; i < args.positional.length; i++) {
    const name = stringRenames.has(ps[i].name) && isStringLiteral(args.positional[i]) ? stringRenames.get(ps[i].name)! : changed.has(ps[i].name) ? changed.get(ps[i].name) : ps[i].name;
    if (name === null) continue; // dropped: removed with its comma by the caller
    const at = args.positional[i].startIndex;
    edits.push({ start: at, end: at, newText: `${name}=` });
  }
  return { edits, ok: true };
}

/** An argument the twin does not take, as passed in a call, and whether its MSP104 fix keeps what the call computes. */
interface UnsupportedArg {
  name: string;
  why: string;
  passed: { node: Node; value: Node };
  /** The fix: remove the argument, or (legacy reduction) rewrite it; none when neither keeps the call's meaning. */
  edits: TextEdit[];
  title: string;
  safe: boolean;
}

/**
 * torch's legacy `size_average=` / `reduce=` (losses) as the `reduction=` they stand for, when both are literal
 * (True, False, None) and `reduction=` is not passed: torch maps them so itself (`_Reduction.legacy_get_string`:
 * both true or unset → 'mean', reduce alone → 'sum', reduce=False → 'none').
 */
function legacyReduction(args: CallArgs, entry: MappedEntry, twin: Twin, isMethod: boolean): { keep: Node; drop?: Node; value: string } | undefined {
  if (args.keywords.has('reduction') || argTable(twin).unsupported.has('reduction') || (entry.params && !entry.params.some((p) => p.name === 'reduction'))) return undefined;
  const sa = passedArg(args, entry.params, 'size_average', isMethod);
  const rd = passedArg(args, entry.params, 'reduce', isMethod);
  const literal = (a: typeof sa) => (a === undefined ? null : ({ True: true, False: false, None: null } as Record<string, boolean | null>)[a.value.text]);
  const sv = literal(sa);
  const rv = literal(rd);
  if ((sa && sv === undefined) || (rd && rv === undefined) || (!sa && !rd)) return undefined;
  const size = sv ?? true;
  const red = rv ?? true;
  const value = size && red ? 'mean' : red ? 'sum' : 'none';
  const [first, second] = [sa?.node, rd?.node].filter((n): n is Node => n !== undefined).sort((a, b) => a.startIndex - b.startIndex);
  // the first becomes a keyword argument: no positional argument may stay after it (the second one goes)
  const at = args.positional.findIndex((p) => p.id === first.id);
  if (at >= 0 && args.positional.slice(at + 1).some((p) => p.id !== second?.id)) return undefined;
  return { keep: first, drop: second, value };
}

const NO_NAMES: readonly string[] = [];
/** generallyUnsupported's answers, per entry and twin (the same for every call of the API). */
const generalByEntry = new WeakMap<MappedEntry, WeakMap<Twin, readonly string[]>>();

/** The entry's parameters unsupported everywhere (size_average=, reduce=, ...) that the twin's rewrite does not handle. */
function generallyUnsupported(entry: MappedEntry, twin: Twin, changed: ReadonlyMap<string, string | null>): readonly string[] {
  let byTwin = generalByEntry.get(entry);
  if (!byTwin) generalByEntry.set(entry, (byTwin = new WeakMap()));
  let names = byTwin.get(twin);
  if (!names) {
    const found = (entry.params ?? []).map((p) => p.name).filter((n) => n in GENERALLY_UNSUPPORTED && !changed.has(n));
    byTwin.set(twin, (names = found.length ? found : NO_NAMES));
  }
  return names;
}

function unsupportedArgs(use: ApiUse, entry: MappedEntry, twin: Twin, args: CallArgs): UnsupportedArg[] {
  const { unsupported: listed, changed } = argTable(twin);
  // the twin's unsupported parameters, then any other keyword passed, and parameters unsupported everywhere
  // (size_average=, reduce=, ...), which may be passed by position too (unless the twin's rewrite drops them)
  const general = use.via === 'import' ? generallyUnsupported(entry, twin, changed) : NO_NAMES;
  if (listed.size === 0 && args.keywords.size === 0 && general.length === 0) return [];
  const isMethod = use.via === 'method';
  const legacy = legacyReduction(args, entry, twin, isMethod);
  const out: UnsupportedArg[] = [];
  const names = [...new Set([...listed.keys(), ...args.keywords.keys(), ...general])];
  for (const name of names) {
    const why = listed.get(name) ?? (use.via === 'import' ? GENERALLY_UNSUPPORTED[name] : undefined);
    if (!why) continue;
    const passed = passedArg(args, entry.params, name, isMethod);
    if (!passed) continue;
    if (legacy && (name === 'size_average' || name === 'reduce')) {
      // one rewrite for both: the first becomes reduction=, the other goes
      const edits: TextEdit[] = [{ start: legacy.keep.startIndex, end: legacy.keep.endIndex, newText: `reduction="${legacy.value}"` }];
      if (legacy.drop) edits.push(removeArgumentEdit(args.list, legacy.drop));
      out.push({ name, why, passed, edits, title: `Pass \`reduction="${legacy.value}"\` instead`, safe: use.confidence === 'high' });
      continue;
    }
    // removing a positional argument would hand its place to the next positional one
    const shifts = passed.node.type !== 'keyword_argument' && passed.node.id !== args.positional[args.positional.length - 1]?.id;
    const dflt = torchDefault(checkedParams(entry), name);
    const isDefault = dflt !== undefined && norm(dflt) === norm(passed.value.text);
    out.push({
      name,
      why,
      passed,
      edits: shifts ? [] : [removeArgumentEdit(args.list, passed.node)],
      title: `Remove the \`${name}\` argument`,
      safe: !shifts && (isDefault || SAFE_TO_DROP.has(name)) && use.confidence === 'high',
    });
  }
  return out;
}

function reportUnsupportedArgs(ctx: RuleContext, use: ApiUse, entry: MappedEntry, twin: Twin, unsupported: readonly UnsupportedArg[]): void {
  for (const u of unsupported) {
    ctx.report({
      code: 'MSP104',
      message: `\`${u.name}=\` is not supported by ${short(twin.api)}: ${u.why}`,
      start: u.passed.node.startIndex,
      end: u.passed.node.endIndex,
      fixes: u.edits.length ? [{ title: u.title, applicability: u.safe ? 'safe' : 'unsafe', edits: u.edits }] : [],
      data: { torchApi: entry.torch, msApi: twin.api, confidence: use.confidence },
    });
  }
}
