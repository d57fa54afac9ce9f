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

/** The name of the function a statement defines (decorated or not); undefined for any other statement. */
export function functionNameOf<N extends DefinitionNode<N>>(statement: N): string | undefined {
  const def = definitionOf(statement);
  return def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
}
