import { memoryAfterOpening } from './bench/lsp.mjs';
import { ensureCorpus } from './bench/corpus.mjs';
import { join } from 'node:path';
process.env.MINDPORT_MAPPINGS_DIR = '/work/main/mappings';
const c = ensureCorpus({ cacheDir: '/tmp/mindport-bench' });
const r = await memoryAfterOpening(process.argv[2], c.dir, c.files.map((f) => join(c.dir, f)));
console.log(r.rssMb, r.peakMb);
