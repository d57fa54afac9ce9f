import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { initParser } from '../../server/src/engine/parser';
import { analyzeText } from '../../server/src/engine/analyze';
import { realDb, settings } from './helpers';
test('x', async () => {
  await initParser();
  const text = readFileSync('examples/weather_port/train.py', 'utf8');
  const a = analyzeText(text, { ...settings(), } as any, realDb());
  for (const u of a.resolution!.uses) if (/Module\.(embed|processor|mixer|head|parameters)|torch\.Tensor$|numpy/.test(u.qname)) console.log(u.qname, u.context, u.via, u.confidence, u.node.text, u.node.startPosition.row + 1);
});
