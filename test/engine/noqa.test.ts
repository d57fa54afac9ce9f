// Suppression comments: line-level `# noqa` forms and file-level `# mindport: noqa`.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { findSuppressions, isSuppressed } from '../../server/src/engine/noqa';
import { initParser } from '../../server/src/engine/parser';
import { LineIndex } from '../../server/src/engine/text';
import { analyze } from './helpers';

before(async () => {
  await initParser();
});

// line 2: MSP101 (torch.abs); line 3: MSP101 (torch.zeros) + MSP104 (device=)
const body = (c2: string, c3 = '') => `import torch\ny = torch.abs(x)${c2}\nz = torch.zeros(2, device='cuda')${c3}\n`;
const codes = (src: string) => {
  const a = analyze(src, { select: ['MSP1'] });
  return { found: a.findings.map((f) => `${f.range.start.line + 1}:${f.code}`), suppressed: a.suppressed };
};

test('without comments every finding is reported', () => {
  assert.deepEqual(codes(body('')), { found: ['2:MSP101', '3:MSP101', '3:MSP104'], suppressed: 0 });
});

test('# noqa suppresses every code on its line only', () => {
  assert.deepEqual(codes(body('  # noqa', '')), { found: ['3:MSP101', '3:MSP104'], suppressed: 1 });
  assert.deepEqual(codes(body('', '  # NOQA')), { found: ['2:MSP101'], suppressed: 2 });
  assert.deepEqual(codes(body('  #noqa')).found, ['3:MSP101', '3:MSP104']);
});

test('# noqa: CODE suppresses that code only; lists and lower case work', () => {
  assert.deepEqual(codes(body('', '  # noqa: MSP104')), { found: ['2:MSP101', '3:MSP101'], suppressed: 1 });
  assert.deepEqual(codes(body('', '  # noqa: MSP101')).found, ['2:MSP101', '3:MSP104']);
  assert.deepEqual(codes(body('', '  # noqa: MSP101, MSP104')).found, ['2:MSP101']);
  assert.deepEqual(codes(body('', '  # noqa:msp104')).found, ['2:MSP101', '3:MSP101']);
});

test('# noqa: E501 (another linter\'s code) suppresses nothing of ours', () => {
  assert.deepEqual(codes(body('  # noqa: E501', '  # noqa: E501, W291')), { found: ['2:MSP101', '3:MSP101', '3:MSP104'], suppressed: 0 });
  assert.deepEqual(codes(body('', '  # noqa: E501, MSP104')).found, ['2:MSP101', '3:MSP101']);
});

test('# mindport: ignore[CODE] and ignore[] (all)', () => {
  assert.deepEqual(codes(body('', '  # mindport: ignore[MSP101]')).found, ['2:MSP101', '3:MSP104']);
  assert.deepEqual(codes(body('', '  # mindport: ignore[MSP101, MSP104]')).found, ['2:MSP101']);
  assert.deepEqual(codes(body('', '  # mindport: ignore[]')).found, ['2:MSP101']);
  assert.deepEqual(codes(body('  # type: ignore  # mindport: ignore[MSP101]')).found, ['3:MSP101', '3:MSP104']);
});

test('a comment on one line does not leak to the next, and a # inside a string is not a comment', () => {
  assert.deepEqual(codes(body('  # noqa: MSP104')).found, ['2:MSP101', '3:MSP101', '3:MSP104']);
  assert.deepEqual(codes('import torch\ns = "# noqa"; y = torch.abs(x)\n').found, ['2:MSP101']);
});

test('file-level # mindport: noqa suppresses everything; with codes only those', () => {
  assert.deepEqual(codes(`# mindport: noqa\n${body('')}`), { found: [], suppressed: 3 });
  assert.deepEqual(codes(`${body('')}# mindport: noqa: MSP104\n`).found, ['2:MSP101', '3:MSP101'], 'anywhere in the file');
  assert.deepEqual(codes(`# mindport: noqa: MSP101\n${body('')}`).found, ['4:MSP104']);
  assert.deepEqual(codes(`#mindport:noqa:MSP101,MSP104\n${body('')}`).found, []);
});

test('a directive inside a docstring is not a comment', () => {
  assert.deepEqual(codes(`"""Usage notes.\n\n# mindport: noqa\n"""\n${body('')}`).found, ['6:MSP101', '7:MSP101', '7:MSP104']);
});

test('a file-level directive must be on a line of its own', () => {
  // trailing a statement it is a line-level comment for that line only
  assert.deepEqual(codes(body('  # mindport: noqa')).found, ['2:MSP101', '3:MSP101', '3:MSP104']);
});

test('findSuppressions and isSuppressed directly', () => {
  const text = 'a = 1  # noqa: MSP101\nb = 2  # noqa\nc = 3  # mindport: ignore[MSP2]\n';
  const s = findSuppressions(text, new LineIndex(text));
  assert.equal(s.file, undefined);
  assert.equal(isSuppressed(s, 'MSP101', 0), true);
  assert.equal(isSuppressed(s, 'MSP102', 0), false);
  assert.equal(isSuppressed(s, 'MSP999', 1), true);
  assert.equal(isSuppressed(s, 'MSP201', 2), false, 'codes are exact, not prefixes');
  assert.equal(isSuppressed(s, 'MSP101', 3), false);
});
