// Step 1 of a remote run: connect, source the toolkit environment, read device health and memory from
// `npu-smi info` (Ascend) or `hy-smi` (DCU), and check that the framework imports and sees the device.
import type { HostConfig } from './hostsConfig';
import { exportLine, quote, quotePath } from './shellQuote';
import type { SshSession } from './ssh';

export type Health = 'OK' | 'Warning' | 'Alarm' | 'Critical' | 'UNKNOWN' | string;

export interface Device {
  /** The id to use in ASCEND_RT_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES. */
  id: number;
  npuId?: number;
  chipId?: number;
  name: string;
  health: Health;
  powerW?: number;
  tempC?: number;
  aicorePct?: number;
  memUsedMB?: number;
  memTotalMB?: number;
  hbmUsedMB?: number;
  hbmTotalMB?: number;
  processes: number;
  busy: boolean;
}

const HEALTH = /^(OK|Warning|Alarm|Critical|UNKNOWN|Unknown|NotOK|Abnormal)$/i;
const BUS_ID = /^[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]$/;

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const v = Number.parseFloat(s);
  return Number.isFinite(v) ? v : undefined;
}

function pairs(cell: string): Array<[number, number]> {
  return [...cell.matchAll(/(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** How full a device may be before it counts as busy. */
const BUSY_FRACTION = 0.15;

function finishBusy(d: Device): void {
  const used = d.hbmTotalMB ? (d.hbmUsedMB ?? 0) / d.hbmTotalMB : d.memTotalMB ? (d.memUsedMB ?? 0) / d.memTotalMB : 0;
  d.busy = d.processes > 0 || used > BUSY_FRACTION || (d.aicorePct ?? 0) > 10;
}

/**
 * Parses `npu-smi info`: two `|`-delimited rows per chip (NPU id + name | health | power temp hugepages, then
 * chip [device] | bus id | AICore% memory used/total [HBM used/total]), followed by the process table.
 * Tolerates `NA`/`-` power, missing HBM columns (310P/310B), `59356/ 65536` spacing and several chips per NPU.
 */
export function parseNpuSmi(text: string): Device[] {
  const devices: Device[] = [];
  let current: { npuId: number; name: string; health: string; powerW?: number; tempC?: number; chips: number } | undefined;
  let inProcesses = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith('|')) continue;
    const cells = line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
    if (/Process id/i.test(line)) {
      inProcesses = true;
      continue;
    }
    if (inProcesses) {
      if (/No running processes/i.test(line)) continue;
      const m = /^(\d+)/.exec(cells[0] ?? '');
      if (m && cells.length >= 3 && /^\d+$/.test(cells[1] ?? '')) {
        const npu = Number(m[1]);
        for (const d of devices) if (d.npuId === npu) d.processes++;
      }
      continue;
    }
    if (cells.length < 3) continue;
    const [c0, c1, c2] = cells as [string, string, string];
    if (HEALTH.test(c1)) {
      const m = /^(\d+)\s+(\S.*)$/.exec(c0);
      if (!m) continue;
      const t = c2.split(/\s+/);
      current = { npuId: Number(m[1]), name: m[2]!.trim(), health: c1, powerW: num(t[0]), tempC: num(t[1]), chips: 0 };
    } else if (BUS_ID.test(c1) && current) {
      const ids = c0.split(/\s+/).filter(Boolean).map(Number);
      if (!ids.length || ids.some((n) => !Number.isInteger(n))) continue;
      const p = pairs(c2);
      const aicore = num(c2.split(/\s+/)[0]);
      const d: Device = {
        id: ids.length >= 2 ? ids[1]! : current.npuId,
        npuId: current.npuId,
        chipId: ids[0],
        name: current.name,
        health: current.health,
        powerW: current.chips === 0 ? current.powerW : undefined,
        tempC: current.tempC,
        aicorePct: aicore,
        memUsedMB: p[0]?.[0],
        memTotalMB: p[0]?.[1],
        hbmUsedMB: p[1]?.[0],
        hbmTotalMB: p[1]?.[1],
        processes: 0,
        busy: false,
      };
      current.chips++;
      devices.push(d);
    }
  }
  // A3 boards list several chips under one NPU row; then the logical ids are the chip positions in order.
  const ids = new Set(devices.map((d) => d.id));
  if (ids.size !== devices.length) devices.forEach((d, i) => (d.id = i));
  devices.forEach(finishBusy);
  return devices;
}

/**
 * Parses the `hy-smi` (or `rocm-smi`) summary table (`DCU Temp AvgPwr Fan Perf PwrCap VRAM% DCU%`, older
 * images say GPU) and, when present, `--showmeminfo vram` lines (`DCU[0] : vram Total Memory (MiB): 65520`).
 */
export function parseHySmi(text: string): Device[] {
  const devices: Device[] = [];
  let header: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^=+/.test(line)) {
      if (header && devices.length) header = undefined;
      continue;
    }
    const words = line.split(/\s+/);
    if (/^(DCU|GPU)$/i.test(words[0] ?? '') && words.some((w) => /temp/i.test(w))) {
      header = words.map((w) => w.toLowerCase());
      continue;
    }
    if (header && /^\d+$/.test(words[0] ?? '')) {
      const col = (name: RegExp) => {
        const i = header!.findIndex((h) => name.test(h));
        return i >= 0 ? words[i] : undefined;
      };
      const d: Device = {
        id: Number(words[0]),
        name: 'DCU',
        health: 'OK',
        tempC: num(col(/^temp/)),
        powerW: num(col(/^(avgpwr|power|pwr)/)),
        processes: 0,
        busy: false,
      };
      const vram = num(col(/^vram%?$/));
      const util = num(col(/^(dcu|gpu)%$/));
      d.aicorePct = util;
      if (vram !== undefined) {
        d.memUsedMB = vram; // percent until totals are known (below)
        d.memTotalMB = 100;
      }
      devices.push(d);
    }
  }
  // --showmeminfo vram
  const totals = new Map<number, { total?: number; used?: number }>();
  for (const m of text.matchAll(/(?:DCU|GPU)\[(\d+)\]\s*:\s*vram Total (Used )?Memory \((B|MiB|MB)\)\s*:\s*(\d+)/gi)) {
    const id = Number(m[1]);
    const unit = m[3]!.toUpperCase() === 'B' ? 1 / (1024 * 1024) : 1;
    const v = Math.round(Number(m[4]) * unit);
    const t = totals.get(id) ?? {};
    if (m[2]) t.used = v;
    else t.total = v;
    totals.set(id, t);
  }
  for (const [id, t] of totals) {
    let d = devices.find((x) => x.id === id);
    if (!d) {
      d = { id, name: 'DCU', health: 'OK', processes: 0, busy: false };
      devices.push(d);
    }
    if (t.total !== undefined) {
      d.memTotalMB = t.total;
      d.memUsedMB = t.used ?? 0;
    }
  }
  for (const m of text.matchAll(/(?:DCU|GPU)\[(\d+)\]\s*:\s*Card series\s*:\s*(.+)/gi)) {
    const d = devices.find((x) => x.id === Number(m[1]));
    if (d) d.name = m[2]!.trim();
  }
  devices.forEach(finishBusy);
  return devices;
}

