// Walks tree-sitter's trees by reading the runtime's WebAssembly memory, without calling into WebAssembly per
// node. The copy (syntax.ts) used to call the runtime's cursor functions five to seven times per node; each
// call copies the cursor in and out of a transfer buffer and redoes work (alias and field look-ups, walking back
// up through hidden nodes). Here the same walk is done in JavaScript over tree-sitter's own records: a subtree
// is 8 bytes, either a small leaf packed inline or the address of a heap record whose children sit just before
// it; the language's alias sequences, field maps and public symbols are read once into tables.
//
// It depends on the memory layout of the pinned web-tree-sitter runtime (wasm32) and of an ABI-15 grammar. It is
// only used once it has been checked: the language's symbol and field names must read back as the Language
// object gives them, and a walk of a sample covering aliases, fields, extras, errors and missing nodes must say
// exactly what the runtime's own cursor says (`memoryCursor` returns undefined otherwise, and the copy calls
// the runtime). test/engine/syntax.test.ts compares every node of real and broken files with tree-sitter's API.
import type { CursorBinding } from './syntax';

/** The runtime's cursor functions, done in JavaScript; `reset` starts a walk at a tree's root (the TSTree address). */
export interface MemoryCursor extends CursorBinding {
  reset(treeAddress: number): void;
}

/** What the walk needs of the Emscripten module object: views of its memory (replaced when memory grows). */
interface Heap {
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
}

// TSLanguage (ABI 15, wasm32): byte offsets of the fields read
const LANG_ABI = 0;
const LANG_SYMBOL_COUNT = 4;
const LANG_ALIAS_COUNT = 8;
const LANG_PRODUCTION_COUNT = 28;
const LANG_FIELD_COUNT = 32;
const LANG_MAX_ALIAS_LENGTH = 36; // uint16
const LANG_SYMBOL_NAMES = 56;
const LANG_FIELD_NAMES = 60;
const LANG_FIELD_MAP_SLICES = 64; // {uint16 index, uint16 length} per production
const LANG_FIELD_MAP_ENTRIES = 68; // {uint16 field, uint8 child index, bool inherited}
const LANG_PUBLIC_SYMBOLS = 76; // uint16 per symbol
const LANG_ALIAS_SEQUENCES = 84; // uint16 per (production, structural child)
const ABI = 15;
// TSTree: the root subtree, then the language
const TREE_LANGUAGE = 8;
// a subtree's heap record
const H_PADDING_BYTES = 4;
const H_SIZE_BYTES = 16;
const H_CHILD_COUNT = 36;
const H_SYMBOL = 40; // uint16
const H_FLAGS = 44; // bit 0 visible, 2 extra; byte 45 bit 1 missing
const H_VISIBLE_CHILD_COUNT = 48;
const H_PRODUCTION = 66; // uint16
// an inline subtree: byte 0 bit 0 inline, 1 visible, 3 extra, 5 missing; byte 1 symbol; byte 6 padding bytes; byte 7 size bytes
const ERROR_SYMBOL = 65535;
const MAX_CHILD = 256; // a field map's child index is a uint8

/** A language's tables, read once. */
interface Tables {
  maxAlias: number;
  /** alias symbol by production * maxAlias + structural child index (0: none) */
  aliases: Uint16Array;
  /** field id by production * MAX_CHILD + structural child index (0: none): the first entry not inherited */
  fields: Uint16Array;
  publicSymbols: Uint16Array;
}

function cString(u8: Uint8Array, at: number): string {
  let end = at;
  while (u8[end] !== 0 && end < u8.length) end++;
  return Buffer.from(u8.buffer, u8.byteOffset + at, end - at).toString('latin1');
}

