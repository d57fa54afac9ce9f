// Turns what a remote run printed into diagnostics on the local files: Python tracebacks, MindSpore graph-mode
// "In file path:line" frames, CANN error codes, unsupported dtypes, kernel-selection failures, out-of-memory
// and a missing toolkit environment. Remote paths under the upload directory are rewritten to the workspace.
import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';

export type RemoteSeverity = 'error' | 'warning' | 'info';

export interface RemoteDiagnostic {
  /** Local absolute path. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, when the output says. */
  column?: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  /** `MSP-REMOTE-…` or a CANN error code such as `EZ1001`. */
  code: string;
  /** The MindPort rule that explains the fix, when one exists. */
  rule?: string;
  severity: RemoteSeverity;
  /** True when the output named no local location and the diagnostic sits on line 1 of the entry file. */
  approximate?: boolean;
}

export interface MapOptions {
  /** Remote spellings of the uploaded workspace directory (physical and logical). */
  remoteRoots: string[];
  localRoot: string;
  /** Local entry script: where an error without a location is reported. */
  entryFile?: string;
  exists?: (path: string) => boolean;
}

/** Where the rule pages live in the repository (codeDescription links are built from this). */
export function ruleDocPath(rule: string): string {
  return `docs/rules/${rule}.md`;
}

interface Loc {
  file: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const PY_FRAME = /^\s*File "(.+)", line (\d+)(?:, in .*)?$/;
const MS_FRAME = /In file (.+?):(\d+)(?:~(\d+))?(?:,\s*(\d+)(?:~(\d+))?)?\s*$/;
const MS_FRAME_OLD = /In file (.+?)\((\d+)\)\s*$/;
const CANN_CODE = /(?:^|[\s[(:])(E[0-9A-Z]\d{4})(?=[:\]\s),]|$)/;
const DTYPE = /not implemented for (?:(DT_[A-Z0-9_]+)|'(\w+)')/;
const OP_NOT_MATCHED = /The current \[([^\]]+)\] operator did not match any operator prototype library/;
const OOM = /Out of memory!!!|\b(?:NPU|HIP|CUDA|GPU|DCU) out of memory\b/i;
const MISSING_LIB = /(libascend_hal\.so|libascendcl\.so|libhccl\.so|libacl_\w+\.so|libgalaxyhip\.so(?:\.\d+)?|libamdhip64\.so(?:\.\d+)?|libhsa-runtime64\.so(?:\.\d+)?):\s*cannot open shared object file/;

const CANN_MODULE: Record<string, string> = {
  Z: 'operator (aclnn kernel)',
  '3': 'AI CPU',
  E: 'runtime',
  H: 'ACL',
  I: 'HCCL (collective communication)',
  J: 'HCCL (collective communication)',
  '1': 'ATC / graph compiler',
  '2': 'ATC / graph compiler',
  '5': 'graph engine',
  K: 'task scheduler',
  L: 'driver',
};

function dtypeRule(dtype: string): { rule?: string; what: string } {
  const d = dtype.toUpperCase();
  if (/DOUBLE|FLOAT64/.test(d)) return { rule: 'MSP202', what: 'float64' };
  if (/COMPLEX/.test(d)) return { rule: 'MSP201', what: 'complex' };
  return { what: dtype };
}

function dtypeExplanation(dtype: string): string {
  const { rule, what } = dtypeRule(dtype);
  if (rule === 'MSP202')
    return `the Ascend kernel has no ${what} (${dtype}) implementation: compute in float32 (cast with .astype(mindspore.float32) or create tensors as float32). See ${rule}.`;
  if (rule === 'MSP201')
    return `the Ascend kernel has no complex (${dtype}) implementation: keep real and imaginary parts as separate float32 tensors or run this part on CPU. See ${rule}.`;
  return `the kernel does not support ${dtype} on this device: cast the inputs to a supported dtype (the error lists them).`;
}

