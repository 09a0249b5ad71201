/**
 * Where an input schema takes strings: read from its JSON Schema (Zod's public `z.toJSONSchema`),
 * so a test can put a NUL in each one without knowing the schema's fields.
 */
import { z } from "zod";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
};

/** A string position: the path to it (object keys, array indexes), [] for the input itself. */
export type StringPath = (string | number)[];

/** Free text, or one of a closed set of strings (an enum, a literal), which no NUL can be. */
export type StringField = { path: StringPath; free: boolean };

const takesStrings = (schema: JsonSchema) => schema.type === "string" || (Array.isArray(schema.type) && schema.type.includes("string"));

function walk(schema: JsonSchema, path: StringPath, found: StringField[]) {
  if (takesStrings(schema)) found.push({ path, free: schema.enum === undefined && schema.const === undefined });
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) walk(option, path, found);
  for (const [key, property] of Object.entries(schema.properties ?? {})) walk(property, [...path, key], found);
  if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties, [...path, "someKey"], found);
  schema.prefixItems?.forEach((item, index) => walk(item, [...path, index], found));
  if (schema.items) walk(schema.items, [...path, schema.prefixItems?.length ?? 0], found);
}

/** Every position of `schema`'s input where a string is accepted, each once (free text wins). */
export function inputStrings(schema: z.ZodType): StringField[] {
  const found: StringField[] = [];
  walk(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema, [], found);
  const unique = new Map<string, StringField>();
  for (const field of found) {
    const key = JSON.stringify(field.path);
    unique.set(key, { path: field.path, free: field.free || (unique.get(key)?.free ?? false) });
  }
  return [...unique.values()];
}

/** `base` with `value` put at `path` (objects and arrays made on the way). */
export function withValueAt(base: unknown, path: StringPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy: unknown = Array.isArray(base) ? [...base] : typeof base === "object" && base !== null ? { ...base } : typeof head === "number" ? [] : {};
  const container = copy as Record<string | number, unknown>;
  container[head!] = withValueAt(container[head!], rest, value);
  return container;
}