/** Reads the language's tables, or undefined when its record does not read as expected. */
function readTables(heap: Heap, address: number, types: readonly (string | null | undefined)[], fieldNames: readonly (string | null)[]): Tables | undefined {
  const u8 = heap.HEAPU8;
  const u16 = heap.HEAPU16;
  const u32 = heap.HEAPU32;
  const word = (at: number) => u32[at >>> 2];
  if (address <= 0 || address % 4 !== 0 || word(address + LANG_ABI) !== ABI) return undefined;
  const symbols = word(address + LANG_SYMBOL_COUNT) + word(address + LANG_ALIAS_COUNT);
  const productions = word(address + LANG_PRODUCTION_COUNT);
  const fieldCount = word(address + LANG_FIELD_COUNT);
  const maxAlias = u16[(address + LANG_MAX_ALIAS_LENGTH) >>> 1];
  if (symbols > 65535 || productions > 65535 || fieldCount + 1 !== fieldNames.length) return undefined;
  // the names must read back as the Language object has them
  const names = word(address + LANG_SYMBOL_NAMES);
  for (let id = 0; id < types.length && id < symbols; id++) {
    const t = types[id];
    if (t && cString(u8, word(names + 4 * id)) !== t) return undefined;
  }
  const fieldNamesAt = word(address + LANG_FIELD_NAMES);
  for (let id = 1; id <= fieldCount; id++) if (cString(u8, word(fieldNamesAt + 4 * id)) !== fieldNames[id]) return undefined;
  const publicAt = word(address + LANG_PUBLIC_SYMBOLS) >>> 1;
  const publicSymbols = u16.slice(publicAt, publicAt + symbols);
  const aliasesAt = word(address + LANG_ALIAS_SEQUENCES) >>> 1;
  const aliases = maxAlias ? u16.slice(aliasesAt, aliasesAt + productions * maxAlias) : new Uint16Array(0);
  const fields = new Uint16Array(productions * MAX_CHILD);
  if (fieldCount > 0) {
    const slices = word(address + LANG_FIELD_MAP_SLICES);
    const entries = word(address + LANG_FIELD_MAP_ENTRIES);
    for (let p = 0; p < productions; p++) {
      const index = u16[(slices + 4 * p) >>> 1];
      const length = u16[(slices + 4 * p + 2) >>> 1];
      // the walk counts structural children under production 0 as tree-sitter does not: it must have no fields
      if (p === 0 && length !== 0) return undefined;
      for (let e = index; e < index + length; e++) {
        const at = entries + 4 * e;
        const field = u16[at >>> 1];
        const child = u8[at + 2];
        const inherited = u8[at + 3];
        if (!inherited && fields[p * MAX_CHILD + child] === 0) fields[p * MAX_CHILD + child] = field;
      }
    }
  }
  return { maxAlias, aliases, fields, publicSymbols };
}

/**
 * A cursor over trees of `language` that reads memory, once checked against the runtime's own cursor
 * (`check`: walks a sample tree with both and says whether they agree); undefined when the layout is not the
 * one this module knows.
 */
export function memoryCursor(
  heap: Partial<Heap>,
  language: { 0?: unknown; types: readonly (string | null | undefined)[]; fields: readonly (string | null)[] },
  check: (cursor: MemoryCursor) => boolean,
): MemoryCursor | undefined {
  if (!(heap.HEAPU8 instanceof Uint8Array) || !(heap.HEAPU16 instanceof Uint16Array) || !(heap.HEAPU32 instanceof Uint32Array)) return undefined;
  const address = language[0];
  if (typeof address !== 'number') return undefined;
  let tables: Tables | undefined;
  try {
    tables = readTables(heap as Heap, address, language.types, language.fields);
  } catch {
    return undefined;
  }
  if (!tables) return undefined;
  const cursor = makeCursor(heap as Heap, address, tables);
  try {
    return check(cursor) ? cursor : undefined;
  } catch {
    return undefined;
  }
}

