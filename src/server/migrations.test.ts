/**
 * The committed migrations: applied in order onto an empty database, recorded in _prisma_migrations as
 * `prisma migrate deploy` records them (checksum = SHA-256 of the file), a no-op when applied again,
 * and producing exactly the database prisma/schema.prisma describes, compared through Prisma's own
 * DMMF: tables, columns (type, nullability, database default), enums (values in order), indexes
 * (columns, order, uniqueness) and foreign keys (columns, target, actions), in both directions.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { getDMMF, type Datamodel, type DmmfField, type DmmfModel } from "@/test/prisma-dmmf";
import { migrate } from "./migrations";

const MIGRATIONS_DIR = join(process.cwd(), "prisma", "migrations");
const committed = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => {
    const bytes = readFileSync(join(MIGRATIONS_DIR, name, "migration.sql"));
    return { name, checksum: createHash("sha256").update(bytes).digest("hex") };
  });

let t: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  t = await createTestDatabase();
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await t?.close();
});

const query = async <T,>(sql: string) => (await client.query(sql)).rows as T[];
const recorded = () =>
  query<{ id: string; migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number; logs: string | null }>(
    `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`,
  );

describe("migrate()", () => {
  it("applies every committed migration, in order, to an empty database", async () => {
    expect(committed.length).toBeGreaterThan(0);
    await client.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`);
    expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([]);
    const result = await migrate(t.url);
    expect(result).toEqual({ applied: committed.map((m) => m.name), alreadyApplied: 0 });
  });

  it("records each in _prisma_migrations with the SHA-256 of its file, finished and not rolled back", async () => {
    const rows = await recorded();
    expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(committed);
    for (const row of rows) {
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is a no-op the second time: nothing applied, nothing recorded, the schema unchanged", async () => {
    const rowsBefore = await recorded();
    const catalogBefore = await catalog();
    expect(await migrate(t.url)).toEqual({ applied: [], alreadyApplied: committed.length });
    expect(await recorded()).toEqual(rowsBefore);
    expect(await catalog()).toEqual(catalogBefore);
  });
});

// ---------------------------------------------------------------------------------------------------
// The live catalog, and the same shape derived from the DMMF.

type Column = { type: string; nullable: boolean; hasDefault: boolean };
type Catalog = {
  tables: string[];
  columns: Record<string, Column>; // "Table.column"
  enums: Record<string, string[]>;
  indexes: string[]; // "Table: PRIMARY|UNIQUE|INDEX (a, b DESC)"
  foreignKeys: string[]; // "Table(a, b) -> Other(x, y) ON DELETE … ON UPDATE …"
};

const ACTIONS: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };

async function catalog(): Promise<Catalog> {
  const tables = await query<{ name: string }>(`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`);
  // A generated column's expression is what Prisma reads as its default (`@default(dbgenerated(…))`).
  const columns = await query<{ table: string; column: string; udt: string; precision: number | null; nullable: string; default: string | null }>(`
    SELECT table_name AS "table", column_name AS "column", udt_name AS udt, datetime_precision AS "precision",
           is_nullable AS nullable, COALESCE(column_default, generation_expression) AS "default"
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
  const enumValues = await query<{ name: string; value: string }>(`
    SELECT t.typname::text AS name, e.enumlabel::text AS value FROM pg_type t
    JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder`);
  const indexColumns = await query<{ table: string; index: string; unique: boolean; primary: boolean; partial: boolean; column: string | null; desc: boolean }>(`
    SELECT t.relname::text AS "table", ic.relname::text AS "index", i.indisunique AS "unique", i.indisprimary AS "primary",
           (i.indpred IS NOT NULL OR i.indexprs IS NOT NULL) AS partial,
           a.attname::text AS "column", (i.indoption[k.ord - 1] & 1) = 1 AS "desc"
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
    ORDER BY t.relname, ic.relname, k.ord`);
  const fks = await query<{ table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string }>(`
    SELECT t.relname::text AS "table", rt.relname::text AS "refTable",
           con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate",
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns"
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class rt ON rt.oid = con.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND n.nspname = 'public'`);

  const enums: Record<string, string[]> = {};
  for (const { name, value } of enumValues) (enums[name] ??= []).push(value);

  const byIndex = new Map<string, typeof indexColumns>();
  for (const row of indexColumns) byIndex.set(`${row.table}.${row.index}`, [...(byIndex.get(`${row.table}.${row.index}`) ?? []), row]);
  const indexes = [...byIndex.values()].map((cols) => {
    const [first] = cols;
    if (first!.partial || cols.some((c) => c.column === null)) return `${first!.table}: unsupported expression or partial index ${first!.index}`;
    return indexSignature(first!.table, first!.primary ? "PRIMARY" : first!.unique ? "UNIQUE" : "INDEX", cols.map((c) => [c.column!, c.desc] as const));
  });

  return {
    tables: tables.map((r) => r.name),
    columns: Object.fromEntries(
      columns.map((c) => [
        `${c.table}.${c.column}`,
        { type: c.udt === "timestamp" ? `timestamp(${c.precision})` : c.udt, nullable: c.nullable === "YES", hasDefault: c.default !== null },
      ]),
    ),
    enums,
    indexes: indexes.sort(),
    foreignKeys: fks.map((fk) => fkSignature(fk.table, fk.columns, fk.refTable, fk.refColumns, ACTIONS[fk.onDelete]!, ACTIONS[fk.onUpdate]!)).sort(),
  };
}

const indexSignature = (table: string, kind: string, columns: readonly (readonly [string, boolean])[]) =>
  `${table}: ${kind} (${columns.map(([name, desc]) => (desc ? `${name} DESC` : name)).join(", ")})`;
const fkSignature = (table: string, columns: string[], refTable: string, refColumns: string[], onDelete: string, onUpdate: string) =>
  `${table}(${columns.join(", ")}) -> ${refTable}(${refColumns.join(", ")}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`;

/** How Prisma's PostgreSQL connector stores each scalar type when no @db attribute says otherwise. */
const SCALAR_TYPES: Record<string, string> = {
  String: "text", Int: "int4", BigInt: "int8", Float: "float8", Decimal: "numeric", Boolean: "bool",
  DateTime: "timestamp(3)", Json: "jsonb", Bytes: "bytea",
};
/** Defaults Prisma Client fills in itself; every other @default is the column's DEFAULT. */
const CLIENT_SIDE_DEFAULTS = new Set(["cuid", "uuid", "nanoid", "ulid"]);