// ---- the environment every remote step starts from ----

export const ASCEND_ENV_CANDIDATES = [
  '/usr/local/Ascend/cann/set_env.sh',
  '/usr/local/Ascend/ascend-toolkit/set_env.sh',
  '~/Ascend/ascend-toolkit/set_env.sh',
  '/usr/local/Ascend/nnae/set_env.sh',
];
export const DCU_ENV_CANDIDATES = ['/opt/dtk/env.sh'];

/**
 * Shell lines that source the env script (explicit, or the first known location found), export the host's
 * `env` table and the visible devices. Output of the env script goes to stderr so stdout stays parseable.
 * Sets MP_ENV_SCRIPT (empty when none was found) and MP_ENV_MISSING (the explicit path when it is missing).
 */
export function envSetup(host: HostConfig, mode: RunMode): string {
  const lines: string[] = ['MP_ENV_SCRIPT=', 'MP_ENV_MISSING='];
  if (host.env_script) {
    lines.push(`if [ -f ${quotePath(host.env_script)} ]; then MP_ENV_SCRIPT=${quotePath(host.env_script)}; else MP_ENV_MISSING=${quotePath(host.env_script)}; fi`);
  } else {
    const list = host.kind === 'ascend' ? ASCEND_ENV_CANDIDATES : DCU_ENV_CANDIDATES;
    lines.push(`for mp_f in ${list.map(quotePath).join(' ')}; do if [ -f "$mp_f" ]; then MP_ENV_SCRIPT=$mp_f; break; fi; done`);
  }
  // DTK's env.sh (and some set_env.sh versions) fail under `set -u`: source with it off.
  lines.push('if [ -n "$MP_ENV_SCRIPT" ]; then set +u; . "$MP_ENV_SCRIPT" 1>&2; fi');
  for (const [k, v] of Object.entries(host.env)) lines.push(exportLine(k, v));
  if (host.devices?.length && mode !== 'cpu') {
    const list = [...host.devices].sort((a, b) => a - b).join(',');
    lines.push(exportLine(host.kind === 'ascend' ? 'ASCEND_RT_VISIBLE_DEVICES' : 'HIP_VISIBLE_DEVICES', list));
  }
  if (mode === 'cpu') {
    lines.push(exportLine('MINDPORT_DEVICE_TARGET', 'CPU'), exportLine('ASCEND_RT_VISIBLE_DEVICES', ''), exportLine('HIP_VISIBLE_DEVICES', ''));
  }
  return lines.join('\n');
}

