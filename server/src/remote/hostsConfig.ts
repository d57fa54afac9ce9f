// Remote hosts for "Run on Ascend / Run on DCU": the schema, the CLI's hosts.toml, the VS Code user setting
// `mindport.remote.hosts` (same shape, validated by the same schema), and the project's `[tool.mindport.run]`
// table, which may only pick a host by name and set the entry point and its arguments.
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, isAbsolute } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import * as z from 'zod';
import { isEnvName } from './shellQuote';

const noControl = (s: string) => !/[\0-\x1f\x7f]/.test(s);

/** An ssh destination: an ~/.ssh/config alias or user@host. A leading `-` would be read by ssh as an option. */
export const Destination = z
  .string()
  .min(1, 'must not be empty')
  .refine((s) => !s.startsWith('-'), 'must not start with "-" (ssh would read it as an option)')
  .refine((s) => !/\s/.test(s) && noControl(s), 'must not contain spaces or control characters');

const RemotePath = z
  .string()
  .min(1, 'must not be empty')
  .refine(noControl, 'must not contain control characters or newlines')
  .refine((s) => s.startsWith('/') || s === '~' || s.startsWith('~/'), 'must be an absolute path or start with ~/');

const SlurmSchema = z.strictObject({
  partition: z.string().regex(/^[A-Za-z0-9_.,-]+$/, 'letters, digits, "_", ".", "," and "-" only').optional(),
  /** A count (becomes npu:N or dcu:N) or a full gres string such as "npu:910B3:1". */
  gres: z.union([z.number().int().min(1), z.string().regex(/^[A-Za-z0-9_:.,-]+$/, 'a gres string such as npu:8')]).optional(),
  time: z.string().regex(/^[0-9:-]+$/, 'a Slurm time limit such as 00:30:00').optional(),
  account: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
  poll_interval: z.number().positive().max(60).default(2),
});

export const HostSchema = z.strictObject({
  destination: Destination,
  port: z.number().int().min(1).max(65535).optional(),
  kind: z.enum(['ascend', 'dcu']),
  workdir: RemotePath.default('~/mindport-runs'),
  /** Sourced before anything runs; when absent the known CANN / DTK locations are probed. */
  env_script: RemotePath.optional(),
  python: z.string().min(1).refine(noControl, 'must not contain control characters').default('python3'),
  env: z.record(z.string().refine(isEnvName, 'not a valid environment variable name'), z.string().refine((s) => !s.includes('\0'), 'no NUL bytes')).default({}),
  devices: z.array(z.number().int().min(0).max(63)).optional(),
  launcher: z.enum(['python', 'msrun', 'slurm']).default('python'),
  workers: z.number().int().min(1).max(1024).optional(),
  slurm: SlurmSchema.optional(),
  /** Seconds before the run is stopped (and the remote process group killed). */
  timeout: z.number().positive().max(7 * 24 * 3600).default(1800),
  /** Extra `-o` options for ssh, each "Key=Value". */
  ssh_options: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*[= ]\S.*$/, 'each entry must look like "Key=Value"').refine(noControl, 'no control characters'))
    .default([]),
  ssh_path: z.string().min(1).default('ssh'),
  /** An ssh_config file given to ssh with -F (by default ssh reads ~/.ssh/config). */
  ssh_config: z.string().min(1).optional(),
  /** The workspace upload is refused above this size. */
  max_sync_mb: z.number().positive().default(200),
  /** Seconds between npu-smi / hy-smi samples during a run. */
  sample_interval: z.number().min(0.1).max(600).default(2),
});
export type HostConfig = z.infer<typeof HostSchema>;
export type HostInput = z.input<typeof HostSchema>;

const HostName = /^[A-Za-z0-9_.-]+$/;

export interface ConfigProblem {
  host?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: ConfigProblem, source: string): string {
  const where = [source, p.host !== undefined ? `host "${p.host}"` : '', p.field ? `field "${p.field}"` : ''].filter(Boolean).join(': ');
  return `${where}: ${p.message}`;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[');
}

/** Validates one host table. Problems name the host and the field. */
export function parseHost(name: string, raw: unknown): { host?: HostConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  if (!HostName.test(name)) problems.push({ host: name, message: 'host names may use letters, digits, ".", "_" and "-" only' });
  const r = HostSchema.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ host: name, field: issuePath([...issue.path, key]), message: 'unknown field' });
      } else {
        problems.push({ host: name, field: issuePath(issue.path) || undefined, message: issue.message });
      }
    }
    return { problems };
  }
  return problems.length ? { problems } : { host: r.data, problems };
}

