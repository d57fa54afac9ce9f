// V8 pretenures an allocation site (allocates its objects straight in the old generation) once most of what it made
// survived. The first analysis of a file keeps all its findings, statements and spans, so their sites get
// pretenured; every keystroke's replacements then start old, pointing at young parts that the young generation's
// collections must keep (and promote) until a full collection. Typing in a 5,000-line file promoted ~0.3 MB per
// keystroke that way (in process: 180-190 MB over 600 keystrokes against 20 MB without), and the collector's
// pauses were the tail of the edit latency. A server that re-analyses as the user types starts V8 without it.
import { setFlagsFromString } from 'node:v8';

/** Turns V8's allocation-site pretenuring off for this process (call before the first analysis). */
export function disablePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