/**
 * `Unsupported("…")` fields (the search tsvectors), which the DMMF leaves out of its models though
 * their indexes stay in it: read from the schema's text, as scalar fields of that database type.
 */
function unsupportedFields(schema: string): Map<string, DmmfField[]> {
  const byModel = new Map<string, DmmfField[]>();
  for (const [, model, body] of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const [, name, type, optional, rest] of body!.matchAll(/^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?(.*)$/gm)) {
      const field = {
        name: name!, dbName: /@map\("([^"]+)"\)/.exec(rest!)?.[1] ?? null, kind: "unsupported", type: type!, isList: false,
        isRequired: !optional, isId: false, isUnique: false, isUpdatedAt: false, hasDefaultValue: rest!.includes("@default("),
      } satisfies DmmfField;
      byModel.set(model!, [...(byModel.get(model!) ?? []), field]);
    }
  }
  return byModel;
}

function expectedCatalog(datamodel: Datamodel, unsupported: Map<string, DmmfField[]>): Catalog {
  datamodel = { ...datamodel, models: datamodel.models.map((m) => ({ ...m, fields: [...m.fields, ...(unsupported.get(m.name) ?? [])] })) };
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
  const columnOf = (model: DmmfModel, field: string) => {
    const found = model.fields.find((f) => f.name === field);
    if (!found) throw new Error(`${model.name}.${field} is not a field`);
    return found.dbName ?? found.name;
  };
  const enumDbName = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const columnType = (field: DmmfField) => {
    if (field.nativeType?.[0] === "VarChar") return "varchar";
    if (field.nativeType) throw new Error(`${field.name}: @db.${field.nativeType[0]} is not mapped in this test yet; add it to SCALAR_TYPES`);
    if (field.kind === "enum") return enumDbName.get(field.type)!;
    if (field.kind === "unsupported") return field.type;
    const type = SCALAR_TYPES[field.type];
    if (!type) throw new Error(`${field.name}: scalar type ${field.type} is not mapped in this test yet`);
    return field.isList ? `_${type}` : type;
  };
  const dbDefault = (field: DmmfField) => {
    if (!field.hasDefaultValue) return false;
    const value = field.default as { name?: string } | undefined;
    return !(value && typeof value === "object" && value.name && CLIENT_SIDE_DEFAULTS.has(value.name));
  };

  const columns: Record<string, Column> = {};
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== "scalar" && field.kind !== "enum" && field.kind !== "unsupported") continue;
      columns[`${tableOf(model)}.${field.dbName ?? field.name}`] = { type: columnType(field), nullable: !field.isRequired, hasDefault: dbDefault(field) };
    }
  }

  const indexes = datamodel.indexes.map((index) => {
    const model = models.get(index.model)!;
    const kind = index.type === "id" ? "PRIMARY" : index.type === "unique" ? "UNIQUE" : index.type === "normal" ? "INDEX" : index.type.toUpperCase();
    return indexSignature(tableOf(model), kind, index.fields.map((f) => [columnOf(model, f.name), f.sortOrder === "desc"] as const));
  });

  const foreignKeys: string[] = [];
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== "object" || !field.relationFromFields?.length) continue;
      const target = models.get(field.type)!;
      const from = field.relationFromFields;
      const optional = from.some((name) => !model.fields.find((f) => f.name === name)!.isRequired);
      // Prisma's referential-action defaults: SetNull for optional relations, Restrict for required ones; updates cascade.
      const onDelete = field.relationOnDelete ?? (optional ? "SetNull" : "Restrict");
      const onUpdate = field.relationOnUpdate ?? "Cascade";
      foreignKeys.push(fkSignature(
        tableOf(model), from.map((f) => columnOf(model, f)), tableOf(target), field.relationToFields!.map((f) => columnOf(target, f)), onDelete, onUpdate,
      ));
    }
  }

  return {
    tables: datamodel.models.map(tableOf).sort(),
    columns,
    enums: Object.fromEntries(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)])),
    indexes: indexes.sort(),
    foreignKeys: foreignKeys.sort(),
  };
}

