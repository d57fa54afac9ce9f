import { editLatency } from './bench/lsp.mjs';
process.env.MINDPORT_MAPPINGS_DIR = '/work/main/mappings';
const r = await editLatency(process.argv[2], '/tmp/mindport-bench/corpus-v3-s7-420000/models/long/edit_target_5000.py');
console.log(JSON.stringify(r).slice(0, 300));
