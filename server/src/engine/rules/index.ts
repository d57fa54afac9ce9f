// The rule registry: every rule module, in the order they run (specialised rules claim uses first).
import { apiMappingRule } from './apiMapping';
import type { Rule } from './types';

export const ALL_RULES: Rule[] = [apiMappingRule].sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
