// Every rule code MindPort knows, with its default severity and fix availability. Documentation lives in
// docs/rules/<CODE>.md; the code's link points there.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleMeta } from './types';

export const RULES: RuleMeta[] = [
  { code: 'MSP101', name: 'torch-api-same-twin', summary: 'torch API with a same-behaviour MindSpore twin', severity: 'info', fix: 'always' },
  { code: 'MSP102', name: 'torch-api-twin-differs', summary: 'MindSpore twin with argument or behaviour differences', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP103', name: 'torch-api-no-twin', summary: 'no MindSpore equivalent known', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP104', name: 'unsupported-argument', summary: 'argument MindSpore does not support', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP105', name: 'twin-not-on-device', summary: 'MindSpore twin not supported on the configured device', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP106', name: 'einops-pattern', summary: 'einops call: no MindSpore backend; the pattern written out as Tensor methods', severity: 'warning', fix: 'sometimes' },
  // device and operator limits
  { code: 'MSP201', name: 'fft-complex-on-ascend', summary: 'FFT or complex numbers: use DFT matrices and (re, im) pairs', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP202', name: 'float64-on-device', summary: 'float64 reaching the device: compute on the host, cast to float32', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP203', name: 'dynamic-shape', summary: 'data-dependent shape that graph mode recompiles or rejects', severity: 'warning', fix: 'none' },
  { code: 'MSP204', name: 'scatter-message-passing', summary: 'scatter/gather message passing: ops.gather + unsorted_segment_sum, slow on Ascend', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP205', name: 'device-placement', summary: 'per-tensor device placement: the device is global in MindSpore', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP206', name: 'compile-to-graph-mode', summary: 'torch.compile / TorchScript: use graph mode or ms.jit', severity: 'warning', fix: 'sometimes' },
  // memory
  { code: 'MSP301', name: 'checkpoint-to-recompute', summary: 'gradient checkpointing: use Cell.recompute()', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP302', name: 'deep-stack-no-recompute', summary: 'deep stack of identical blocks without recompute', severity: 'info', fix: 'sometimes' },
  { code: 'MSP303', name: 'autocast-to-amp', summary: 'autocast/GradScaler: amp_level O2 and dynamic loss scaling', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP304', name: 'no-mixed-precision', summary: 'training loop without mixed precision', severity: 'info', fix: 'none' },
  { code: 'MSP305', name: 'materialised-attention', summary: 'attention matrix materialised: fused flash attention on Ascend', severity: 'info', fix: 'none' },
  { code: 'MSP306', name: 'graph-kept-across-steps', summary: 'graph-attached values kept across steps', severity: 'warning', fix: 'sometimes' },
  // structure
  { code: 'MSP401', name: 'module-to-cell', summary: 'nn.Module subclass: nn.Cell with construct', severity: 'warning', fix: 'always' },
  { code: 'MSP402', name: 'train-eval-mode', summary: '.train()/.eval(): set_train(True/False)', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP403', name: 'grad-mode-context', summary: 'no_grad/inference_mode/requires_grad_: not needed with functional autodiff', severity: 'info', fix: 'sometimes' },
  { code: 'MSP404', name: 'backward-step-loop', summary: 'zero_grad/backward/step: a value_and_grad train step', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP405', name: 'data-pipeline', summary: 'Dataset/DataLoader: GeneratorDataset + batch', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP406', name: 'checkpoint-files', summary: 'torch.save/load/state_dict: MindSpore checkpoints and parameter names', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP407', name: 'distributed', summary: 'torch.distributed/DDP: communication.init, data-parallel context, msrun', severity: 'warning', fix: 'sometimes' },
];

const byCode = new Map(RULES.map((r) => [r.code, r]));

export function ruleMeta(code: string): RuleMeta | undefined {
  return byCode.get(code);
}

/** Registers rule metadata from other modules (later rule families add theirs here). */
export function registerRules(metas: RuleMeta[]): void {
  for (const m of metas) {
    if (!byCode.has(m.code)) {
      RULES.push(m);
      byCode.set(m.code, m);
    }
  }
  RULES.sort((a, b) => a.code.localeCompare(b.code));
}

let docsDir: string | undefined;

/** docs/rules shipped beside the bundle (dist/../docs/rules) or in the source tree. */
function findDocsDir(): string {
  if (docsDir) return docsDir;
  const candidates = [join(__dirname, '..', 'docs', 'rules'), join(__dirname, '..', '..', '..', '..', 'docs', 'rules')];
  docsDir = candidates.find((d) => existsSync(d)) ?? candidates[0];
  return docsDir;
}

const docUrls = new Map<string, string>();

/** The rule's documentation page, as a file URI to the copy shipped with MindPort (every diagnostic has one). */
export function ruleDocUrl(code: string): string {
  let url = docUrls.get(code);
  if (url === undefined) docUrls.set(code, (url = pathToFileURL(join(findDocsDir(), `${code}.md`)).href));
  return url;
}

/** The text of a rule's documentation page (Markdown), or undefined when the page is not shipped. */
export function ruleDoc(code: string): string | undefined {
  try {
    return readFileSync(join(findDocsDir(), `${code}.md`), 'utf8');
  } catch {
    return undefined;
  }
}
