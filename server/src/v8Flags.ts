// V8 settings MindPort's processes set from their entry points, before the first analysis (V8's flags are the
// process's: a scan's worker threads compile with them too).
import { setFlagsFromString } from 'node:v8';

/**
 * A smaller inlining budget for V8's optimising compiler (bytecode inlined into one function: 150 instead of 920).
 * The engine is many mid-sized functions run over many files: with the default budget, compiling them is a large
 * share of a short process's CPU and, in the language server, a background thread competing with the editor on
 * every keystroke while the code warms up. Measured here (2 cores): `mindport scan` of the benchmark corpus
 * 8.9-9.7 → 7.6-8.0 s (identical output); the server's CPU on other threads during the edit benchmark's typing
 * 4.1 → 2.9 ms per keystroke (medians of four interleaved pairs); the one-thread analysis, once compiled, as
 * fast (best rounds 933-992 ms with the default, 944-1,052 with this). No inlining at all was 5-7 % slower.
 */
export function limitInlining(): void {
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=150');
}

// V8 pretenures an allocation site (allocates its objects straight in the old generation) once most of what it made
// survived. The first analysis of a file keeps all its findings, statements and spans, so their sites get
// pretenured; every keystroke's replacements then start old, pointing at young parts that the young generation's
// collections must keep (and promote) until a full collection. Typing in a 5,000-line file promoted ~0.3 MB per
// keystroke that way (in process: 180-190 MB over 600 keystrokes against 20 MB without), and the collector's
// pauses were the tail of the edit latency. A server that re-analyses as the user types starts V8 without it.

/** Turns V8's allocation-site pretenuring off for this process (the language server; call before the first analysis). */
export function disablePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