/** The shell command printing the device table for this kind of host. */
export function smiCommand(host: HostConfig): string {
  return host.kind === 'ascend'
    ? 'npu-smi info'
    : '{ if command -v hy-smi >/dev/null 2>&1; then hy-smi; hy-smi --showmeminfo vram; else rocm-smi; rocm-smi --showmeminfo vram; fi; }';
}

export function parseSmi(host: HostConfig, text: string): Device[] {
  return host.kind === 'ascend' ? parseNpuSmi(text) : parseHySmi(text);
}

/**
 * `npu` runs MindSpore on the Ascend NPU; `baseline` runs the original PyTorch script on the DCU under DTK
 * (MindSpore has no DCU backend); `cpu` runs the MindSpore port with device_target CPU on the host.
 */
export type RunMode = 'npu' | 'baseline' | 'cpu';

export function defaultMode(host: HostConfig): RunMode {
  return host.kind === 'ascend' ? 'npu' : 'baseline';
}

const MS_CHECK = "import mindspore as ms; ms.set_context(device_target='Ascend'); ms.run_check()";
const MS_CPU_CHECK = "import mindspore as ms; ms.set_context(device_target='CPU'); ms.run_check()";
const TORCH_DCU_CHECK =
  "import torch; assert torch.cuda.is_available(), 'torch.cuda.is_available() is False'; print('torch', torch.__version__, 'HIP', torch.version.hip, torch.cuda.get_device_name(0))";

export interface PreflightResult {
  ok: boolean;
  envScript?: string;
  home?: string;
  tools: Set<string>;
  devices: Device[];
  /** Devices the run will use (host.devices, or all). */
  selected: Device[];
  warnings: string[];
  errors: string[];
  mindsporeVersion?: string;
  platform?: string;
  torch?: string;
  checkOutput: string;
  smiOutput: string;
}

function section(out: string, name: string): string {
  const m = new RegExp(`^@@MP:${name}\\n([\\s\\S]*?)^@@MP:end:${name}:(\\d+)$`, 'm').exec(out);
  return m ? m[1]! : '';
}
function sectionRc(out: string, name: string): number | undefined {
  const m = new RegExp(`^@@MP:end:${name}:(\\d+)$`, 'm').exec(out);
  return m ? Number(m[1]) : undefined;
}

export function preflightScript(host: HostConfig, mode: RunMode): string {
  const check = mode === 'cpu' ? MS_CPU_CHECK : host.kind === 'ascend' ? MS_CHECK : TORCH_DCU_CHECK;
  const sect = (name: string, cmd: string) => `echo @@MP:${name}\n${cmd} 2>&1 </dev/null\necho "@@MP:end:${name}:$?"`;
  return [
    envSetup(host, mode),
    'echo "@@MP:env:$MP_ENV_SCRIPT"',
    'echo "@@MP:missing:$MP_ENV_MISSING"',
    'echo "@@MP:home:$HOME"',
    sect('tools', 'for mp_t in rsync tar pkill; do command -v "$mp_t" >/dev/null 2>&1 && echo "$mp_t"; done; true'),
    sect('smi', smiCommand(host)),
    sect('check', `${quote(host.python)} -c ${quote(check)}`),
  ].join('\n');
}

