/**
 * Prisma's DMMF (the parsed schema: models, fields, enums, indexes, relations) for tests, computed by
 * the very schema engine the installed `prisma` CLI uses: its `prisma_schema_build_bg.wasm`, driven
 * through the same `get_dmmf` export `@prisma/internals` calls. `@prisma/internals` itself is not a
 * dependency (a large package for one function), and the wasm's JavaScript glue is bundled inside
 * the CLI, so this is the few lines of wasm-bindgen glue that function needs.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
};
export type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
export type DmmfEnum = { name: string; dbName?: string | null; values: { name: string; dbName: string | null }[] };
export type DmmfIndex = {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
};
export type Datamodel = { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] };

type Exports = {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_malloc: (size: number, align: number) => number;
  __wbindgen_free: (ptr: number, size: number, align: number) => void;
  __wbindgen_start: () => void;
  get_dmmf: (ptr: number, len: number) => [number, number, number, number];
};

let engine: Promise<Exports> | undefined;

async function load(): Promise<Exports> {
  const cliDir = dirname(createRequire(import.meta.url).resolve("prisma/package.json"));
  const wasmModule = await WebAssembly.compile(await readFile(join(cliDir, "build", "prisma_schema_build_bg.wasm")));
  // Set once instantiated; the imports below run only after that.
  const instance: { exports?: Exports } = {};
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(instance.exports!.memory.buffer, ptr >>> 0, len >>> 0));
  // The imports wasm-bindgen generated, by name prefix (their suffixes are hashes that change per build).
  const glue: Record<string, (...args: number[]) => unknown> = {
    __wbg_Error_: (ptr, len) => new Error(text(ptr, len)),
    __wbg___wbindgen_throw_: (ptr, len) => {
      throw new Error(text(ptr, len));
    },
    __wbg_set_message_: (ptr, len) => {
      throw new Error(`prisma schema engine panicked: ${text(ptr, len)}`);
    },
    __wbindgen_init_externref_table: () => {
      const table = instance.exports!.__wbindgen_externrefs;
      const offset = table.grow(4);
      table.set(0, undefined);
      table.set(offset, undefined);
      table.set(offset + 1, null);
      table.set(offset + 2, true);
      table.set(offset + 3, false);
    },
  };
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const wanted of WebAssembly.Module.imports(wasmModule)) {
    const prefix = Object.keys(glue).find((p) => wanted.name.startsWith(p));
    if (!prefix) throw new Error(`prisma_schema_build_bg.wasm wants an import this glue lacks: ${wanted.module}.${wanted.name}`);
    (imports[wanted.module] ??= {})[wanted.name] = glue[prefix]!;
  }
  instance.exports = (await WebAssembly.instantiate(wasmModule, imports)).exports as unknown as Exports;
  instance.exports.__wbindgen_start();
  return instance.exports;
}

/** The DMMF of a Prisma schema, as `getDMMF({ datamodel })` of `@prisma/internals` returns it. */
export async function getDMMF(schema: string): Promise<{ datamodel: Datamodel }> {
  const wasm = await (engine ??= load());
  const params = new TextEncoder().encode(JSON.stringify({ prismaSchema: [["schema.prisma", schema]], noColor: true }));
  const ptr = wasm.__wbindgen_malloc(params.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, params.length).set(params);
  const [out, len, errorRef, failed] = wasm.get_dmmf(ptr, params.length);
  if (failed) throw wasm.__wbindgen_externrefs.get(errorRef);
  try {
    return JSON.parse(new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, out >>> 0, len >>> 0)));
  } finally {
    wasm.__wbindgen_free(out, len, 1);
  }
}
