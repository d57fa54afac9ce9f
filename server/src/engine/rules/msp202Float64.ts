// MSP202: float64 reaching the device. Ascend's matrix units have no float64 path and aclnn kernels reject
// DT_DOUBLE, so ports compute float64 tables in NumPy on the host and cast to float32 before they become Tensors.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { Rule, RuleContext } from './types';
import { assignedValue, callArgs, claimUses, isAscend, scopeNode, tick } from './util';
import { typedConstructorFix } from './typedConstructors';

const F64 = new Set(['torch.float64', 'torch.double']);
/** NumPy constructors that produce float64 unless told otherwise. */
const NP_FLOAT_DEFAULT = /^numpy\.(zeros|ones|empty|full|eye|identity|linspace|logspace|random\.(randn|rand|random|normal|uniform|standard_normal)|loadtxt|genfromtxt)$/;
const TO_TENSOR = new Set(['torch.from_numpy', 'torch.tensor', 'torch.as_tensor', 'torch.Tensor', 'torch.FloatTensor']);

function numpyAlias(ctx: RuleContext): string | undefined {
  for (const [alias, q] of ctx.resolution.moduleBindings) if (q === 'numpy') return alias;
  return undefined;
}

/** Why a NumPy expression is float64, or undefined when it is not known to be. */
function float64Numpy(ctx: RuleContext, expr: Node, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  if (expr.type === 'identifier') {
    const v = assignedValue(scopeNode(expr), expr.text, expr.startIndex);
    return v ? float64Numpy(ctx, v, depth + 1) : undefined;
  }
  if (expr.type !== 'call') return undefined;
  const use = ctx.resolution.uses.find((u) => u.call?.id === expr.id);
  const args = callArgs(expr);
  const dtype = args?.keywords.get('dtype')?.value;
  if (dtype) return /float64|double|\bfloat\b/.test(dtype.text) ? `dtype ${dtype.text}` : undefined;
  if (use && NP_FLOAT_DEFAULT.test(use.qname)) return `${use.node.text}(...) makes float64 by default`;
  // x.astype(np.float64)
  const fn = expr.childForFieldName('function');
  if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'astype') {
    const a = args?.positional[0];
    if (a && /float64|double/.test(a.text)) return `astype(${a.text})`;
  }
  return undefined;
}

function castFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  // torch.float64 → ms.float32 (the dtype the port uses on the device)
  const plan = ctx.imports.plan('mindspore.float32');
  const edits: TextEdit[] = [{ start: use.node.startIndex, end: use.node.endIndex, newText: plan.expr }];
  if (plan.edit) edits.push(plan.edit);
  return { title: `Use ${plan.expr}`, applicability: 'unsafe', edits };
}

export const msp202Rule: Rule = {
  codes: ['MSP202'],
  order: 20,
  check(ctx) {
    const ascend = isAscend(ctx);
    const severity = ascend ? undefined : 'info';
    const why = ascend
      ? 'Ascend has no float64 compute (aclnn kernels reject DT_DOUBLE)'
      : `float64 is slow on ${ctx.target.device} and will not run on Ascend`;
    const enabled = ctx.enabled('MSP202');
    const reported = new Set<number>();
    const report = (node: Node, message: string, fixes: Fix[], use?: ApiUse) => {
      if (!enabled || reported.has(node.startIndex)) return;
      reported.add(node.startIndex);
      ctx.report({ code: 'MSP202', message, severity, start: node.startIndex, end: node.endIndex, fixes, data: use ? { torchApi: use.qname, confidence: use.confidence } : undefined });
    };
    const uses = claimUses(
      ctx,
      'MSP202',
      (q) => F64.has(q) || q === 'torch.Tensor.double' || q === 'torch.set_default_dtype' || q === 'torch.DoubleTensor',
      (u) => u.qname !== 'torch.set_default_dtype' || /float64|double/.test(u.call?.text ?? ''),
    );
    for (const use of uses) {
      if (use.qname === 'torch.set_default_dtype') {
        report(use.call!, `${tick('torch.set_default_dtype')} to float64: ${why}. Keep the float32 default; compute float64 tables in NumPy on the host and cast them to float32.`, []);
        continue;
      }
      if (use.qname === 'torch.Tensor.double') {
        const fixes: Fix[] = use.confidence === 'high' ? [{ title: 'Use .float() (float32)', applicability: 'unsafe', edits: [{ start: use.nameNode.startIndex, end: use.nameNode.endIndex, newText: 'float' }] }] : [];
        report(use.call ?? use.node, `${tick('.double()')}: ${why}. Cast to float32 instead, or do this part in NumPy on the host.`, fixes, use);
        continue;
      }
      if (use.qname === 'torch.DoubleTensor') {
        const fix = typedConstructorFix(ctx, use, 'float32', 'unsafe');
        report(use.call ?? use.node, `${tick('torch.DoubleTensor')} makes a float64 tensor: ${why}. Make it float32 (${tick('ms.Tensor(data, dtype=ms.float32)')}), or keep float64 work in NumPy on the host.`, fix ? [fix] : [], use);
        continue;
      }
      // a float64 dtype inside set_default_dtype is reported with that call
      const inDefault = uses.some((u) => u.qname === 'torch.set_default_dtype' && u.call && u.call.startIndex <= use.node.startIndex && use.node.endIndex <= u.call.endIndex);
      if (inDefault) continue;
      const fix = castFix(ctx, use);
      report(use.node, `${tick(use.node.text)}: ${why}. Use float32 on the device; keep float64 work in NumPy on the host and cast before it becomes a Tensor.`, fix ? [fix] : [], use);
    }
    // float64 NumPy arrays turned into tensors
    const np = numpyAlias(ctx);
    for (const use of ctx.resolution.uses) {
      if (!TO_TENSOR.has(use.qname) || !use.call) continue;
      const args = callArgs(use.call);
      const data = args?.positional[0];
      if (!data || args?.keywords.has('dtype')) continue;
      const reason = float64Numpy(ctx, data);
      if (!reason) continue;
      const edits: TextEdit[] = np ? [{ start: data.endIndex, end: data.endIndex, newText: `.astype(${np}.float32)` }] : [];
      const wrap = data.type === 'identifier' || data.type === 'call' || data.type === 'attribute' || data.type === 'subscript';
      report(
        use.call,
        `${tick(use.node.text)} of a float64 NumPy array (${reason}): the Tensor will be float64 — ${why}. Cast on the host first: ${tick(`${data.text}.astype(np.float32)`)}.`,
        edits.length && wrap ? [{ title: 'Cast the array to float32 on the host', applicability: 'unsafe', edits }] : [],
        use,
      );
    }
  },
};