/** Evaluates what the preflight script printed. Exported for tests. */
export function evaluatePreflight(host: HostConfig, mode: RunMode, out: string): PreflightResult {
  const r: PreflightResult = { ok: true, tools: new Set(), devices: [], selected: [], warnings: [], errors: [], checkOutput: '', smiOutput: '' };
  r.envScript = /^@@MP:env:(.*)$/m.exec(out)?.[1] || undefined;
  r.home = /^@@MP:home:(.*)$/m.exec(out)?.[1] || undefined;
  const missing = /^@@MP:missing:(.*)$/m.exec(out)?.[1];
  for (const t of section(out, 'tools').split('\n')) if (t.trim()) r.tools.add(t.trim());
  const kit = host.kind === 'ascend' ? 'CANN' : 'DTK';
  if (missing) r.errors.push(`env_script ${missing} does not exist on ${host.destination}: fix env_script in the host configuration (${kit} set_env.sh / env.sh)`);
  else if (!r.envScript) {
    const list = (host.kind === 'ascend' ? ASCEND_ENV_CANDIDATES : DCU_ENV_CANDIDATES).join(', ');
    r.warnings.push(`no ${kit} environment script found (looked for ${list}); set env_script in the host configuration if ${kit} lives elsewhere`);
  }
  r.smiOutput = section(out, 'smi');
  const smiRc = sectionRc(out, 'smi');
  r.devices = parseSmi(host, r.smiOutput);
  const tool = host.kind === 'ascend' ? 'npu-smi' : 'hy-smi';
  const needsDevice = mode !== 'cpu';
  if (!r.devices.length) {
    const why = smiRc === 127 || /not found/.test(r.smiOutput) ? `${tool} not found (is the ${kit} environment sourced?)` : `${tool} listed no devices`;
    if (needsDevice) r.errors.push(why);
    else r.warnings.push(why);
  }
  if (needsDevice && r.devices.length) {
    const wanted = host.devices;
    r.selected = wanted?.length ? r.devices.filter((d) => wanted.includes(d.id)) : r.devices;
    for (const id of wanted ?? []) if (!r.devices.some((d) => d.id === id)) r.errors.push(`device ${id} is not listed by ${tool}`);
    for (const d of r.selected) {
      if (/^OK$/i.test(d.health)) {
        /* healthy */
      } else if (/^Warning$/i.test(d.health)) r.warnings.push(`device ${d.id} (${d.name}) health is Warning`);
      else r.errors.push(`device ${d.id} (${d.name}) health is ${d.health}: refusing to run on an unhealthy device`);
      if (d.busy) {
        const mem = d.hbmTotalMB ? `HBM ${d.hbmUsedMB}/${d.hbmTotalMB} MB` : d.memTotalMB ? `memory ${d.memUsedMB}/${d.memTotalMB}${host.kind === 'dcu' && d.memTotalMB === 100 ? '%' : ' MB'}` : '';
        r.warnings.push(`device ${d.id} (${d.name}) is busy: ${[mem, d.processes ? `${d.processes} process(es) running` : ''].filter(Boolean).join(', ')}`);
      }
    }
  }
  r.checkOutput = section(out, 'check');
  const checkRc = sectionRc(out, 'check');
  r.mindsporeVersion = /MindSpore version:\s*(\S+)/.exec(r.checkOutput)?.[1];
  if (host.kind === 'ascend' || mode === 'cpu') {
    const ok = /MindSpore has been installed (?:on platform \[(\w+)\] )?successfully!/.exec(r.checkOutput);
    if (ok) r.platform = ok[1] ?? (mode === 'cpu' ? 'CPU' : 'Ascend');
    else r.errors.push(`MindSpore run_check failed (exit ${checkRc ?? '?'}): ${lastLine(r.checkOutput) || 'no output'}`);
  } else {
    const t = /^torch (\S+) HIP (\S+) (.*)$/m.exec(r.checkOutput);
    if (t && checkRc === 0) {
      r.torch = `torch ${t[1]} (HIP ${t[2]}) on ${t[3]}`;
      if (t[2] === 'None') r.errors.push('this torch build is not a HIP (DTK) build: torch.version.hip is None');
    } else r.errors.push(`PyTorch/HIP check failed (exit ${checkRc ?? '?'}): ${lastLine(r.checkOutput) || 'no output'}`);
  }
  r.ok = r.errors.length === 0;
  return r;
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter((l) => l.trim() && !/UserWarning|warnings\.warn/.test(l)).pop()?.trim() ?? '';
}

/** Runs the preflight over ssh. Throws SshError when the host cannot be reached or logged into. */
export async function preflight(ssh: SshSession, mode: RunMode, signal?: AbortSignal): Promise<PreflightResult> {
  const r = ssh.check(await ssh.exec(preflightScript(ssh.host, mode), { signal }));
  if (r.aborted) throw new Error('cancelled');
  return evaluatePreflight(ssh.host, mode, r.stdout);
}
