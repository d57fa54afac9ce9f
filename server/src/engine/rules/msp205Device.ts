// MSP205: per-tensor and per-module device placement (.cuda(), .to(device), torch.device, torch.cuda.*,
// torch.backends.cudnn.*, pin_memory). MindSpore places all work on one device per process, chosen once with
// set_context(device_target=...); the moves are no-ops there and can go.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { platformOf, versionAtLeast } from '../../mappings/database';
import { hintTypeFix } from './annotationTypes';
import {
  callArgs, calleeName, calleeNameAt, calleeObject, callStatement, claimUses, deleteStatementEdit, enclosingStatement, indentAt, reportAdvice,
  ruleOwned, tick, twinRenameFix, walk, eol,
} from './util';

const MOVE_METHODS = new Set(['cuda', 'cpu', 'to', 'pin_memory', 'npu']);
/** The qualified name of a use of one of those methods on a tensor or module. */
const MOVE_METHOD_NAME = new RegExp(`^torch\\.(Tensor|nn\\.Module)\\.(${[...MOVE_METHODS].join('|')})$`);
/** torch.cuda / torch.backends settings whose removal changes nothing the program computes. */
const HARMLESS = /^torch\.(cuda\.(synchronize|empty_cache|reset_peak_memory_stats|reset_max_memory_allocated|ipc_collect)|backends\.cudnn\.(benchmark|enabled))$/;

const deviceTarget = (ctx: RuleContext): string => platformOf(ctx.target.device);

