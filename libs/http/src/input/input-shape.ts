import type { FieldError } from '@careflow/platform';
import { textProblem } from './text-rules.js';

/** Deeper than any document of the API; bounded so no later recursion (class-transformer's) can overflow the stack. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Checks raw request input (a parsed JSON body, the query object, path params) before anything
 * transforms it: nesting within MAX_INPUT_DEPTH, and every string and key acceptable text
 * (textProblem). Iterative, so a 10 000-level document costs nothing but this walk of its first
 * 33 levels. Returns the first problem with its dotted field path, or null.
 */
export function inputShapeProblem(input: unknown, root = ''): FieldError | null {
  const at = (node: Node | null, key?: string) => fieldOf(root, node, key);
  const stringProblem = (text: string, node: Node | null, key?: string): FieldError | null => {
    const problem = textProblem(text);
    return problem ? { field: at(node, key), message: `${at(node, key)} ${problem}` } : null;
  };
  if (typeof input === 'string') return stringProblem(input, null);
  if (!isContainer(input)) return null;
  // Paths are built only for the error: a 1 MB array of numbers is walked without allocating one.
  const stack: Node[] = [{ value: input, parent: null, key: '', depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.depth > MAX_INPUT_DEPTH) {
      return { field: at(node), message: `${at(node)} is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    }
    const keys = Array.isArray(node.value) ? null : Object.keys(node.value);
    const length = keys ? keys.length : (node.value as unknown[]).length;
    for (let i = 0; i < length; i++) {
      const key = keys ? keys[i]! : String(i);
      if (keys) {
        const keyProblem = textProblem(key);
        if (keyProblem) return { field: at(node, key), message: `the key of ${at(node, key)} ${keyProblem}` };
      }
      const child: unknown = (node.value as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        const problem = stringProblem(child, node, key);
        if (problem) return problem;
      } else if (isContainer(child)) {
        stack.push({ value: child, parent: node, key, depth: node.depth + 1 });
      }
    }
  }
  return null;
}

interface Node {
  value: object;
  parent: Node | null;
  key: string;
  depth: number;
}

function isContainer(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Buffer.isBuffer(value);
}

/** The dotted path of a node (and optionally one of its keys): `items.1.name`; `body` for the input itself. */
function fieldOf(root: string, node: Node | null, key?: string): string {
  const keys: string[] = key === undefined ? [] : [key];
  for (let n = node; n?.parent; n = n.parent) keys.unshift(n.key);
  if (root) keys.unshift(root);
  return keys.length > 0 ? keys.join('.') : 'body';
}