/** Validates a `{ NAME: {...} }` object (the parsed `[hosts]` table or the VS Code setting value). */
export function parseHosts(raw: unknown): { hosts: Map<string, HostConfig>; problems: ConfigProblem[] } {
  const hosts = new Map<string, HostConfig>();
  const problems: ConfigProblem[] = [];
  if (raw === undefined || raw === null) return { hosts, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ message: 'hosts must be a table of NAME = { destination = ..., kind = ... }' });
    return { hosts, problems };
  }
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const r = parseHost(name, value);
    problems.push(...r.problems);
    if (r.host) hosts.set(name, r.host);
  }
  return { hosts, problems };
}

/** `$MINDPORT_CONFIG_HOME/hosts.toml`, default `~/.config/mindport/hosts.toml`. */
export function hostsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.MINDPORT_CONFIG_HOME || join(env.HOME || homedir(), '.config', 'mindport');
  return join(base, 'hosts.toml');
}

export interface LoadedHosts {
  path: string;
  exists: boolean;
  hosts: Map<string, HostConfig>;
  problems: ConfigProblem[];
}

export function parseHostsToml(text: string): { hosts: Map<string, HostConfig>; problems: ConfigProblem[] } {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    return { hosts: new Map(), problems: [{ message: `not valid TOML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(doc)) {
    if (key !== 'hosts') problems.push({ field: key, message: 'unknown top-level key (hosts are defined as [hosts.NAME] tables)' });
  }
  const r = parseHosts(doc.hosts);
  return { hosts: r.hosts, problems: [...problems, ...r.problems] };
}

export function loadHostsFile(env: NodeJS.ProcessEnv = process.env): LoadedHosts {
  const path = hostsFilePath(env);
  if (!existsSync(path)) return { path, exists: false, hosts: new Map(), problems: [] };
  const r = parseHostsToml(readFileSync(path, 'utf8'));
  return { path, exists: true, ...r };
}

// ---- project file: [tool.mindport.run] ----

const ProjectRunSchema = z.strictObject({
  host: z.string().regex(HostName, 'a host name defined in your user-level hosts').optional(),
  entry: z.string().min(1).refine(noControl, 'no control characters').optional(),
  args: z.array(z.string().refine((s) => !s.includes('\0'), 'no NUL bytes')).default([]),
});
export type ProjectRun = z.infer<typeof ProjectRunSchema>;

/**
 * Reads `[tool.mindport.run]` from `<root>/pyproject.toml`. Only `host`, `entry` and `args` are accepted: fields
 * that would change what runs on the remote machine (destination, env_script, python, ssh options ...) belong
 * to the user's own configuration and are refused here.
 */
export function loadProjectRun(root: string): { run: ProjectRun; problems: ConfigProblem[]; path: string } {
  const path = join(root, 'pyproject.toml');
  const empty: ProjectRun = { args: [] };
  if (!existsSync(path)) return { run: empty, problems: [], path };
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    return { run: empty, problems: [{ message: `not valid TOML: ${(e as Error).message.split('\n')[0]}` }], path };
  }
  const tool = (doc.tool as Record<string, unknown> | undefined)?.mindport as Record<string, unknown> | undefined;
  const raw = tool?.run;
  if (raw === undefined) return { run: empty, problems: [], path };
  const r = ProjectRunSchema.safeParse(raw);
  if (r.success) return { run: r.data, problems: [], path };
  const problems: ConfigProblem[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: `tool.mindport.run.${key}`, message: 'not allowed in a project file: only host, entry and args (define hosts in your user settings or hosts.toml)' });
      }
    } else problems.push({ field: `tool.mindport.run.${issuePath(issue.path)}`, message: issue.message });
  }
  return { run: empty, problems, path };
}

/** Where a relative `entry` in the project file points. */
export function resolveEntry(root: string, entry: string): string {
  return isAbsolute(entry) ? entry : join(root, entry);
}