/** An argument that names a device: `device`, `args.device`, 'cuda:0', torch.device(...), a rank. */
function deviceLike(n: Node): boolean {
  if (n.type === 'string') return /^[rbuf]*["'](cuda|cpu|npu|mps|xla)(:\d+)?["']$/i.test(n.text);
  if (n.type === 'identifier' || n.type === 'attribute') return /(device|dev|gpu|cuda|rank)\w*$/i.test(n.text);
  if (n.type === 'call') return /(^|\.)device$/.test(n.childForFieldName('function')?.text ?? '');
  if (n.type === 'integer') return true; // .cuda(0)
  return false;
}

/** A `.to(device, dtype)` call: it moves and casts; only the cast is kept, `dtype` as passed (keyword or not). */
interface MoveAndCast {
  device: Node;
  dtype: Node;
  keyword: boolean;
}

/**
 * What `recv.method(args)` does: a pure device move (`true`: a no-op in MindSpore), a move and a cast
 * (`x.to(device, dtype=torch.float)`, `x.to(device, torch.float16, non_blocking=True)`), or something else.
 */
function moveOf(call: Node): true | MoveAndCast | undefined {
  const name = calleeName(call);
  if (!name || !MOVE_METHODS.has(name) || !calleeObject(call)) return undefined;
  const args = callArgs(call);
  if (!args || args.hasSplat) return undefined;
  const allowed = name === 'to' ? ['device', 'non_blocking', 'memory_format', 'copy', 'dtype'] : ['device', 'non_blocking', 'memory_format'];
  for (const k of args.keywords.keys()) if (!allowed.includes(k)) return undefined;
  if (name !== 'to') return args.positional.every(deviceLike) && args.positional.length <= 1 ? true : undefined;
  const byKeyword = args.keywords.get('device')?.value;
  const dev = byKeyword ?? args.positional[0];
  // `.to(memory_format=torch.channels_last)`: a layout MindSpore does not let one choose; the call goes as a move
  // does (dropping the argument alone would leave `.to()`, which MindSpore's `to` refuses without a dtype)
  if (!dev && args.keywords.size > 0 && [...args.keywords.keys()].every((k) => k === 'memory_format' || k === 'non_blocking' || k === 'copy')) return true;
  if (!dev || !deviceLike(dev)) return undefined;
  // the dtype: `dtype=`, else the positional argument after the device (`.to(device, torch.float16)`)
  const rest = byKeyword ? args.positional : args.positional.slice(1);
  const dtypeKw = args.keywords.get('dtype')?.value;
  if (rest.length > (dtypeKw ? 0 : 1)) return undefined;
  const dtype = dtypeKw ?? rest[0];
  return dtype ? { device: dev, dtype, keyword: !!dtypeKw } : true;
}

/** The finding's words for a move and cast, with the call's own arguments. */
const castMessage = (cast: MoveAndCast) =>
  `${tick(`.to(${cast.device.text}, ${cast.keyword ? 'dtype=' : ''}${cast.dtype.text})`)} moves and casts; ${GLOBAL}, so only the cast stays.`;

/** `.to(device, dtype=X)` → `.to(dtype=X)`: the cast stays (a MindSpore Tensor's `to` takes a dtype). */
function castOnlyFix(call: Node, cast: MoveAndCast, safe: boolean): Fix | undefined {
  const list = call.childForFieldName('arguments');
  if (!list) return undefined;
  return {
    title: 'Keep only the cast (placement is global in MindSpore)',
    applicability: safe ? 'safe' : 'unsafe',
    edits: [{ start: list.startIndex, end: list.endIndex, newText: `(${cast.keyword ? 'dtype=' : ''}${cast.dtype.text})` }],
  };
}

function moveFix(ctx: RuleContext, call: Node): Fix | undefined {
  const stmt = callStatement(call);
  const name = calleeName(call);
  // `model.to(device)` / `model.cuda()` as a statement: delete the line
  if (stmt) {
    const e = deleteStatementEdit(ctx.text, stmt);
    return e ? { title: `Remove the .${name}() statement (placement is global in MindSpore)`, applicability: 'safe', edits: [e] } : undefined;
  }
  const obj = calleeObject(call)!;
  // `x = x.cuda()`: what is left, `x = x`, does nothing; the statement goes
  const asg = call.parent;
  // (a name or an attribute, outside a class body: there `w = w.cuda()` binds a class attribute, and a subscript may
  // call something each time it is written)
  const left = asg?.type === 'assignment' && asg.childForFieldName('right')?.id === call.id ? asg.childForFieldName('left') : null;
  const stmtOf = left && (left.type === 'identifier' || left.type === 'attribute') && left.text === obj.text && asg!.parent?.type === 'expression_statement' ? asg!.parent : undefined;
  const own = stmtOf && stmtOf.parent?.parent?.type !== 'class_definition' ? stmtOf : undefined;
  const e = own ? deleteStatementEdit(ctx.text, own) ?? undefined : tupleMoveStatement(ctx, call);
  if (e) return { title: `Remove the .${name}() statement (placement is global in MindSpore)`, applicability: 'safe', edits: [e] };
  return { title: `Remove .${name}() (placement is global in MindSpore)`, applicability: 'safe', edits: [{ start: call.startIndex, end: call.endIndex, newText: obj.text }] };
}

/**
 * `x, y = x.to(device), y.to(device)` (a batch moved in a training loop): every item moves its own name, so what is
 * left, `x, y = x, y`, does nothing, and the statement goes (the same edit for each call's finding).
 */
function tupleMoveStatement(ctx: RuleContext, call: Node): TextEdit | undefined {
  const right = call.parent;
  const asg = right?.type === 'expression_list' ? right.parent : undefined;
  const left = asg?.type === 'assignment' && asg.childForFieldName('right')?.id === right!.id ? asg.childForFieldName('left') : undefined;
  if (left?.type !== 'pattern_list' || asg!.parent?.type !== 'expression_statement' || asg!.parent.parent?.parent?.type === 'class_definition') return undefined;
  const targets = left.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const values = right!.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (targets.length !== values.length) return undefined;
  const moves = values.every((v, i) => {
    const t = targets[i];
    if ((t.type !== 'identifier' && t.type !== 'attribute') || v.type !== 'call' || calleeObject(v)?.text !== t.text) return false;
    const method = calleeName(v);
    const args = callArgs(v);
    if (!args || args.hasSplat || [...args.keywords.keys()].some((k) => k !== 'non_blocking' && k !== 'device')) return false;
    const device = args.keywords.get('device')?.value ?? args.positional[0];
    if (method === 'cuda') return args.positional.length + (args.keywords.has('device') ? 1 : 0) <= 1;
    if (method === 'cpu') return args.positional.length === 0 && !args.keywords.has('device');
    // .to(device) / .to("cuda") / .to(torch.device(...)): a device, not a dtype
    return method === 'to' && args.positional.length + (args.keywords.has('device') ? 1 : 0) === 1 && !!device && /^(?:[\w.]*device\w*|["'](?:cuda|cpu)[^"']*["']|torch\.device\(.*\))$/is.test(device.text);
  });
  return moves ? deleteStatementEdit(ctx.text, asg!.parent) ?? undefined : undefined;
}

function deviceAssignFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  // device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
  const stmt = use.call ? enclosingStatement(use.call) : undefined;
  const asg = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
  if (!stmt || asg?.type !== 'assignment') return undefined;
  const left = asg.childForFieldName('left');
  const right = asg.childForFieldName('right');
  if (left?.type !== 'identifier' || !right || !use.call) return undefined;
  // the value assigned is the device itself (`x = x.to(torch.device(...))` or `ckpt = load(..., map_location=
  // torch.device("cpu"))` assign something else, which "Ascend" would replace)
  if (right.id !== use.call.id) return undefined;
  const plan = ctx.imports.plan('mindspore.set_context');
  const nl = eol(ctx.text);
  const edits: TextEdit[] = [
    { start: asg.startIndex, end: asg.endIndex, newText: `${left.text} = "${deviceTarget(ctx)}"${nl}${indentAt(ctx.text, asg.startIndex)}${plan.expr}(device_target=${left.text})` },
  ];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Set the device once: ${plan.expr}(device_target="${deviceTarget(ctx)}")`, applicability: 'unsafe', edits };
}

function settingFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  // torch.backends.cudnn.benchmark = True  → delete the line
  const asg = use.node.parent;
  if (asg?.type !== 'assignment' || asg.childForFieldName('left')?.id !== use.node.id) return undefined;
  const stmt = enclosingStatement(asg);
  const value = asg.childForFieldName('right')?.text;
  if (use.qname === 'torch.backends.cudnn.deterministic' && (value === 'True' || value === 'False') && stmt && stmt.namedChildren[0]?.id === asg.id) {
    // the same request in MindSpore: deterministic kernels (not the default there either)
    const newer = versionAtLeast(ctx.target.version, '2.5');
    const plan = ctx.imports.plan(newer ? 'mindspore.set_deterministic' : 'mindspore.set_context');
    const text = newer ? `${plan.expr}(${value})` : `${plan.expr}(deterministic="${value === 'True' ? 'ON' : 'OFF'}")`;
    const edits: TextEdit[] = [{ start: asg.startIndex, end: asg.endIndex, newText: text }];
    if (plan.edit) edits.push(plan.edit);
    return { title: `Ask for deterministic kernels: ${text}`, applicability: 'safe', edits };
  }
  const e = stmt && stmt.namedChildren[0]?.id === asg.id ? deleteStatementEdit(ctx.text, stmt) : undefined;
  if (!e) return undefined;
  return { title: 'Remove this CUDA setting', applicability: HARMLESS.test(use.qname) ? 'safe' : 'unsafe', edits: [e] };
}

function callStatementFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (!use.call || !HARMLESS.test(use.qname)) return undefined;
  const stmt = callStatement(use.call);
  if (!stmt) return undefined;
  const e = deleteStatementEdit(ctx.text, stmt);
  return e ? { title: `Remove ${use.qname}()`, applicability: 'safe', edits: [e] } : undefined;
}

/**
 * Probes of the CUDA device, asked of the configured target instead: `torch.cuda.is_available()` →
 * `ms.device_context.ascend.is_available()` (2.5 on; `ms.hal.is_available("Ascend")` before), likewise
 * `device_count()`, and `current_device()` → `ms.get_context("device_id")`. Unsafe: the program then asks about
 * the NPU where it asked about CUDA, and MindSpore's device_count raises where torch's returns 0.
 */
const PROBES: Record<string, string> = { 'torch.cuda.is_available': 'is_available', 'torch.cuda.device_count': 'device_count', 'torch.cuda.current_device': 'current_device' };

function probeFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const probe = PROBES[use.qname];
  const call = use.call;
  if (!probe || !call || use.via === 'method' || (callArgs(call)?.all.length ?? 1) !== 0) return undefined;
  // inside `torch.device(... if torch.cuda.is_available() else ...)`: that whole assignment is rewritten
  for (let p = call.parent; p && p.type !== 'expression_statement'; p = p.parent) {
    if (p.type === 'call' && /(^|\.)device$/.test(p.childForFieldName('function')?.text ?? '')) return undefined;
  }
  const target = deviceTarget(ctx);
  let api: string;
  let args = '';
  if (probe === 'current_device') {
    api = 'mindspore.get_context';
    args = '"device_id"';
  } else if (versionAtLeast(ctx.target.version, '2.5')) {
    api = `mindspore.device_context.${target.toLowerCase()}.${probe}`;
  } else {
    api = `mindspore.hal.${probe}`;
    args = `"${target}"`;
  }
  const plan = ctx.imports.plan(api);
  const edits: TextEdit[] = [{ start: call.startIndex, end: call.endIndex, newText: `${plan.expr}(${args})` }];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Ask the ${target} device instead: ${plan.expr}(${args})`, applicability: 'unsafe', edits };
}

