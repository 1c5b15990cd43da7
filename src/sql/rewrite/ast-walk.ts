/**
 * A post-order walk over a libpg-query tree in which a rule may replace any wrapped node
 * (`{ Type: fields }`). Rules see children already rewritten, so nested casts such as
 * `c.oid::regclass::text` rewrite from the inside out.
 */
import type { Node } from 'libpg-query';
import { unwrap, type Fields } from './nodes.js';

export type Rule = (type: string, fields: Fields, node: Node) => Node | undefined;

export function walk(value: unknown, rule: Rule): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, rule));
  if (value === null || typeof value !== 'object') return value;
  const wrapped = unwrap(value);
  const fields = wrapped ? wrapped[1] : (value as Fields);
  for (const key of Object.keys(fields)) fields[key] = walk(fields[key], rule);
  if (!wrapped) return value;
  return rule(wrapped[0], wrapped[1], value as Node) ?? value;
}
