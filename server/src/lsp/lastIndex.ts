// Where an object of a new list was in the last one, for lists that mostly keep their objects in order (the
// findings and diagnostics of a document re-published after a keystroke: a few replaced, the rest the same).

/** How far ahead of the last match an object is looked for before an index of the whole last list is made. */
const LOOKAHEAD = 16;

export class LastIndex<T> {
  private next = 0; // where the object after the last one found is expected
  private index: Map<T, number> | undefined;

  constructor(private readonly last: readonly T[]) {}

  /** The position of `x` in the last list, or -1. Ask in the new list's order. */
  of(x: T): number {
    const last = this.last;
    const stop = Math.min(last.length, this.next + LOOKAHEAD);
    for (let k = this.next; k < stop; k++) {
      if (last[k] === x) {
        this.next = k + 1;
        return k;
      }
    }
    // a run of new objects, or many removed: look it up (the index is made once, at the first such miss)
    if (!this.index) {
      this.index = new Map();
      for (let k = 0; k < last.length; k++) this.index.set(last[k], k);
    }
    const k = this.index.get(x);
    if (k === undefined) return -1;
    this.next = k + 1;
    return k;
  }
}