/**
 * `torch.cuda.set_device(n)` → `ms.set_device("Ascend", n)` (MindSpore 2.6 on; its first argument is the device
 * type, so a bare rename would pass the index there) or `ms.set_context(device_id=n)` before. Unsafe: a
 * `torch.device` object passed in has no MindSpore counterpart.
 */
function setDeviceFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const args = use.qname === 'torch.cuda.set_device' && use.call ? callArgs(use.call) : undefined;
  if (!args || args.hasSplat || args.all.length !== 1) return undefined;
  const index = args.positional[0] ?? args.keywords.get('device')?.value;
  if (!index) return undefined;
  const target = deviceTarget(ctx);
  const newer = versionAtLeast(ctx.target.version, '2.6');
  const plan = ctx.imports.plan(newer ? 'mindspore.set_device' : 'mindspore.set_context');
  const text = newer ? `${plan.expr}("${target}", ${index.text})` : `${plan.expr}(device_id=${index.text})`;
  const edits: TextEdit[] = [{ start: use.call!.startIndex, end: use.call!.endIndex, newText: text }];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Set the device: ${text}`, applicability: 'unsafe', edits };
}

/** `.to(memory_format=...)` (with nothing but non_blocking / copy besides): a layout choice, not a move. */
const layoutOnly = (call: Node) => !!callArgs(call)?.keywords.has('memory_format') && !callArgs(call)?.keywords.has('device') && !callArgs(call)?.positional.length;
const LAYOUT = '`.to(memory_format=...)` chooses a memory layout, which MindSpore does not let one choose, so this call can go.';

const GLOBAL = 'MindSpore places all work on one device per process: set it once with ms.set_context(device_target=...)' +
  ' (ms.set_device in newer versions)';

export const msp205Rule: Rule = {
  codes: ['MSP205'],
  order: 20,
  check(ctx) {
    const moves = new Set<number>();
    const casts = new Map<number, MoveAndCast>();
    // by name: a moving method of tensors or modules (a method use's name ends with the method's; whether it
    // moves is told by the call), else the device APIs
    const byName = (q: string) => MOVE_METHOD_NAME.test(q) || q === 'torch.device' || q.startsWith('torch.cuda.') || q.startsWith('torch.backends.') || ruleOwned(ctx, 'MSP205', q);
    const uses = claimUses(ctx, 'MSP205', byName, (u) => {
      if (u.via === 'method' && MOVE_METHOD_NAME.test(u.qname)) {
        const move = u.call ? moveOf(u.call) : undefined;
        if (move === true) moves.add(u.call!.id);
        else if (move) casts.set(u.call!.id, move);
        if (move) return true;
        return u.nameNode.text !== 'to'; // .to(dtype) belongs to the generic rules
      }
      return u.qname === 'torch.device' || (u.qname.startsWith('torch.cuda.') && !u.qname.startsWith('torch.cuda.amp.')) || u.qname.startsWith('torch.backends.') || ruleOwned(ctx, 'MSP205', u.qname);
    });
    if (!ctx.enabled('MSP205')) return;
    for (const use of uses) {
      if (use.call && moves.has(use.call.id)) {
        const fix = moveFix(ctx, use.call);
        reportAdvice(ctx, 'MSP205', use, layoutOnly(use.call) ? LAYOUT : `${tick(`.${use.nameNode.text}()`)} moves data between devices; ${GLOBAL}, so this call can go.`, { fixes: fix ? [fix] : [], withAdvice: false });
        continue;
      }
      const cast = use.call && casts.get(use.call.id);
      if (cast) {
        // safe on a tensor; a module's `to(dtype)` is not a Cell method in every MindSpore version
        const fix = castOnlyFix(use.call!, cast, use.qname === 'torch.Tensor.to' && use.confidence === 'high');
        reportAdvice(ctx, 'MSP205', use, castMessage(cast), { fixes: fix ? [fix] : [], withAdvice: false });
        continue;
      }
      if (use.context === 'annotation' && (use.qname === 'torch.device' || use.qname === 'torch.cuda.device')) {
        // a type hint (`device: torch.device`) computes nothing: what such values become
        const fix = hintTypeFix(ctx, use);
        reportAdvice(ctx, 'MSP205', use, `${tick(use.qname)} in a type hint: MindSpore has no device objects; a device is named by a string (\`"Ascend"\`) where one is named at all.`, { severity: 'hint', withAdvice: false, fixes: fix ? [fix] : [] });
        continue;
      }
      let fix: Fix | undefined;
      let lead: string;
      let withAdvice = true;
      if (use.qname === 'torch.device') {
        // `x.to(torch.device("cpu"))`: the move's own fix deletes the device with the call
        const mover = use.call?.parent?.type === 'argument_list' ? use.call.parent.parent : undefined;
        fix = deviceAssignFix(ctx, use) ?? (mover?.type === 'call' && moveOf(mover) === true ? moveFix(ctx, mover) : undefined);
        lead = `${tick('torch.device')}: there are no device objects to pass around; ${GLOBAL}.`;
        withAdvice = false;
      } else if (use.qname.startsWith('torch.backends.')) {
        fix = settingFix(ctx, use);
        lead = use.qname === 'torch.backends.cudnn.deterministic' ? `${tick(use.qname)}:` : `${tick(use.qname)} is a CUDA/cuDNN setting with no MindSpore counterpart.`;
      } else if (use.qname.startsWith('torch.cuda.')) {
        fix = callStatementFix(ctx, use) ?? probeFix(ctx, use) ?? setDeviceFix(ctx, use) ?? (use.qname === 'torch.cuda.set_device' ? undefined : twinRenameFix(ctx, use));
        lead = `${tick(use.qname)}: CUDA-specific.`;
      } else {
        lead = `${tick(use.qname)}:`;
      }
      reportAdvice(ctx, 'MSP205', use, lead, {
        fixes: fix ? [fix] : [],
        node: use.qname.startsWith('torch.backends.') ? use.node : undefined,
        withAdvice,
        fallback: `${GLOBAL}.`,
      });
    }
    // `.to(device)` / `.cuda()` on receivers the resolver does not know (loop variables, function results)
    const seen = new Set([...moves, ...casts.keys()]);
    const t = ctx.tree;
    const calls = t.indicesOfType(['call']);
    for (let k = 0; k < calls.length; k++) {
      const name = calleeNameAt(t, calls[k]);
      if ((name !== 'to' && name !== 'cuda') || seen.has(calls[k])) continue;
      const n = t.node(calls[k]);
      const move = moveOf(n);
      if (!move) continue;
      seen.add(n.id);
      if (move !== true) {
        const fix = castOnlyFix(n, move, false);
        ctx.report({
          code: 'MSP205',
          message: castMessage(move),
          start: n.startIndex,
          end: n.endIndex,
          fixes: fix ? [fix] : [],
          data: { torchApi: 'torch.Tensor.to', confidence: 'low' },
        });
        continue;
      }
      const fix = moveFix(ctx, n);
      ctx.report({
        code: 'MSP205',
        message: layoutOnly(n) ? LAYOUT : `${tick(`.${name}(...)`)} moves data to a device; ${GLOBAL}, so this call can go.`,
        start: n.startIndex,
        end: n.endIndex,
        fixes: fix ? [fix] : [],
        data: { torchApi: `torch.Tensor.${name}`, confidence: 'low' },
      });
    }
  },
};
