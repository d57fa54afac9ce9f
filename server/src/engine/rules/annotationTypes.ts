// Type hints naming torch-only types (`edge_index: Adj`, `group: Optional[ProcessGroup]`, `device: torch.device`)
// rewritten to the plain types the same values have in MindSpore code, so a port needs neither torch nor a graph
// library to import. A hint computes nothing at run time, so each rewrite is safe; MSP204, MSP205, MSP405 and MSP407
// offer it on their hint findings.
import type { Fix, TextEdit } from '../findings';
import type { Node } from '../parser';
import type { ApiUse } from '../resolve';
import type { RuleContext } from './types';

/**
 * What each type becomes, spelled with `{Tensor}` (MindSpore's Tensor), `{Optional}` and `{Tuple}` (typing's) and
 * `{Dataset}` (mindspore.dataset.Dataset). PyG's aliases are its own definitions with Tensor for SparseTensor.
 */
const HINT_TYPES: ReadonlyMap<string, string> = new Map([
  ['torch_geometric.typing.Adj', '{Tensor}'],
  ['torch_geometric.typing.OptTensor', '{Optional}[{Tensor}]'],
  ['torch_geometric.typing.NoneType', '{Optional}[{Tensor}]'],
  ['torch_geometric.typing.PairTensor', '{Tuple}[{Tensor}, {Tensor}]'],
  ['torch_geometric.typing.OptPairTensor', '{Tuple}[{Tensor}, {Optional}[{Tensor}]]'],
  ['torch_geometric.typing.PairOptTensor', '{Tuple}[{Optional}[{Tensor}], {Optional}[{Tensor}]]'],
  ['torch_geometric.typing.Size', '{Optional}[{Tuple}[int, int]]'],
  ['torch_geometric.typing.NodeType', 'str'],
  ['torch_geometric.typing.EdgeType', '{Tuple}[str, str, str]'],
  // MindSpore names a communication group by a string ("hccl_world_group", create_group's name)
  ['torch.distributed.ProcessGroup', 'str'],
  ['torch.distributed.distributed_c10d.ProcessGroup', 'str'],
  // no device objects: a device is named by a string where one is named at all
  ['torch.device', 'str'],
  // what GeneratorDataset(...).batch(...) returns
  ['torch.utils.data.DataLoader', '{Dataset}'],
]);

/** The type a torch-only type in a hint becomes, spelled plainly (`Optional[Tuple[int, int]]`), for messages. */
export function hintTypeOf(qname: string): string | undefined {
  return HINT_TYPES.get(qname)?.replace(/\{(\w+)\}/g, (_, n: string) => (n === 'Dataset' ? 'mindspore.dataset.Dataset' : n));
}

const OPTIONAL = /^(?:\w+\.)?Optional$/;
const UNION = /^(?:\w+\.)?Union$/;

/**
 * The hint `use` is an item of, when it is one (`Optional[X]`: a generic type, whose items are `type` nodes;
 * `typing.Optional[X]`: a subscript, whose items are the expressions): the whole hint, its name, its items, and
 * the item holding the use.
 */
function enclosingHint(node: Node): { hint: Node; name: string; items: Node[]; item: Node } | undefined {
  const p = node.parent;
  if (p?.type === 'subscript' && p.childForFieldName('value')?.id !== node.id) {
    const value = p.childForFieldName('value');
    const items = p.namedChildren.filter((c): c is Node => !!c && c.id !== value?.id && c.type !== 'comment');
    return value ? { hint: p, name: value.text, items, item: node } : undefined;
  }
  if (p?.type !== 'type' || p.parent?.type !== 'type_parameter') return undefined;
  const generic = p.parent.parent;
  if (generic?.type !== 'generic_type') return undefined;
  const name = generic.namedChildren[0];
  if (!name) return undefined;
  return { hint: generic, name: name.text, items: p.parent.namedChildren.filter((c): c is Node => c?.type === 'type'), item: p };
}

/**
 * The safe fix that writes the plain type for a use of a torch-only type in a hint. `Optional[Size]` becomes
 * `Optional[Tuple[int, int]]` (not an Optional of an Optional), and in a union with the type it becomes
 * (`str | torch.device`, `Union[str, torch.device]`) the use goes. Undefined for other types or when a name the
 * spelling needs is taken by something else.
 */
export function hintTypeFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const template = HINT_TYPES.get(use.qname);
  if (!template || use.context !== 'annotation') return undefined;
  const edits: TextEdit[] = [];
  let ok = true;
  const spelled = template.replace(/\{(\w+)\}/g, (_, n: string) => {
    const plan = n === 'Tensor' ? ctx.imports.plan('mindspore.Tensor') : n === 'Dataset' ? ctx.imports.plan('mindspore.dataset.Dataset') : ctx.imports.planTyping(n);
    if (!plan) {
      ok = false;
      return n;
    }
    if (plan.edit && !edits.some((e) => e.newText === plan.edit!.newText)) edits.push(plan.edit);
    return plan.expr;
  });
  if (!ok) return undefined;
  const node = use.node;
  const title = `Write the plain type: ${hintTypeOf(use.qname)}`;
  const fix = (edit: TextEdit): Fix => ({ title, applicability: 'safe', edits: [edit, ...edits] });
  const holder = node.parent; // the `type` node, or a `|` union's operator
  // `str | torch.device` → `str`
  if (holder?.type === 'binary_operator' && holder.namedChildren.length === 2) {
    const other = holder.namedChildren.find((c) => c && c.id !== node.id);
    if (other && other.text === spelled) return fix({ start: holder.startIndex, end: holder.endIndex, newText: other.text });
  }
  const outer = enclosingHint(node);
  if (outer) {
    const { hint, item } = outer;
    // `Optional[Size]` → `Optional[Tuple[int, int]]`
    if (OPTIONAL.test(outer.name) && outer.items.length === 1 && /^\{Optional\}\[/.test(template)) {
      return fix({ start: hint.startIndex, end: hint.endIndex, newText: spelled });
    }
    // `Union[str, torch.device]` → `Union[str]` would be odd: the item and its comma go, or the Union when two
    if (UNION.test(outer.name) && outer.items.some((t) => t.id !== item.id && t.text === spelled)) {
      const rest = outer.items.filter((t) => t.id !== item.id);
      if (rest.length === 1) return fix({ start: hint.startIndex, end: hint.endIndex, newText: rest[0].text });
      const i = outer.items.findIndex((t) => t.id === item.id);
      const edit = i < outer.items.length - 1 ? { start: item.startIndex, end: outer.items[i + 1].startIndex, newText: '' } : { start: outer.items[i - 1].endIndex, end: item.endIndex, newText: '' };
      return fix(edit);
    }
  }
  return fix({ start: node.startIndex, end: node.endIndex, newText: spelled });
}