export function mapRemoteErrors(output: string, opts: MapOptions): RemoteDiagnostic[] {
  const exists = opts.exists ?? existsSync;
  const roots = [...new Set(opts.remoteRoots.map((r) => r.replace(/\/+$/, '')).filter(Boolean))].sort((a, b) => b.length - a.length);
  const toLocal = (p: string): string | undefined => {
    let rel: string | undefined;
    for (const r of roots) {
      if (p === r) return undefined;
      if (p.startsWith(r + '/')) {
        rel = p.slice(r.length + 1);
        break;
      }
    }
    if (rel === undefined) {
      if (p.startsWith('/') || isAbsolute(p) || p.startsWith('<')) return undefined;
      rel = p.replace(/^\.\//, '');
    }
    const local = normalize(join(opts.localRoot, rel));
    if (!local.startsWith(normalize(opts.localRoot))) return undefined;
    return exists(local) ? local : undefined;
  };

  const lines = output.replace(ANSI, '').split(/\r?\n/);
  // Tracebacks: start line, innermost workspace frame, the exception line.
  interface Tb { start: number; frame?: Loc; exception?: string; construct?: Loc; claimed: boolean }
  const tbs: Tb[] = [];
  const constructs: Array<{ at: number; loc: Loc }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*Traceback \(most recent call last\):/.test(line)) {
      const tb: Tb = { start: i, claimed: false };
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        const m = PY_FRAME.exec(l);
        if (m) {
          const f = toLocal(m[1]!);
          if (f) tb.frame = { file: f, line: Number(m[2]) };
          continue;
        }
        if (/^\s/.test(l) || l === '') continue; // source lines, carets
        tb.exception = l.trim();
        break;
      }
      tbs.push(tb);
      i = Math.max(i, j - 1);
      continue;
    }
    const m = MS_FRAME.exec(line) ?? null;
    const old = m ? null : MS_FRAME_OLD.exec(line);
    if (m || old) {
      const f = toLocal((m ?? old)![1]!.trim());
      if (f) {
        const loc: Loc = { file: f, line: Number((m ?? old)![2]) };
        if (m) {
          if (m[3]) loc.endLine = Number(m[3]);
          if (m[4]) loc.column = Number(m[4]) + 1; // MindSpore prints 0-based columns
          if (m[5]) loc.endColumn = Number(m[5]) + 1;
        }
        constructs.push({ at: i, loc });
      }
    }
  }
  const regionOf = (at: number): number => {
    // The traceback whose text (frames plus the long MindSpore message after them) contains line `at`;
    // a log line printed before any traceback belongs to the first one that follows it.
    let k = -1;
    for (let t = 0; t < tbs.length; t++) if (tbs[t]!.start <= at) k = t;
    if (k === -1 && tbs.length) k = 0;
    return k;
  };
  for (const c of constructs) {
    const k = regionOf(c.at);
    if (k >= 0 && !tbs[k]!.construct) tbs[k]!.construct = c.loc;
  }
  const locate = (at: number): { loc?: Loc; tb?: Tb } => {
    const k = regionOf(at);
    if (k >= 0) {
      const tb = tbs[k]!;
      const loc = tb.construct ?? tb.frame;
      if (loc) return { loc, tb };
      return { tb };
    }
    const c = constructs.find((x) => x.at >= at) ?? constructs[constructs.length - 1];
    return { loc: c?.loc };
  };

  const out: RemoteDiagnostic[] = [];
  const seen = new Set<string>();
  const add = (at: number, d: Omit<RemoteDiagnostic, 'file' | 'line'>) => {
    const { loc, tb } = locate(at);
    if (tb) tb.claimed = true;
    let where: Loc | undefined = loc;
    let approximate = false;
    if (!where && opts.entryFile) {
      where = { file: opts.entryFile, line: 1 };
      approximate = true;
    }
    if (!where) return;
    const key = `${where.file}:${where.line}:${d.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ...where, ...d, ...(approximate ? { approximate, message: `${d.message} (the output named no line in your files)` } : {}) });
  };

  const clip = (s: string, n = 240) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const code = CANN_CODE.exec(line)?.[1];
    const dt = DTYPE.exec(line);
    const dtype = dt ? (dt[1] ?? dt[2]!) : undefined;
    if (code) {
      const text = clip(line.slice(line.indexOf(code)).trim());
      if (dtype) {
        const r = dtypeRule(dtype);
        add(i, { code, rule: r.rule, severity: 'error', message: `${text}: ${dtypeExplanation(dtype)}` });
      } else {
        const mod = CANN_MODULE[code[1]!] ?? 'CANN';
        const internal = Number(code.slice(2)) >= 9000 ? ' (an internal error: the plog saved with this run has the details)' : '';
        add(i, { code, severity: 'error', message: `${text}: CANN ${mod} error${internal}.` });
      }
      continue;
    }
    if (dtype) {
      const r = dtypeRule(dtype);
      add(i, { code: 'MSP-REMOTE-DTYPE', rule: r.rule, severity: 'error', message: `${clip(line.trim())}: ${dtypeExplanation(dtype)}` });
      continue;
    }
    const op = OP_NOT_MATCHED.exec(line);
    if (op) {
      const name = op[1]!.split('/').pop()!.replace(/-op\d+$/, '');
      add(i, {
        code: 'MSP-REMOTE-OP-NOT-MATCHED',
        rule: 'MSP105',
        severity: 'error',
        message: `no Ascend kernel for ${name} with these input dtypes (MindSpore kernel selection failed): cast the inputs to a dtype the operator supports, or use another operator. See MSP105.`,
      });
      continue;
    }
    if (OOM.test(line)) {
      add(i, {
        code: 'MSP-REMOTE-OOM',
        rule: 'MSP302',
        severity: 'error',
        message: `out of device memory: ${clip(line.trim(), 160)}. Reduce the batch size, use float16/bfloat16, or recompute activations. See MSP302 and MSP303.`,
      });
      continue;
    }
    const lib = MISSING_LIB.exec(line);
    if (lib) {
      const dcu = /galaxyhip|amdhip|hsa-runtime/.test(lib[1]!);
      add(i, {
        code: 'MSP-REMOTE-ENV',
        severity: 'error',
        message: `${lib[1]} was not found: the ${dcu ? 'DTK environment (/opt/dtk/env.sh)' : 'CANN environment (set_env.sh)'} was not sourced on the host. Set env_script in the host configuration.`,
      });
    }
  }
  // Tracebacks no signature explained: report the exception itself.
  for (const tb of tbs) {
    if (tb.claimed || !tb.exception) continue;
    if (/^KeyboardInterrupt/.test(tb.exception)) continue;
    const loc = tb.construct ?? tb.frame;
    const where = loc ?? (opts.entryFile ? { file: opts.entryFile, line: 1 } : undefined);
    if (!where) continue;
    const key = `${where.file}:${where.line}:MSP-REMOTE-EXCEPTION`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...where, code: 'MSP-REMOTE-EXCEPTION', severity: 'error', message: clip(tb.exception, 400), ...(loc ? {} : { approximate: true }) });
  }
  return out;
}

/** The last error-looking line of an output (for the run summary). */
export function lastError(output: string): string | undefined {
  const lines = output.replace(ANSI, '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/UserWarning|warnings\.warn/.test(l)) continue;
    if (/^[A-Za-z_.]*(Error|Exception|Interrupt)\b|^\[ERROR\]|\bE[0-9A-Z]\d{4}\b|out of memory|Killed|Terminated/i.test(l)) return l.length > 300 ? l.slice(0, 299) + '…' : l;
  }
  return undefined;
}
