// Finds and loads the mappings/ folder shipped with MindPort (beside dist/ when bundled, at the repo root
// in a source checkout); MINDPORT_MAPPINGS_DIR overrides it. Loaded once per process.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MappingDatabase } from './database';

export function mappingsDir(): string {
  if (process.env.MINDPORT_MAPPINGS_DIR) return process.env.MINDPORT_MAPPINGS_DIR;
  // bundled: dist/../mappings; from source: server/src/mappings/../../../mappings (not this TypeScript folder)
  const candidates = [join(__dirname, '..', 'mappings'), join(__dirname, '..', '..', '..', 'mappings')];
  const hasData = (d: string) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json'));
  return candidates.find(hasData) ?? candidates[0];
}

let loaded: MappingDatabase | undefined;

export function loadDatabase(): MappingDatabase {
  loaded ??= MappingDatabase.loadDir(mappingsDir());
  return loaded;
}