function makeCursor(heap: Heap, languageAddress: number, tables: Tables): MemoryCursor {
  const { maxAlias, aliases, fields, publicSymbols } = tables;
  let u8 = heap.HEAPU8;
  let u16 = heap.HEAPU16;
  let u32 = heap.HEAPU32;
  // The stack of entries from the root to the current node, hidden nodes included, as tree-sitter's cursor
  // keeps it: the subtree (the address of its 8-byte slot), its start and end in bytes, its child index and
  // structural child index in its parent. What the copy asks of the current node is worked out when it is
  // pushed: its public type (alias applied), its field (looked up through hidden ancestors), and whether it is
  // hidden (neither visible nor aliased). The hot paths read memory in line rather than through helpers: the
  // engine runs V8 with a small inlining budget (v8Flags.ts).
  let slots = new Int32Array(64);
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let childIndex = new Int32Array(64);
  let structural = new Int32Array(64);
  let types = new Uint16Array(64);
  let fieldIds = new Uint16Array(64);
  let hidden = new Uint8Array(64);
  let size = 0; // entries on the stack

  const grow = () => {
    const doubled = <T extends Int32Array | Uint16Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    slots = doubled(slots);
    starts = doubled(starts);
    ends = doubled(ends);
    childIndex = doubled(childIndex);
    structural = doubled(structural);
    types = doubled(types);
    fieldIds = doubled(fieldIds);
    hidden = doubled(hidden);
  };

  /**
   * Steps through the children of the entry on top of the stack from child `ci` (structural index `si`, start
   * `position`): pushes the first that is visible (1), or the first hidden one with visible children (2: the
   * caller descends into it), as tree-sitter's cursor does; 0 when there is none. With `skipFirst` child `ci`
   * is only stepped over (goto_next_sibling starts at the entry it leaves), and with `stopIfFirstVisible` the
   * scan ends there (-1) if that child is visible (a visible ancestor's siblings are not the node's).
   */
  const scan = (ci: number, si: number, position: number, skipFirst: boolean, stopIfFirstVisible: boolean): number => {
    const parent = slots[size - 1];
    if (u8[parent] & 1) return 0; // an inline subtree is a leaf
    const record = u32[parent >>> 2];
    const n = u32[(record + H_CHILD_COUNT) >>> 2];
    if (n === 0) return 0;
    const base = record - 8 * n;
    const prod = u16[(record + H_PRODUCTION) >>> 1];
    const aliasBase = prod !== 0 ? prod * maxAlias : -1;
    const fieldBase = prod * MAX_CHILD;
    let pos = position;
    for (let i = ci; i < n; i++) {
      const c = base + 8 * i;
      const b0 = u8[c];
      let flags: number;
      let bytes: number;
      let r = 0;
      if (b0 & 1) {
        flags = b0 >> 1; // visible in bit 0, extra in bit 2, as in a heap record
        bytes = u8[c + 7];
      } else {
        r = u32[c >>> 2];
        flags = u8[r + H_FLAGS];
        bytes = u32[(r + H_SIZE_BYTES) >>> 2];
      }
      let visible = flags & 1;
      const isExtra = (flags >> 2) & 1;
      const entrySi = si;
      let alias = 0;
      if (!isExtra) {
        if (aliasBase >= 0 && si < maxAlias) {
          alias = aliases[aliasBase + si];
          if (alias !== 0) visible = 1;
        }
        si++;
      }
      const entryPos = pos;
      pos += bytes;
      if (i + 1 < n) {
        const next = c + 8;
        pos += u8[next] & 1 ? u8[next + 6] : u32[(u32[next >>> 2] + H_PADDING_BYTES) >>> 2];
      }
      if (i === ci && skipFirst) {
        if (visible && stopIfFirstVisible) return -1;
        continue;
      }
      const descend = !visible && r !== 0 && u32[(r + H_CHILD_COUNT) >>> 2] > 0 && u32[(r + H_VISIBLE_CHILD_COUNT) >>> 2] > 0;
      if (!visible && !descend) continue;
      // push the child
      if (size === slots.length) grow();
      const k = size++;
      slots[k] = c;
      starts[k] = entryPos;
      ends[k] = entryPos + bytes;
      childIndex[k] = i;
      structural[k] = entrySi;
      hidden[k] = visible ? 0 : 1;
      const symbol = alias !== 0 ? alias : b0 & 1 ? u8[c + 1] : u16[(r + H_SYMBOL) >>> 1];
      types[k] = symbol === ERROR_SYMBOL ? symbol : publicSymbols[symbol];
      // its field: its own in the parent's field map, else (under a hidden parent) the parent's; none for an extra
      let field = 0;
      if (!isExtra) {
        if (prod !== 0 && entrySi < MAX_CHILD) field = fields[fieldBase + entrySi];
        if (field === 0 && k >= 2 && hidden[k - 1]) field = fieldIds[k - 1];
      }
      fieldIds[k] = field;
      return visible ? 1 : 2;
    }
    return 0;
  };

  const gotoFirstChild = (): number => {
    for (;;) {
      const r = scan(0, 0, starts[size - 1], false, false);
      if (r !== 2) return r;
    }
  };

  const gotoNextSibling = (): number => {
    const initial = size;
    while (size > 1) {
      size--;
      const above = size + 1 < initial;
      const r = scan(childIndex[size], structural[size], starts[size], true, above);
      if (r === 1) return 1;
      if (r === 2) {
        gotoFirstChild();
        return 1;
      }
      if (r === -1) break;
    }
    size = initial;
    return 0;
  };

  const gotoParent = (): number => {
    for (let i = size - 2; i >= 0; i--) {
      if (!hidden[i]) {
        size = i + 1;
        return 1;
      }
    }
    return 0;
  };

  return {
    reset(treeAddress: number) {
      if (u8.buffer !== heap.HEAPU8.buffer) {
        u8 = heap.HEAPU8;
        u16 = heap.HEAPU16;
        u32 = heap.HEAPU32;
      }
      if (u32[(treeAddress + TREE_LANGUAGE) >>> 2] !== languageAddress) throw new Error('a tree of another language');
      const s = treeAddress; // the root subtree is the tree's first field
      const inline = u8[s] & 1;
      const record = u32[s >>> 2];
      const padding = inline ? u8[s + 6] : u32[(record + H_PADDING_BYTES) >>> 2];
      const bytes = inline ? u8[s + 7] : u32[(record + H_SIZE_BYTES) >>> 2];
      const symbol = inline ? u8[s + 1] : u16[(record + H_SYMBOL) >>> 1];
      const visible = inline ? (u8[s] >> 1) & 1 : u8[record + H_FLAGS] & 1;
      size = 1;
      slots[0] = s;
      starts[0] = padding;
      ends[0] = padding + bytes;
      childIndex[0] = 0;
      structural[0] = 0;
      hidden[0] = visible ? 0 : 1;
      types[0] = symbol === ERROR_SYMBOL ? symbol : publicSymbols[symbol];
      fieldIds[0] = 0;
    },
    _ts_tree_cursor_goto_first_child_wasm: gotoFirstChild,
    _ts_tree_cursor_goto_next_sibling_wasm: gotoNextSibling,
    _ts_tree_cursor_goto_parent_wasm: gotoParent,
    _ts_tree_cursor_current_node_type_id_wasm: () => types[size - 1],
    _ts_tree_cursor_current_field_id_wasm: () => fieldIds[size - 1],
    // offsets in UTF-16 code units: the runtime parses UTF-16, two bytes each
    _ts_tree_cursor_start_index_wasm: () => starts[size - 1] >>> 1,
    _ts_tree_cursor_end_index_wasm: () => ends[size - 1] >>> 1,
    _ts_tree_cursor_current_node_is_missing_wasm: () => {
      const s = slots[size - 1];
      return u8[s] & 1 ? (u8[s] >> 5) & 1 : (u8[u32[s >>> 2] + H_FLAGS + 1] >> 1) & 1;
    },
  };
}
