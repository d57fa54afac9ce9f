// MSP406: torch.save / torch.load / state_dict / load_state_dict → ms.save_checkpoint / ms.load_checkpoint /
// parameters_dict / ms.load_param_into_net. Parameter names differ between the frameworks (BatchNorm
// running_mean → moving_mean, running_var → moving_variance, weight/bias → gamma/beta), so torch .pth files need
// a name-mapping conversion.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { argOf, assignedValue, callArgs, calleeName, calleeObject, callStatement, claimUses, eol, indentAt, lineStartOf, reportAdvice, ruleOwned, scopeNode, tick } from './util';

const NAMES = 'Parameter names differ: BatchNorm running_mean/running_var → moving_mean/moving_variance and weight/bias → gamma/beta (LayerNorm too), so convert .pth files with a name map.';

function callFix(ctx: RuleContext, use: ApiUse, msName: string, text: (expr: string) => string | undefined, title: string): Fix | undefined {
  if (!use.call) return undefined;
  const plan = ctx.imports.plan(msName);
  const t = text(plan.expr);
  if (!t) return undefined;
  const edits: TextEdit[] = [{ start: use.call.startIndex, end: use.call.endIndex, newText: t }];
  if (plan.edit) edits.push(plan.edit);
  return { title, applicability: 'unsafe', edits };
}

/** A name bound by `with open(...) as fh` around the call: a file object, which MindSpore's checkpoint functions do not take. */
function fileObject(path: Node): boolean {
  if (path.type !== 'identifier') return false;
  for (let p = path.parent; p; p = p.parent) {
    if (p.type === 'with_statement' && p.text.includes(' as ') && new RegExp(`\\bas\\s+${path.text}\\b`).test(p.childForFieldName('body') ? p.text.slice(0, p.childForFieldName('body')!.startIndex - p.startIndex) : p.text)) return true;
  }
  return false;
}

/**
 * A literal file name with torch's extension (`"m.pth"`, `.pt`, `.tar`) takes `.ckpt`: MindSpore's save_checkpoint
 * appends it to a name without it, and load_checkpoint refuses another, so a pair of literals stays a pair.
 */
