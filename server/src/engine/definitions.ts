// Class and function definitions as the Python grammar shapes them (a decorated definition wraps the one its
// decorators apply to), for tree-sitter's own nodes and the engine's copies alike.

interface DefinitionNode<N> {
  type: string;
  text: string;
  childForFieldName(name: string): N | null;
}

/** The definition a statement holds: itself, or the definition its decorators wrap. */
export function definitionOf<N extends DefinitionNode<N>>(statement: N): N | null {
  return statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
}

/** The body of the class a statement defines (decorated or not); null for any other statement. */
export function classBodyOf<N extends DefinitionNode<N>>(statement: N): N | null {
  const def = definitionOf(statement);
  return def?.type === 'class_definition' ? def.childForFieldName('body') : null;
}

/** The body of the function a statement defines (decorated or not); null for any other statement. */
export function functionBodyOf<N extends DefinitionNode<N>>(statement: N): N | null {
  const def = definitionOf(statement);
  return def?.type === 'function_definition' ? def.childForFieldName('body') : null;
}

/** The name of the function a statement defines (decorated or not); undefined for any other statement. */
export function functionNameOf<N extends DefinitionNode<N>>(statement: N): string | undefined {
  const def = definitionOf(statement);
  return def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
}

/** `def NAME` (after any decorators) at the start of a text: the method a broken member still defines. */
const BROKEN_DEFINITION = /^(?:@[^\n]*\n[ \t]*)*(?:async[ \t]+)?def[ \t]+([\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*)/u;

/**
 * The name of the method a class member defines: as functionNameOf, and for an ERROR node that starts as a
 * definition (a method being typed in, a bracket still open) the name it starts with. '' for anything else.
 */
export function memberNameOf<N extends DefinitionNode<N>>(member: N): string {
  const name = functionNameOf(member);
  if (name !== undefined) return name;
  return member.type === 'ERROR' ? (BROKEN_DEFINITION.exec(member.text)?.[1] ?? '') : '';
}
