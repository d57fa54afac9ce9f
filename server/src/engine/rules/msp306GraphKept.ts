// MSP306: values attached to the autodiff graph kept across steps (losses.append(loss), total += loss,
// torch.cat growing in a loop, retain_graph=True). Habits from PyTorch that keep memory alive; keep Python
// numbers (.item()) or detached values, and preallocate instead of concatenating in a loop.
import type { Fix } from '../findings';
import type { Node } from '../parser';
import type { Rule } from './types';
import { callArgs, calleeName, calleeNameAt, calleeObject, enclosing, tick, walk } from './util';

const LOSSY = /loss/i;

export const msp306Rule: Rule = {
  codes: ['MSP306'],
  order: 30,
  check(ctx) {
    if (!ctx.enabled('MSP306')) return;
    const inLoop = (n: Node) => {
      const loop = enclosing(n, ['for_statement', 'while_statement', 'function_definition']);
      return !!loop && loop.type !== 'function_definition';
    };
    const itemFix = (arg: Node): Fix => ({
      title: `Keep ${arg.text}.item() (a Python number)`,
      applicability: 'unsafe',
      edits: [{ start: arg.endIndex, end: arg.endIndex, newText: '.item()' }],
    });
    let calls: Set<number> | undefined;
    /** The calls of torch APIs (by node id), found once. */
    const torchCalls = () => (calls ??= new Set(ctx.resolution.uses.flatMap((u) => (u.call && u.qname.startsWith('torch.') ? [u.call.id] : []))));
    const visit = (n: Node): void => {
      if (n.type === 'call' && calleeName(n) === 'append' && calleeObject(n) && inLoop(n)) {
        const args = callArgs(n);
        const a = args?.positional[0];
        if (args?.all.length === 1 && a && a.type === 'identifier' && LOSSY.test(a.text)) {
          ctx.report({
            code: 'MSP306',
            message: `${tick(n.text)} keeps a graph-attached Tensor alive across steps: append ${tick(`${a.text}.item()`)} (or a detached copy) instead.`,
            start: n.startIndex,
            end: n.endIndex,
            fixes: [itemFix(a)],
          });
        }
      } else if (n.type === 'augmented_assignment' && inLoop(n)) {
        const op = n.children.find((c) => c && !c.isNamed)?.text;
        const right = n.childForFieldName('right');
        if (op === '+=' && right?.type === 'identifier' && LOSSY.test(right.text)) {
          ctx.report({
            code: 'MSP306',
            message: `${tick(n.text)} accumulates a graph-attached Tensor: add ${tick(`${right.text}.item()`)} so nothing from the step is kept.`,
            start: n.startIndex,
            end: n.endIndex,
            fixes: [itemFix(right)],
          });
        }
      } else if (n.type === 'assignment' && inLoop(n)) {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type !== 'identifier' || right?.type !== 'call' || !/(^|\.)(cat|concat|concatenate|stack)$/.test(right.childForFieldName('function')?.text ?? '')) return;
        // a torch call (torch.cat, x.cat ...): NumPy arrays grown on the host keep no graph and compile nothing
        if (!torchCalls().has(right.id)) return;
        // `x = torch.cat([x, y])` grows x; `x = torch.cat([x[:, 1:], y])` is a window of constant size
        const first = callArgs(right)?.positional[0];
        const parts = first && (first.type === 'list' || first.type === 'tuple') ? first.namedChildren : first ? [first] : [];
        if (!parts.some((c) => c?.type === 'identifier' && c.text === left.text)) return;
        // `x = torch.cat([x, aux]); x = block(x)`: x is made anew each step, it does not grow
        const loop = enclosing(n, ['for_statement', 'while_statement']);
        let rebound = false;
        if (loop)
          walk(loop, (c) => {
            if (rebound || c.id === n.id || (c.type !== 'assignment' && c.type !== 'augmented_assignment')) return;
            const l = c.childForFieldName('left');
            if (l?.type === 'identifier' && l.text === left.text) rebound = true;
          });
        if (rebound) return;
        ctx.report({
          code: 'MSP306',
          message: `${tick(left.text)} grows by concatenation inside a loop: every step copies it and, in graph mode, changes its shape. Preallocate the full Tensor and fill it, or collect parts in a list and concatenate once.`,
          start: n.startIndex,
          end: n.endIndex,
          fixes: [],
        });
      } else if (n.type === 'keyword_argument' && n.childForFieldName('name')?.text === 'retain_graph' && n.childForFieldName('value')?.text === 'True') {
        const list = n.parent;
        const fixes: Fix[] = [];
        if (list?.type === 'argument_list') {
          const args = list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
          const i = args.findIndex((a) => a.id === n.id);
          const edit = args.length === 1 ? { start: n.startIndex, end: n.endIndex, newText: '' } : i < args.length - 1 ? { start: n.startIndex, end: args[i + 1].startIndex, newText: '' } : { start: args[i - 1].endIndex, end: n.endIndex, newText: '' };
          fixes.push({ title: 'Remove retain_graph=True', applicability: 'unsafe', edits: [edit] });
        }
        ctx.report({
          code: 'MSP306',
          message: '`retain_graph=True` keeps the whole graph of the step in memory; MindSpore grad functions recompute what they need on each call, so compute all gradients from one value_and_grad call instead.',
          start: n.startIndex,
          end: n.endIndex,
          fixes,
        });
      }
    };
    const t = ctx.tree;
    const found = t.indicesOfType(['call', 'augmented_assignment', 'assignment', 'keyword_argument']);
    for (let k = 0; k < found.length; k++) {
      const i = found[k];
      // calls and keyword arguments are many and rarely of interest: told apart by index first
      const type = t.typeAt(i);
      if (type === 'call' && calleeNameAt(t, i) !== 'append') continue;
      if (type === 'keyword_argument') {
        const name = t.fieldChild(i, 'name');
        if (name < 0 || t.textAt(name) !== 'retain_graph') continue;
      }
      visit(t.node(i));
    }
  },
};