describe("the migrated database matches prisma/schema.prisma (through Prisma's DMMF)", () => {
  let live: Catalog;
  let expected: Catalog;
  beforeAll(async () => {
    const schema = readFileSync(join(process.cwd(), "prisma", "schema.prisma"), "utf8");
    const { datamodel } = await getDMMF(schema);
    expected = expectedCatalog(datamodel, unsupportedFields(schema));
    live = await catalog();
  });

  it("reads a non-trivial DMMF", () => {
    expect(expected.tables).toEqual(expect.arrayContaining(["User", "Bot", "ChatSession", "Message"]));
    expect(expected.indexes.length).toBeGreaterThan(expected.tables.length);
    expect(expected.foreignKeys.length).toBeGreaterThan(0);
  });

  it("has a table for every model, and no other", () => {
    expect(live.tables).toEqual(expected.tables);
  });

  it("has a column for every scalar field with its type, nullability and database default, and no other", () => {
    expect(live.columns).toEqual(expected.columns);
  });

  it("has every enum with exactly its values, in order (online sorts before offline and disabled)", () => {
    expect(live.enums).toEqual(expected.enums);
  });

  it("has an index for every @id, @unique, @@unique and @@index, on those columns in that order, and no other", () => {
    expect(live.indexes).toEqual(expected.indexes);
  });

  it("has a foreign key for every relation, to the right columns with the right actions, and no other", () => {
    expect(live.foreignKeys).toEqual(expected.foreignKeys);
  });
});
