// timm's small layers and helpers written out for MindSpore (MSP103's fix): weather models built on ViT and Swin
// blocks (ClimaX, Stormer, FourCastNet's AFNO, Samudra, ArchesWeather) import DropPath and to_2tuple from timm, which
// needs torch. A helper with timm's names is inserted once after the imports (as MSP201's DFT helper is), so the
// code calling them is unchanged; a use through another name (`timm.layers.DropPath(...)`, an alias) is renamed.
// - to_ntuple / to_1tuple … to_4tuple: plain Python, as timm's (an iterable other than a string becomes a tuple);
// - DropPath / drop_path: stochastic depth, a per-sample mask drawn with ops.rand, identity unless training.
import type { Fix, TextEdit } from '../findings';
import type { ApiUse } from '../resolve';
import { helperBlock, helperInsertEdit } from './msp201Fft';
import { findAll } from './util';
import type { Node } from '../parser';
import type { RuleContext } from './types';

export const TUPLE_HELPER_MARKER = '# mindport: timm tuple helpers';
export const TUPLE_HELPER_SOURCE = `${TUPLE_HELPER_MARKER} -- timm's to_2tuple / to_ntuple in plain Python
from collections.abc import Iterable as _Iterable


def to_ntuple(n):
    """A function that makes a tuple of n items of one value; an iterable (not a string) becomes a tuple as it is."""

    def make(x):
        if isinstance(x, _Iterable) and not isinstance(x, str):
            return tuple(x)
        return (x,) * n

    return make


to_1tuple, to_2tuple, to_3tuple, to_4tuple = (to_ntuple(n) for n in range(1, 5))
# mindport: end of timm tuple helpers
`;

export const DROP_PATH_HELPER_MARKER = '# mindport: DropPath helper';
export const DROP_PATH_HELPER_SOURCE = `${DROP_PATH_HELPER_MARKER} -- timm's DropPath (stochastic depth) as a MindSpore Cell
from mindspore import nn as _dp_nn
from mindspore import ops as _dp_ops


def drop_path(x, drop_prob=0.0, training=False, scale_by_keep=True):
    """Zeroes each sample of the batch with probability drop_prob while training; the kept ones are scaled up."""
    if drop_prob == 0.0 or not training:
        return x
    keep = 1.0 - drop_prob
    mask = (_dp_ops.rand((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype) < keep).astype(x.dtype)
    if keep > 0.0 and scale_by_keep:
        mask = mask / keep
    return x * mask


class DropPath(_dp_nn.Cell):
    """drop_path as a layer: active in training mode (set_train), the identity otherwise."""

    def __init__(self, drop_prob=0.0, scale_by_keep=True):
        super().__init__()
        self.drop_prob = drop_prob
        self.scale_by_keep = scale_by_keep

    def construct(self, x):
        return drop_path(x, self.drop_prob, self.training, self.scale_by_keep)
# mindport: end of DropPath helper
`;

/** A statement importing from timm (also within a try or if block). */
const TIMM_IMPORT = /^[ \t]*(?:from\s+timm\b[\w.]*\s+import|import\s+timm\b)/m;
const TIMM_NAME = /^timm\.(?:models\.)?layers\.(?:helpers\.|drop\.)?(DropPath|drop_path|to_ntuple|to_[1-4]tuple)$/;
const HELPERS = {
  tuple: { source: TUPLE_HELPER_SOURCE, marker: TUPLE_HELPER_MARKER, binds: ['to_ntuple', 'to_1tuple', 'to_2tuple', 'to_3tuple', 'to_4tuple', '_Iterable'] },
  dropPath: { source: DROP_PATH_HELPER_SOURCE, marker: DROP_PATH_HELPER_MARKER, binds: ['DropPath', 'drop_path', '_dp_nn', '_dp_ops'] },
};

/** The use of a timm helper written out, or undefined for other uses. */
export function timmHelperFix(ctx: RuleContext, use: ApiUse): Fix | undefined {
  const name = TIMM_NAME.exec(use.qname)?.[1];
  if (!name || use.via !== 'import') return undefined;
  const helper = name === 'DropPath' || name === 'drop_path' ? HELPERS.dropPath : HELPERS.tuple;
  const present = ctx.text.includes(helper.marker);
  const renamed = use.node.text !== name;
  // unsafe when the helper's names may mean something else: bound at module level otherwise (not by importing them
  // from timm), declared global in a function, brought by a star import; or, for a use renamed to the helper's name,
  // bound anywhere (a parameter `drop_path=0.1` would take the call)
  const clash =
    (!present && helper.binds.some((n) => ctx.resolution.moduleValues.has(n) && !ctx.resolution.moduleBindings.get(n)?.startsWith('timm.'))) ||
    helper.binds.some((n) => new RegExp(`\\bglobal\\b[^\\n]*\\b${n}\\b`).test(ctx.text)) ||
    /^from\s+\S+\s+import\s+\*/m.test(ctx.text) ||
    (renamed && ctx.resolution.boundNames.has(name) && boundOtherwise(ctx, name, helper.marker));
  const edits: TextEdit[] = [];
  if (renamed) edits.push({ start: use.node.startIndex, end: use.node.endIndex, newText: name });
  // after the timm import (and a try/if around it) whose names the helper replaces, or that import would win
  const timmImport = ctx.tree.rootNode.namedChildren.filter((c) => !!c && TIMM_IMPORT.test(c.text)).at(-1) ?? undefined;
  const insert = helperInsertEdit(ctx, helper.source, helper.marker, timmImport);
  if (insert) edits.push(insert);
  if (!edits.length) return undefined;
  return {
    title: `Write ${name} out (a helper with timm's names, inserted once after the imports)`,
    applicability: clash ? 'unsafe' : 'safe',
    edits,
  };
}

const BINDING_PARENTS = new Set(['parameters', 'lambda_parameters', 'default_parameter', 'typed_parameter', 'typed_default_parameter', 'as_pattern_target', 'global_statement', 'nonlocal_statement', 'aliased_import', 'dotted_name']);

/** Whether `name` is bound somewhere other than by an import from timm or in the helper's block. */
function boundOtherwise(ctx: RuleContext, name: string, marker: string): boolean {
  const block = helperBlock(ctx.text, marker);
  const binds = (n: Node): boolean => {
    const p = n.parent;
    if (!p) return false;
    if (p.type === 'function_definition' || p.type === 'class_definition') return p.childForFieldName('name')?.id === n.id;
    if (p.type === 'keyword_argument') return false;
    if (p.type === 'dotted_name' || p.type === 'aliased_import') {
      const imp = p.parent?.type === 'aliased_import' ? p.parent.parent : p.parent;
      return !!imp && (imp.type === 'import_from_statement' || imp.type === 'import_statement') && !/^\s*(from\s+timm\b|import\s+timm\b)/.test(imp.text);
    }
    if (BINDING_PARENTS.has(p.type)) return true;
    let q: Node = n;
    for (let a: Node | null = p; a; q = a, a = a.parent) {
      if (a.type === 'assignment' || a.type === 'augmented_assignment' || a.type === 'for_statement' || a.type === 'for_in_clause') return a.childForFieldName('left')?.id === q.id;
      if (!['pattern_list', 'tuple_pattern', 'list_pattern', 'list_splat_pattern', 'parenthesized_expression'].includes(a.type)) return false;
    }
    return false;
  };
  return findAll(ctx.tree.rootNode, (n) => n.type === 'identifier' && n.text === name && !(block && n.startIndex > block.start && n.startIndex < block.end) && binds(n)).length > 0;
}
