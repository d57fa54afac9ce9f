// Markdown (hover, `mindport explain`) and structured explanations of one database entry: both twins,
// status, argument differences, platforms per version, the aclnn operator, advice and the official link.
import type { MappedEntry, MappingDatabase, Target } from '../mappings/database';
import { isTorchLikeData, twinPlatforms } from '../mappings/database';
import { MS_VERSIONS, type Twin } from '../mappings/schema';

const STATUS_TEXT = {
  same: 'same behaviour',
  args: 'argument differences',
  behavior: 'behaviour differences',
  none: 'no MindSpore equivalent',
} as const;

function platformsLine(t: Twin): string | undefined {
  if (!t.platforms) return undefined;
  const parts = MS_VERSIONS.filter((v) => t.platforms?.[v]).map((v) => `${v}: ${t.platforms![v]!.join(' ') || '—'}`);
  return parts.length ? parts.join(' · ') : undefined;
}

function argLines(t: Twin): string[] {
  return (t.args ?? []).map((a) => {
    const name = a.torch ? `\`${a.torch}\`` : '';
    switch (a.change) {
      case 'renamed':
        if (a.valueMap) return `${name} → \`${a.ms}\`: ${Object.entries(a.valueMap).map(([t, m]) => `\`${t}\` → \`${m}\``).join(', ')}${a.note ? ` (${a.note})` : ''}`;
        if (a.complement) return `${name} → \`${a.ms}\` = 1 − torch's value${a.note ? ` (${a.note})` : ''}`;
        return `${name} → \`${a.ms}\`${a.whenString ? ' (when given as a string)' : ''}`;
      case 'dropped':
        return `${name}: not in MindSpore`;
      case 'unsupported':
        return `${name}: not supported${a.note ? ` (${a.note})` : ''}`;
      case 'default':
        return `${name}: default differs${a.msDefault ? ` (MindSpore: \`${a.msDefault}\`)` : ''}${a.note ? `; ${a.note}` : ''}`;
      case 'behavior':
        return `${name || 'behaviour'}: ${a.note ?? 'behaves differently'}`;
      case 'added':
        return `MindSpore adds \`${a.ms}\`${a.note ? `: ${a.note}` : ''}`;
    }
  });
}

function twinMarkdown(label: string, t: Twin, target?: Target, chosen?: boolean): string[] {
  const lines = [`**${label}**${chosen ? ' (used for your target)' : ''}: \`${t.api}\` — ${STATUS_TEXT[t.status]}${t.since ? `, since ${t.since}` : ''}`];
  const p = platformsLine(t);
  if (p) lines.push(`- platforms: ${p}${target ? ` (at ${target.version}: ${(twinPlatforms(t, target.version) ?? []).join(' ') || 'not listed'})` : ''}`);
  if (t.aclnn) lines.push(`- Ascend operator: \`${t.aclnn}\``);
  for (const a of argLines(t)) lines.push(`- ${a}`);
  if (t.note) lines.push(`- ${t.note}`);
  if (t.doc) lines.push(`- [${t.doc.includes('/api_mapping/') ? 'official difference page' : 'API page'}](${t.doc})`);
  return lines;
}

/** `asked`: the name the user wrote, when it is an alias of the entry (`torch.relu` for `torch.nn.functional.relu`). */
export function explainMarkdown(db: MappingDatabase, entry: MappedEntry, target?: Target, asked = entry.torch): string {
  const status = db.statusOf(entry);
  const choice = target ? db.choose(entry, target) : undefined;
  const title = asked === entry.torch ? `### \`${entry.torch}\`` : `### \`${asked}\` (the same as \`${entry.torch}\`)`;
  const statusText = entry.notNeeded && !choice?.twin ? 'not needed in MindSpore: the port deletes it' : STATUS_TEXT[status];
  const out = [title, `${statusText}${entry.rule ? ` · see rule ${entry.rule}` : ''}`, ''];
  // the mint slot holds the newer, torch-like API: mint itself, and from 2.10 mindspore.dataset.dataloader
  const newer = isTorchLikeData(entry.mint) ? 'torch-like (newer)' : 'mint';
  if (entry.mint) out.push(...twinMarkdown(newer, entry.mint, target, choice?.which === 'mint'), '');
  if (entry.classic) out.push(...twinMarkdown('classic', entry.classic, target, choice?.which === 'classic'), '');
  if (choice?.uncovered) out.push(`⚠ \`${choice.uncovered.twin.api}\` does not run on ${target!.device} in MindSpore ${target!.version}.`, '');
  if (entry.writtenOutBy && !choice?.twin) out.push(`**Written out by ${entry.writtenOutBy}:** its fix rewrites the call in MindSpore terms.`, '');
  if (entry.advice) out.push(`**What ports do:** ${entry.advice}`, '');
  if (entry.note) out.push(entry.note, '');
  return out.join('\n').trim();
}

/** The JSON form of `mindport explain --json`. */
export function explainJson(db: MappingDatabase, name: string, target?: Target): Record<string, unknown> {
  const entry = db.get(name);
  if (!entry) return { torch_api: name, found: false };
  const choice = target ? db.choose(entry, target) : undefined;
  return {
    torch_api: entry.torch,
    found: true,
    status: db.statusOf(entry),
    mint: entry.mint ?? null,
    classic: entry.classic ?? null,
    suggested: choice?.twin?.api ?? null,
    suggested_twin: choice?.which ?? null,
    params: entry.params ?? null,
    advice: entry.advice ?? null,
    note: entry.note ?? null,
    rule: entry.rule ?? null,
    written_out_by: entry.writtenOutBy ?? null,
    not_needed: entry.notNeeded ?? false,
  };
}
