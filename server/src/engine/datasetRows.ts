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

/** Whether `name` is treated as a dict in the function: assigned a dict display or `dict(...)`, or set by a string key. */
function usedAsDict(body: Node, name: string): boolean {
  let found = false;
  const visit = (n: Node): void => {
    if (found) return;
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && left.text === name && (right?.type === 'dictionary' || right?.type === 'dictionary_comprehension' || (right?.type === 'call' && right.childForFieldName('function')?.text === 'dict'))) found = true;
      const key = left?.type === 'subscript' ? left.childForFieldName('subscript') : null;
      if (left?.type === 'subscript' && left.childForFieldName('value')?.text === name && key?.type === 'string') found = true;
    }
    for (const c of n.namedChildren) if (c && c.type !== 'function_definition' && c.type !== 'class_definition') visit(c);
  };
  visit(body);
  return found;
}

/** Whether `name` is assigned, in the function, a tuple or list display: several values, not one array. */
function assignedRow(body: Node, name: string): boolean {
  let found = false;
  const visit = (n: Node): void => {
    if (found) return;
    if (n.type === 'assignment' && n.childForFieldName('left')?.type === 'identifier' && n.childForFieldName('left')?.text === name) {
      const right = n.childForFieldName('right');
      if (right && ['tuple', 'list', 'expression_list'].includes(right.type)) found = true;
    }
    for (const c of n.namedChildren) if (c && c.type !== 'function_definition' && c.type !== 'class_definition') visit(c);
  };
  visit(body);
  return found;
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
    if (items.some((it) => it.type === 'list_splat' || it.type === 'dictionary' || it.type === 'dictionary_comprehension')) return undefined;
    if (items.some((it) => it.type === 'identifier' && usedAsDict(body, it.text))) return undefined;
    // one value that may itself be a row of several (`return self._load(i)`) or is one (`sample = (a, b); return sample`)
    if (items.length === 1 && (items[0].type === 'call' || (items[0].type === 'identifier' && assignedRow(body, items[0].text)))) return undefined;
    if (items.some((it) => it.type === 'call' && it.childForFieldName('function')?.text === 'dict')) return undefined;
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
