// Where each object of a new list was in the last one, for lists that mostly keep their objects in order (the
// findings and diagnostics of a document re-published after a keystroke: a few replaced, the rest the same).

/**
 * The positions in `last` of the objects of `now`. The lists' common head and tail (the same objects at the
 * same places, counted from either end) are matched without looking anything up; only the objects between them
 * are, in a map of the last list's objects between them: after a keystroke, the few findings of the re-checked
 * statement, not the document's 2,000 (a map of all of them, made on every keystroke, was ≈ 110 KB for the young
 * generation to collect, twice per publish). An object found elsewhere in `last` (out of order) counts as new.
 */
export class LastIndex<T> {
  private readonly head: number;
  private readonly tailFrom: number; // the first index of `now` in the common tail
  private readonly shift: number; // last index - now index, in the tail
  private readonly middle: Map<T, number> | undefined;

  constructor(last: readonly T[], now: readonly T[]) {
    const n = Math.min(last.length, now.length);
    let head = 0;
    while (head < n && last[head] === now[head]) head++;
    let tail = 0;
    while (tail < n - head && last[last.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
    this.head = head;
    this.tailFrom = now.length - tail;
    this.shift = last.length - now.length;
    if (head + tail < now.length && head + tail < last.length) {
      this.middle = new Map();
      for (let k = head; k < last.length - tail; k++) if (!this.middle.has(last[k])) this.middle.set(last[k], k);
    }
  }

  /** The position in the last list of the object at position `i` of the new one (`x`), or -1. */
  of(i: number, x: T): number {
    if (i < this.head) return i;
    if (i >= this.tailFrom) return i + this.shift;
    return this.middle?.get(x) ?? -1;
  }
}
