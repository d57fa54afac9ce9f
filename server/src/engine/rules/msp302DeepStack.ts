// MSP302: a deep stack of identical blocks (ModuleList/Sequential built by a comprehension, looped over in
// forward) with attention or large activations and no checkpointing. Marking each block with recompute()
// trades compute for activation memory; with literal sizes the rule estimates what it saves.
import type { Fix } from '../findings';
import type { Node } from '../parser';
import type { ClassInfo } from '../resolve';
import type { Rule, RuleContext } from './types';
import { callArgs, enclosingStatement, findAll, indentAt, eol, walk } from './util';

const HEAVY = /softmax|attention|Attention|scaled_dot_product|@|matmul|bmm|einsum|Linear|Conv|Dense|Mlp|MLP/;
const TORCH_BLOCKS = /^torch\.nn\.(TransformerEncoderLayer|TransformerDecoderLayer|MultiheadAttention)$/;

function intValue(n: Node | undefined, init: Node | undefined): number | undefined {
  if (!n) return undefined;
  if (n.type === 'integer') return Number(n.text);
  if (n.type === 'identifier' && init) {
    const params = init.childForFieldName('parameters');
    for (const p of params?.namedChildren ?? []) {
      if (p && (p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('name')?.text === n.text) {
        const v = p.childForFieldName('value');
        if (v?.type === 'integer') return Number(v.text);
      }
    }
  }
  return undefined;
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/** The file already recomputes or checkpoints somewhere (the whole text, not only the tree's statements). */
const RECOMPUTE_USED = /\.recompute\(|set_grad_checkpointing|gradient_checkpointing_enable/;

export const msp302Rule: Rule = {
  codes: ['MSP302'],
  order: 30,
  check(ctx) {
    if (!ctx.enabled('MSP302') || ctx.target.device === 'CPU') return;
    if (ctx.textHas(RECOMPUTE_USED)) return;
    const byName = new Map(ctx.resolution.classes.map((c) => [c.name, c] as const));
    const heavy = (cls: ClassInfo, depth = 0): boolean => {
      // a class of another file (its body is not in this tree): what its attributes hold and its methods' names
      if (cls.file ? [...cls.methods.keys()].some((m) => HEAVY.test(m)) : HEAVY.test(cls.node.text)) return true;
      if (depth > 3) return false;
      if (cls.file) for (const v of cls.attrs.values()) if (v.kind === 'instance' && HEAVY.test(v.qname)) return true;
      for (const v of cls.attrs.values()) if (v.kind === 'instance' && v.cls && v.cls !== cls && heavy(v.cls, depth + 1)) return true;
      return false;
    };
    const containers = ctx.resolution.uses.filter((u) => u.call && /^torch\.nn\.(ModuleList|Sequential)$/.test(u.qname));
    if (!containers.length) return;
    for (const cls of ctx.resolution.classes) {
      if (!cls.torchBase) continue;
      const init = cls.methods.get('__init__');
      const fwd = cls.methods.get('forward') ?? cls.methods.get('construct');
      if (!init || !fwd) continue;
      for (const use of containers) {
        if (!use.call) continue;
        if (use.call.startIndex < init.startIndex || use.call.endIndex > init.endIndex) continue;
        const asg = use.call.parent;
        const attr = asg?.type === 'assignment' && asg.childForFieldName('right')?.id === use.call.id ? asg.childForFieldName('left')?.text : undefined;
        const m = attr ? /^self\.(\w+)$/.exec(attr) : null;
        if (!m) continue;
        const comp = findAll(use.call, (n) => n.type === 'list_comprehension' || n.type === 'generator_expression')[0];
        if (!comp) continue;
        const body = comp.childForFieldName('body');
        const clause = comp.namedChildren.find((c) => c?.type === 'for_in_clause');
        const range = clause?.childForFieldName('right');
        if (!body || body.type !== 'call' || range?.type !== 'call' || range.childForFieldName('function')?.text !== 'range') continue;
        const rargs = callArgs(range);
        const depth = rargs?.positional.length === 1 ? intValue(rargs.positional[0], init) : undefined;
        if (depth !== undefined && depth < 4) continue;
        const blockName = body.childForFieldName('function')?.text ?? '';
        const blockCls = byName.get(blockName) ?? ctx.resolution.classNamed(blockName);
        const blockUse = ctx.resolution.uses.find((u) => u.call?.id === body.id);
        if (!(blockCls && heavy(blockCls)) && !(blockUse && TORCH_BLOCKS.test(blockUse.qname))) continue;
        // looped over (or called as a Sequential) in forward, without checkpointing there
        let looped = false;
        walk(fwd, (n) => {
          if (n.type === 'for_statement' && n.childForFieldName('right')?.text === attr && !/checkpoint/.test(n.text)) looped = true;
          if (n.type === 'call' && n.childForFieldName('function')?.text === attr && !/checkpoint/.test(n.parent?.text ?? '')) looped = true;
        });
        if (!looped) continue;
        // estimate: ~34·D bytes of float16 activations per token per transformer block, 2·D kept with recompute
        const bargs = callArgs(body);
        const dim = intValue(bargs?.keywords.get('dim')?.value ?? bargs?.keywords.get('embed_dim')?.value ?? bargs?.keywords.get('d_model')?.value ?? bargs?.positional[0], init);
        const estimate =
          dim !== undefined && depth !== undefined
            ? ` Rough estimate (float16, ~34·D bytes per token per block, 2·D kept with recompute, attention scores extra): D=${dim}, ${depth} blocks → about ${mb(34 * dim * depth * 1024)} of activations per 1024 tokens of batch × sequence, of which ~${mb(32 * dim * depth * 1024)} is saved.`
            : '';
        const stmt = enclosingStatement(use.call)!;
        const ind = indentAt(ctx.text, stmt.startIndex);
        const nl = eol(ctx.text);
        const at = (() => {
          let i = stmt.endIndex;
          while (i < ctx.text.length && ctx.text[i] !== '\n' && ctx.text[i] !== '\r') i++;
          return i;
        })();
        const fix: Fix = {
          title: `Mark every block of ${attr} with recompute()`,
          applicability: 'unsafe',
          edits: [{ start: at, end: at, newText: `${nl}${ind}for _blk in ${attr}:${nl}${ind}    _blk.recompute()` }],
        };
        ctx.report({
          code: 'MSP302',
          message: `${attr} stacks ${depth ?? 'a variable number of'} identical ${blockName} blocks with large activations and no checkpointing: on Ascend, call recompute() on each block Cell so only block inputs are kept for the backward pass.${estimate}`,
          start: use.call.startIndex,
          end: use.call.endIndex,
          fixes: [fix],
        });
      }
    }
  },
};
