// The rule registry: every rule module, in the order they run (specialised rules claim uses first).
import { apiMappingRule } from './apiMapping';
import { msp106Rule } from './msp106Einops';
import { msp201Rule } from './msp201Fft';
import { msp202Rule } from './msp202Float64';
import { msp203Rule } from './msp203DynamicShape';
import { msp204Rule } from './msp204Scatter';
import { msp205Rule } from './msp205Device';
import { msp206Rule } from './msp206Compile';
import { msp301Rule } from './msp301Checkpoint';
import { msp302Rule } from './msp302DeepStack';
import { msp303Rule } from './msp303Amp';
import { msp304Rule } from './msp304NoAmp';
import { msp305Rule } from './msp305Attention';
import { msp306Rule } from './msp306GraphKept';
import { msp401Rule } from './msp401ModuleToCell';
import { msp402Rule } from './msp402TrainEval';
import { msp403Rule } from './msp403GradMode';
import { msp404Rule } from './msp404TrainStep';
import { msp405Rule } from './msp405Data';
import { msp406Rule } from './msp406Checkpoints';
import { msp407Rule } from './msp407Distributed';
import type { Rule } from './types';

/** Specialised rules (MSP106, MSP2xx–MSP4xx) run before the generic mapping rules and claim the uses they handle. */
export const ALL_RULES: Rule[] = [
  msp106Rule,
  msp201Rule,
  msp202Rule,
  msp203Rule,
  msp204Rule,
  msp205Rule,
  msp206Rule,
  msp301Rule,
  msp302Rule,
  msp303Rule,
  msp304Rule,
  msp305Rule,
  msp306Rule,
  msp401Rule,
  msp402Rule,
  msp403Rule,
  msp404Rule,
  msp405Rule,
  msp406Rule,
  msp407Rule,
  apiMappingRule,
].sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
