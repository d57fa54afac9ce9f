// Every rule code MindPort knows, with its default severity and fix availability. Documentation lives in
// docs/rules/<CODE>.md; the code's link points there.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleMeta } from './types';

export const RULES: RuleMeta[] = [
  { code: 'MSP101', name: 'torch-api-same-twin', summary: 'torch API with a same-behaviour MindSpore twin', severity: 'info', fix: 'always' },
  { code: 'MSP102', name: 'torch-api-twin-differs', summary: 'MindSpore twin with argument or behaviour differences', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP103', name: 'torch-api-no-twin', summary: 'no MindSpore equivalent known', severity: 'warning', fix: 'none' },
  { code: 'MSP104', name: 'unsupported-argument', summary: 'argument MindSpore does not support', severity: 'warning', fix: 'sometimes' },
  { code: 'MSP105', name: 'twin-not-on-device', summary: 'MindSpore twin not supported on the configured device', severity: 'warning', fix: 'sometimes' },
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

/** The rule's documentation page, as a file URI to the copy shipped with MindPort. */
export function ruleDocUrl(code: string): string {
  return pathToFileURL(join(findDocsDir(), `${code}.md`)).href;
}
