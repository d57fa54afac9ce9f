// Gives memory back after bursts of work. Opening a folder of files (or a workspace scan) leaves hundreds of
// megabytes of garbage that V8, with a large heap limit, may keep for a long time; once the server has been idle
// for a moment and the heap has grown since the last collection, a full collection runs (two, see below). It never runs while
// work is pending, and at most once per idle period.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function findGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    // Node's documented way to reach the collector without starting node with --expose-gc
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;
  private baseline = getHeapStatistics().used_heap_size;
  private readonly gc = findGc();
  /** Full collections run so far (for tests and logs). */
  collections = 0;

  constructor(
    private readonly idleMs = 400,
    private readonly growthBytes = 32 * 1024 * 1024,
  ) {}

  /** Call after each piece of work (an analysis, a scan); the idle period starts again. */
  worked(): void {
    if (!this.gc) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.maybeCollect(), this.idleMs);
    this.timer.unref();
  }

  private maybeCollect(): void {
    this.timer = undefined;
    if (getHeapStatistics().used_heap_size - this.baseline < this.growthBytes) return;
    // twice: the second collection finds the first one's swept pages empty and gives them back to the system
    // (one collection leaves the heap's committed size almost unchanged)
    this.gc?.();
    this.gc?.();
    this.collections++;
    this.baseline = getHeapStatistics().used_heap_size;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