function checkpointPath(path: Node): string {
  const m = /^([rRuU]?)(['"])(.*)\.(pth|pt|tar|pkl)\2$/.exec(path.text);
  return m ? `${m[1]}${m[2]}${m[3]}.ckpt${m[2]}` : path.text;
}

function fixFor(ctx: RuleContext, use: ApiUse): Fix | undefined {
  if (use.context !== 'call' || !use.call) return undefined;
  const args = callArgs(use.call);
  if (!args || args.hasSplat) return undefined;
  switch (use.qname) {
    case 'torch.save': {
      const obj = argOf(args, 'obj', 0);
      const path = argOf(args, 'f', 1);
      if (!obj || !path || [...args.keywords.keys()].some((k) => k !== 'obj' && k !== 'f') || args.positional.length > 2) return undefined;
      // torch.save(model.state_dict(), path) → ms.save_checkpoint(model, path)
      let net: string | undefined;
      // a module's state_dict (not an optimizer's or a scheduler's: save_checkpoint takes a Cell or parameters)
      const moduleState = (c: Node) => ctx.resolution.uses.some((u) => u.call?.id === c.id && u.qname === 'torch.nn.Module.state_dict');
      if (obj.type === 'call' && calleeName(obj) === 'state_dict' && !obj.childForFieldName('arguments')?.namedChildren.length && moduleState(obj)) net = calleeObject(obj)?.text;
      else if (ctx.resolution.instances.get(obj.id) && obj.type === 'identifier') net = obj.text;
      // a path, not a file object (`with open(p, "wb") as fh`: save_checkpoint takes a file name)
      if (!net || fileObject(path)) return undefined;
      return callFix(ctx, use, 'mindspore.save_checkpoint', (e) => `${e}(${net}, ${checkpointPath(path)})`, 'Use ms.save_checkpoint');
    }
    case 'torch.load': {
      const path = args.keywords.get('f')?.value ?? args.positional[0];
      for (const k of args.keywords.keys()) if (!['f', 'map_location', 'weights_only'].includes(k)) return undefined;
      if (!path || args.positional.length > 1 || fileObject(path)) return undefined;
      return callFix(ctx, use, 'mindspore.load_checkpoint', (e) => `${e}(${checkpointPath(path)})`, 'Use ms.load_checkpoint (returns a dict of Parameters)');
    }
    case 'torch.nn.Module.load_state_dict': {
      const obj = calleeObject(use.call);
      const sd = args.keywords.get('state_dict')?.value ?? args.positional[0];
      const strict = args.keywords.get('strict')?.value ?? args.positional[1];
      if (!obj || !sd) return undefined;
      // torch's strict (the default) raises on missing or unexpected keys; load_param_into_net only returns them
      // (its strict_load is another switch: exact name matching). A statement keeps the check, written out.
      const stmt = callStatement(use.call);
      const strictTrue = !strict || strict.text === 'True';
      if (strictTrue && stmt && !ctx.text.slice(lineStartOf(ctx.text, stmt.startIndex), stmt.startIndex).trim()) {
        const nl = eol(ctx.text);
        const ind = indentAt(ctx.text, stmt.startIndex);
        return callFix(
          ctx,
          use,
          'mindspore.load_param_into_net',
          (e) =>
            `_missing, _unexpected = ${e}(${obj.text}, ${sd.text})${nl}${ind}if _missing or _unexpected:  # torch's load_state_dict is strict by default${nl}` +
            `${ind}    raise RuntimeError(f"checkpoint does not match: missing {_missing}, unexpected {_unexpected}")`,
          'Use ms.load_param_into_net, raising on missing or unexpected parameters as torch does',
        );
      }
      if (!strictTrue && strict?.text !== 'False') return undefined; // strict=flag: for a person to write
      return callFix(ctx, use, 'mindspore.load_param_into_net', (e) => `${e}(${obj.text}, ${sd.text})`, 'Use ms.load_param_into_net');
    }
    case 'torch.nn.Module.state_dict': {
      if (args.all.length) return undefined;
      // inside torch.save(...) (by position or as obj=) the save fix handles it
      const list = use.call.parent?.type === 'keyword_argument' ? use.call.parent.parent : use.call.parent;
      if (list?.parent?.type === 'call' && /(^|\.)save$/.test(list.parent.childForFieldName('function')?.text ?? '')) return undefined;
      return { title: 'Use parameters_dict()', applicability: 'unsafe', edits: [{ start: use.nameNode.startIndex, end: use.nameNode.endIndex, newText: 'parameters_dict' }] };
    }
  }
  return undefined;
}

/**
 * For `torch.save({...}, path)` of a dict literal (in the call, or a name assigned one just before in the scope): how
 * MindSpore keeps the same things, entry by entry, as the message's advice. A checkpoint is flat (name → Parameter),
 * so the module and optimizer parameters go in one dict (an optimizer Cell holds the network's parameters under their
 * own names, and its moments) and the scalars in append_dict; undefined for anything else.
 */
function dictSaveAdvice(ctx: RuleContext, use: ApiUse): string | undefined {
  const args = use.call ? callArgs(use.call) : undefined;
  let obj = args ? argOf(args, 'obj', 0) : undefined;
  if (obj?.type === 'identifier') obj = assignedValue(scopeNode(obj), obj.text, obj.startIndex);
  if (obj?.type !== 'dictionary') return undefined;
  const states: string[] = [];
  const scalars: string[] = [];
  const others: string[] = [];
  for (const pair of obj.namedChildren) {
    if (pair?.type !== 'pair') {
      if (pair && pair.type !== 'comment') others.push(pair.text);
      continue;
    }
    const key = pair.childForFieldName('key')?.text ?? '';
    const value = pair.childForFieldName('value');
    const q = value?.type === 'call' ? ctx.resolution.uses.find((u) => u.call?.id === value.id)?.qname : undefined;
    const owner = value?.type === 'call' ? calleeObject(value)?.text : undefined;
    if (owner && (q === 'torch.nn.Module.state_dict' || q === 'torch.optim.Optimizer.state_dict')) states.push(`${owner}.parameters_dict()`);
    // a name, an attribute or a literal: an int, a float or a string as far as one can tell (append_dict's types)
    else if (value && (/^(self\.)?[A-Za-z_][\w.]*$/.test(value.text) || ['integer', 'float', 'string', 'true', 'false'].includes(value.type)) && !/state/i.test(key + value.text)) scalars.push(`${key}: ${value.text}`);
    else others.push(key);
  }
  if (!states.length) return undefined;
  const merged = states.length === 1 ? states[0] : `{${states.map((x) => `**${x}`).join(', ')}}`;
  const path = args ? (argOf(args, 'f', 1)?.text ?? 'path') : 'path';
  const save = `ms.save_checkpoint(${merged}, ${path}${scalars.length ? `, append_dict={${scalars.join(', ')}}` : ''})`;
  const firstKey = scalars[0]?.slice(0, scalars[0].indexOf(':'));
  return (
    `A MindSpore checkpoint is one flat dict of parameters: save ${tick(save)} (an optimizer Cell holds the network's parameters under their own names and its moments; append_dict takes only ints, floats, bools, strings and Tensors), ` +
    `then load it with ${tick(`ckpt = ms.load_checkpoint(${path})`)} and ${tick('ms.load_param_into_net(cell, ckpt)')} for each of them${firstKey ? ` (the scalars come back as Parameters: ${tick(`int(ckpt[${firstKey}])`)})` : ''}.` +
    (others.length ? ` ${others.map((o) => tick(o)).join(', ')} ${others.length === 1 ? 'has' : 'have'} no place in it (a scheduler's state, nested data): keep ${others.length === 1 ? 'it' : 'them'} apart, e.g. with json or pickle.` : '')
  );
}

export const msp406Rule: Rule = {
  codes: ['MSP406'],
  order: 40,
  check(ctx) {
    const uses = claimUses(ctx, 'MSP406', (q) => /^torch\.(save|load|nn\.Module\.(state_dict|load_state_dict)|optim\.Optimizer\.(state_dict|load_state_dict))$/.test(q) || ruleOwned(ctx, 'MSP406', q));
    if (!ctx.enabled('MSP406')) return;
    for (const use of uses) {
      const fix = fixFor(ctx, use);
      const what = {
        'torch.save': 'ms.save_checkpoint(net_or_param_list, "x.ckpt")',
        'torch.load': 'ms.load_checkpoint("x.ckpt") (a dict of Parameters)',
        'torch.nn.Module.load_state_dict': 'ms.load_param_into_net(net, param_dict)',
        'torch.nn.Module.state_dict': 'net.parameters_dict()',
      }[use.qname];
      const dict = use.qname === 'torch.save' && !fix ? dictSaveAdvice(ctx, use) : undefined;
      reportAdvice(ctx, 'MSP406', use, `${tick(use.qname)}${what ? ` → ${tick(what)}` : ': optimizer state is saved with the network parameters by ms.save_checkpoint(optimizer, ...) or kept in the optimizer Cell'}. ${dict ? `${dict} ` : ''}${NAMES}`, { fixes: fix ? [fix] : [], withAdvice: false });
    }
  },
};
