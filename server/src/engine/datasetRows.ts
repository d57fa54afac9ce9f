// What a dataset class's __getitem__ returns, named: `return image, label` → ["image", "label"]. MindSpore's
// GeneratorDataset needs one column name per returned value; the names are read here for the class's own file
// (MSP405) and for classes other files import (engine/projectIndex.ts).
import type { Node } from './parser';

/** The name a returned value suggests: a name, an attribute's or a subscripted value's (`self.x[i]` → x). */
function nameOf(n: Node): string | undefined {
  if (n.type === 'identifier') return n.text;
  if (n.type === 'attribute') return n.childForFieldName('attribute')?.text;
  if (n.type === 'subscript') {
    const v = n.childForFieldName('value');
    return v ? nameOf(v) : undefined;
  }
  return undefined;
}

function returnsOf(fn: Node, out: Node[]): void {
  for (const c of fn.namedChildren) {
    if (!c || c.type === 'function_definition' || c.type === 'class_definition' || c.type === 'lambda') continue;
    if (c.type === 'return_statement') out.push(c);
    else returnsOf(c, out);
  }
}

/** A dict display or comprehension, or a `dict(...)` call. */
function isDictValue(n: Node | null | undefined): boolean {
  return n?.type === 'dictionary' || n?.type === 'dictionary_comprehension' || (n?.type === 'call' && n.childForFieldName('function')?.text === 'dict');
}

/**
 * What the function assigns `name`, in one walk: `dict` when it is treated as a dict (assigned a dict value, or set
 * by a string key), `row` when it is assigned a tuple or list display (several values, not one array).
 */
function assignedShape(body: Node, name: string): { dict: boolean; row: boolean } {
  const shape = { dict: false, row: false };
  const visit = (n: Node): void => {
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name) {
        if (isDictValue(right)) shape.dict = true;
        if (right && ['tuple', 'list', 'expression_list'].includes(right.type)) shape.row = true;
      }
      if (left?.type === 'subscript' && left.childForFieldName('value')?.text === name && left.childForFieldName('subscript')?.type === 'string') shape.dict = true;
    }
    for (const c of n.namedChildren) if (c && c.type !== 'function_definition' && c.type !== 'class_definition') visit(c);
  };
  visit(body);
  return shape;
}

/**
 * The column names of the rows a `__getitem__` (a function definition) returns: one per value of its `return a, b`,
 * the same count on every return. A value without a name, or names that repeat, are `col0`, `col1`, ...
 * Undefined when a return gives nothing, or the returns disagree on the count.
 */
export function rowNames(getitem: Node): string[] | undefined {
  if (getitem.type !== 'function_definition') return undefined;
  const body = getitem.childForFieldName('body');
  if (!body) return undefined;
  const rets: Node[] = [];
  returnsOf(body, rets);
  let cols: string[] | undefined;
  for (const r of rets) {
    const v = r.namedChildren[0];
    if (!v) return undefined;
    const items = v.type === 'expression_list' || v.type === 'tuple' ? v.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [v];
    // a spread or a dict (a display, `dict(...)`, or a name filled by string keys): not one value per column
    if (items.some((it) => it.type === 'list_splat' || isDictValue(it))) return undefined;
    const shapes = items.map((it) => (it.type === 'identifier' ? assignedShape(body, it.text) : undefined));
    if (shapes.some((sh) => sh?.dict)) return undefined;
    // one value that may itself be a row of several (`return self._load(i)`) or is one (`sample = (a, b); return sample`)
    if (items.length === 1 && (items[0].type === 'call' || shapes[0]?.row)) return undefined;
    const names = items.map((it, i) => nameOf(it) ?? `col${i}`);
    if (cols && cols.length !== names.length) return undefined;
    cols ??= names;
  }
  if (!cols) return undefined;
  return new Set(cols).size === cols.length ? cols : cols.map((_, i) => `col${i}`);
}

/**
 * The row names of a class: from its own `__getitem__` when the class is this tree's, else those its file gave
 * (`rows` of a class imported from the project).
 */
export function classRows(cls: { methods: ReadonlyMap<string, Node>; rows?: readonly string[] }): readonly string[] | undefined {
  const getitem = cls.methods.get('__getitem__');
  return getitem?.type === 'function_definition' ? rowNames(getitem) : cls.rows;
}
