// MSP401: nn.Module subclasses become nn.Cell subclasses whose forward is called construct. The fix renames
// the base class and the forward method (and self.forward / super().forward calls in the class); it is unsafe
// when the class uses hooks or buffers, whose MindSpore counterparts behave differently.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse, ClassInfo } from '../resolve';
import type { Rule, RuleContext } from './types';
import { argOf, callArgs, callStatement, claimUses, isBaseOf, isRepeatable, tick } from './util';

const ATTRIBUTE = ['attribute'];
const RISKY = /register_buffer|register_\w*hook|\b_apply\b|def __call__|named_buffers|\.buffers\(/;

function forwardRenames(cls: ClassInfo): TextEdit[] {
  const edits: TextEdit[] = [];
  const fwd = cls.methods.get('forward');
  // a forward inherited from a base class is renamed with that class
  if (!fwd || fwd.startIndex < cls.node.startIndex || fwd.endIndex > cls.node.endIndex || fwd.id === cls.node.id) return edits;
  const name = fwd.childForFieldName('name');
  if (!name || cls.methods.has('construct')) return edits;
  edits.push({ start: name.startIndex, end: name.endIndex, newText: 'construct' });
  const t = cls.node.tree;
  t.walkTypeIndices(cls.node.id, ATTRIBUTE, (i) => {
    const attr = t.fieldChild(i, 'attribute');
    const obj = t.fieldChild(i, 'object');
    if (attr >= 0 && obj >= 0 && t.textAt(attr) === 'forward') {
      const receiver = t.textAt(obj);
      if (receiver === 'self' || /^super\(.*\)$/s.test(receiver)) edits.push({ start: t.starts[attr], end: t.ends[attr], newText: 'construct' });
    }
  });
  return edits;
}

const BUFFER = 'torch.nn.Module.register_buffer';
/** A torch layer class (a Module): `torch.nn.Conv2d`, `torch.nn.Sequential`; not `torch.nn.Parameter`. */
const TORCH_LAYER = /^torch\.nn\.(?!Parameter\b)[A-Z]\w*$/;
const NAME = /^[rRuU]?(['"])([A-Za-z_]\w*)\1$/;

/**
 * `self.register_buffer("mask", t)`: a Cell keeps it as an attribute, a Parameter that is not trained (saved with
 * the checkpoint, as a persistent buffer is) or, with persistent=False, a plain Tensor. The fix rewrites a
 * statement whose name is a literal; unsafe (the Parameter is listed among the Cell's parameters).
 */
function reportBuffer(ctx: RuleContext, use: ApiUse): void {
  const call = use.call!;
  const args = callArgs(call);
  const stmt = callStatement(call);
  const fixes: Fix[] = [];
  const nameArg = argOf(args, 'name', 0);
  const name = NAME.exec(nameArg?.text ?? '')?.[2];
  // a name built at run time (`f"latlons_{key}"`, a variable) is set with setattr
  const computed = !name && !!nameArg && (nameArg.type === 'identifier' || (nameArg.type === 'string' && /^[fF]/.test(nameArg.text)));
  const receiver = use.receiver && isRepeatable(use.receiver) ? use.receiver.text : undefined;
  const tensor = argOf(args, 'tensor', 1);
  const persistent = argOf(args, 'persistent', 2)?.text ?? 'True';
  const known = args && !args.hasSplat && args.positional.length <= 3 && [...args.keywords.keys()].every((k) => ['name', 'tensor', 'persistent'].includes(k));
  if (known && (name || computed) && tensor && tensor.type !== 'none' && (persistent === 'True' || persistent === 'False') && receiver && stmt) {
    const edits: TextEdit[] = [];
    let value = tensor.text;
    if (persistent === 'True') {
      const plan = ctx.imports.plan('mindspore.Parameter');
      // `f if up or down else None`: a Parameter cannot hold None, so the None branch stays outside it
      const cond = tensor.type === 'conditional_expression' ? tensor.namedChildren.filter((c) => c?.type !== 'comment') : [];
      if (cond.length === 3 && cond[2]?.type === 'none') value = `${plan.expr}(${cond[0]!.text}, requires_grad=False) if ${cond[1]!.text} else None`;
      else if (cond.length === 3 && cond[0]?.type === 'none') value = `None if ${cond[1]!.text} else ${plan.expr}(${cond[2]!.text}, requires_grad=False)`;
      else value = `${plan.expr}(${tensor.text}, requires_grad=False)`;
      if (plan.edit) edits.push(plan.edit);
    }
    edits.push({ start: call.startIndex, end: call.endIndex, newText: name ? `${receiver}.${name} = ${value}` : `setattr(${receiver}, ${nameArg!.text}, ${value})` });
    const label = name ?? nameArg!.text;
    fixes.push({ title: persistent === 'True' ? `Keep ${label} as a Parameter that is not trained` : `Keep ${label} as a plain Tensor attribute`, applicability: 'unsafe', edits });
  }
  ctx.report({
    code: 'MSP401',
    message: `${tick('register_buffer')}: a Cell keeps buffers as attributes: Parameter(t, requires_grad=False) is saved with the checkpoint and not trained; a buffer with persistent=False is a plain Tensor attribute.`,
    start: use.node.startIndex,
    end: use.node.endIndex,
    fixes,
    data: { torchApi: BUFFER, confidence: use.confidence },
  });
}

export const msp401Rule: Rule = {
  codes: ['MSP401'],
  order: 40,
  check(ctx: RuleContext) {
    const uses = claimUses(
      ctx,
      'MSP401',
      (q) => q === 'torch.nn.Module' || q === BUFFER,
      (u) => (u.qname === BUFFER ? u.context === 'call' && u.confidence === 'high' : u.via === 'import'),
    );
    if (!ctx.enabled('MSP401')) return;
    const done = new Set<ClassInfo>();
    for (const use of uses) {
      if (use.qname === BUFFER) {
        reportBuffer(ctx, use);
        continue;
      }
      const plan = ctx.imports.plan('mindspore.nn.Cell');
      const edits: TextEdit[] = [{ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr }];
      if (plan.edit) edits.push(plan.edit);
      const cls = use.context === 'base' ? ctx.resolution.classes.find((c) => isBaseOf(c, use.node)) : undefined;
      let risky = false;
      if (cls) {
        done.add(cls);
        edits.push(...forwardRenames(cls));
        risky = RISKY.test(cls.node.text);
      }
      const fix: Fix = {
        title: cls ? `Derive ${cls.name} from ${plan.expr} and rename forward to construct` : `Use ${plan.expr}`,
        applicability: risky ? 'unsafe' : 'safe',
        edits,
      };
      ctx.report({
        code: 'MSP401',
        message: cls
          ? `${tick(cls.name)} derives from nn.Module: in MindSpore it derives from nn.Cell and its forward is called construct${risky ? '; it uses buffers or hooks, which work differently in MindSpore (buffers become Parameter(requires_grad=False) or plain Tensor attributes)' : ''}.`
          : `${tick('nn.Module')} → ${tick('nn.Cell')}.`,
        start: use.node.startIndex,
        end: use.node.endIndex,
        fixes: [fix],
        data: { torchApi: 'torch.nn.Module', msApi: 'mindspore.nn.Cell', confidence: use.confidence },
      });
    }
    // subclasses of local Module subclasses, and of torch's layers (`class WrapConv2d(nn.Conv2d)`, whose base the
    // mapping rules rename): only forward needs renaming, else the layer's own construct runs and ignores it
    for (const cls of ctx.resolution.classes) {
      if (done.has(cls) || !(cls.torchBase === 'torch.nn.Module' || TORCH_LAYER.test(cls.torchBase ?? ''))) continue;
      const edits = forwardRenames(cls);
      if (!edits.length) continue;
      const name = cls.methods.get('forward')!.childForFieldName('name')!;
      ctx.report({
        code: 'MSP401',
        message: `${tick(`${cls.name}.forward`)}: a Cell's forward computation is called construct.`,
        start: name.startIndex,
        end: name.endIndex,
        fixes: [{ title: 'Rename forward to construct', applicability: RISKY.test(cls.node.text) ? 'unsafe' : 'safe', edits }],
      });
    }
  },
};
