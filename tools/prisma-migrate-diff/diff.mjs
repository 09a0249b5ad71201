#!/usr/bin/env node
// Offline `prisma migrate diff` for the app's Prisma 7 schema, computed by Prisma 6.19.3's WASM
// schema engine (Prisma 7's native schema engine cannot be downloaded here). Run it through
// diff.sh, which installs this folder's dependencies first. See README.md.
//
//   diff.sh --from-empty          [--schema FILE]   full CREATE script for the schema (exit 0)
//   diff.sh --from-url URL        [--schema FILE]   SQL taking that database to the schema:
//                                                    no output + exit 0 = in sync, exit 2 = differs
// Errors exit 1. SQL goes to stdout, everything else to stderr.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const toolDir = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const DEFAULT_SCHEMA = resolve(toolDir, "../../prisma/schema.prisma");
const PLACEHOLDER_URL = "postgresql://localhost/prisma-migrate-diff-unused";

const USAGE = `usage: diff.sh --from-empty [--schema FILE]
       diff.sh --from-url <postgres url> [--schema FILE]
  --from-empty  print the SQL that creates the schema from an empty database (exit 0)
  --from-url    print the SQL that takes that database to the schema;
                exit 0 with no output when they match, exit 2 when they differ
  --schema      Prisma schema file (default: ${DEFAULT_SCHEMA})`;

class ToolError extends Error {
  constructor(message, { keepTmp = false } = {}) {
    super(message);
    this.keepTmp = keepTmp;
  }
}

function fail(message, options) {
  throw new ToolError(message, options);
}

function parseArgs(argv) {
  const opts = { mode: null, url: null, schema: DEFAULT_SCHEMA };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value\n${USAGE}`);
    if (flag === "--from-empty") opts.mode = opts.mode ? fail(`give only one --from-...\n${USAGE}`) : "empty";
    else if (flag === "--from-url") {
      if (opts.mode) fail(`give only one --from-...\n${USAGE}`);
      opts.mode = "url";
      opts.url = value();
    } else if (flag === "--schema") opts.schema = resolve(value());
    else if (flag === "-h" || flag === "--help") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if (!opts.mode) fail(`give --from-empty or --from-url\n${USAGE}`);
  return opts;
}

/**
 * Adapts a Prisma 7 schema for Prisma 6, touching only the config blocks:
 * - generator blocks are dropped (Prisma 7's `prisma-client` options such as moduleFormat or
 *   runtime mean nothing to a diff); their previewFeatures, which can change the SQL, are kept
 *   on one stand-in `prisma-client-js` generator;
 * - Prisma 6 requires `url` in the datasource (Prisma 7 keeps it in prisma.config.ts), so a
 *   placeholder is added; it is never connected to.
 * Models, enums, views and types are copied byte for byte.
 */
export function adaptSchemaForPrisma6(text) {
  const lines = text.split("\n");
  const out = [];
  const previewFeatures = new Set();
  let sawDatasource = false;
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(generator|datasource)\s+\w+\s*\{\s*(\/\/.*)?$/.exec(lines[i]);
    if (!open) {
      out.push(lines[i]);
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^\s*\}\s*(\/\/.*)?$/.test(lines[end])) end++;
    if (end >= lines.length) fail(`unterminated ${open[1]} block at line ${i + 1}`);
    const body = lines.slice(i + 1, end);
    if (open[1] === "generator") {
      const joined = body.map((l) => l.replace(/\/\/.*$/, "")).join(" ");
      const m = /previewFeatures\s*=\s*\[([^\]]*)\]/.exec(joined);
      if (m) for (const f of m[1].matchAll(/"([^"]+)"/g)) previewFeatures.add(f[1]);
      // Same number of lines, so that line numbers in Prisma's messages match the original file.
      out.push(`// (generator block removed by prisma-migrate-diff)`, ...body.map(() => ""), "");
    } else {
      sawDatasource = true;
      out.push(lines[i], ...body);
      if (!body.some((l) => /^\s*url\s*=/.test(l))) {
        out.push(`  url = "${PLACEHOLDER_URL}"`);
        // Take the place of a blank line after the block, if there is one (line numbers again).
        if (end + 1 < lines.length && lines[end + 1].trim() === "") {
          out.push(lines[end]);
          i = end + 1;
          continue;
        }
      }
      out.push(lines[end]);
    }
    i = end;
  }
  if (!sawDatasource) fail("the schema has no datasource block");
  if (previewFeatures.size > 0) {
    out.push(
      "",
      "generator prisma_migrate_diff {",
      '  provider        = "prisma-client-js"',
      `  previewFeatures = [${[...previewFeatures].map((f) => JSON.stringify(f)).join(", ")}]`,
      "}",
    );
  }
  return out.join("\n");
}

/** Environment that keeps the Prisma 6 CLI from trying to download native engines. */
function offlineEnv(tmp) {
  const stub = join(tmp, "no-native-engine");
  writeFileSync(stub, "#!/bin/sh\nexit 1\n");
  chmodSync(stub, 0o755);
  const env = { ...process.env };
  delete env.PMD_DATABASE_URL;
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: stub,
    PRISMA_QUERY_ENGINE_LIBRARY: stub,
    PRISMA_QUERY_ENGINE_BINARY: stub,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    PRISMA_DISABLE_WARNINGS: "1",
  };
}

/** (a) The Prisma 6.19.3 CLI itself: `prisma migrate diff --from-empty --to-schema-datamodel`. */
function diffFromEmpty(schemaFile, tmp) {
  const cli = join(dirname(require.resolve("prisma/package.json")), "build", "index.js");
  const result = spawnSync(
    process.execPath,
    [cli, "migrate", "diff", "--config", join(toolDir, "prisma.config.ts"), "--from-empty", "--to-schema-datamodel", schemaFile, "--script"],
    { cwd: toolDir, env: offlineEnv(tmp), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const stderr = (result.stderr ?? "").replace(/^Loaded Prisma config from .*\n\n?/m, "");
  if (result.error) fail(`could not run the Prisma CLI: ${result.error.message}`);
  if (result.status !== 0) {
    process.stderr.write(stderr);
    fail(
      `prisma migrate diff failed (exit ${result.status}). The file named above is the Prisma 6 copy of ` +
        `the schema (kept at ${schemaFile}); its line numbers match the original's.`,
      { keepTmp: true },
    );
  }
  if (stderr.trim()) process.stderr.write(stderr);
  // The CLI prints the engine's script and then the command's (empty) return value with
  // console.log, i.e. one extra "\n". Drop it: the output is then the engine's script exactly,
  // as in --from-url mode and as `prisma migrate dev` would write it.
  process.stdout.write(result.stdout.endsWith("\n\n") ? result.stdout.slice(0, -1) : result.stdout);
  return 0;
}

/** Loads the WASM schema engine Prisma 6.19.3 bundles (same build, published on its own). */
async function loadSchemaEngine() {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: "",
    set_message(m) {
      this.message = `RuntimeError: ${m}`;
    },
  };
  const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmFile = join(dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return glue.SchemaEngine;
}

/**
 * (b) Live database -> schema. Prisma 6's CLI refuses --from-url and --from-schema-datasource
 * when `engine: "js"`, but its WASM engine supports the same diff through the driver adapter
 * (DiffTarget "schemaDatasource" reads the connected database, as Prisma 7's
 * --from-config-datasource does), so this calls the engine directly.
 */
async function diffFromUrl(url, schemaFile, content) {
  if (!/^postgres(ql)?:\/\//.test(url)) fail("--from-url needs a postgres:// or postgresql:// URL");
  const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
  const { pgAdapterFactory } = await import("./adapters.mjs");
  const SchemaEngine = await loadSchemaEngine();
  const factory = bindMigrationAwareSqlAdapterFactory(pgAdapterFactory(url));
  const files = [{ path: schemaFile, content }];
  let engine;
  try {
    engine = await SchemaEngine.new({ datamodels: [[schemaFile, content]] }, () => {}, factory);
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files, configDir: dirname(schemaFile) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      shadowDatabaseUrl: null,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    if (result.exitCode === 2) process.stdout.write(result.stdout ?? "");
    else process.stderr.write("prisma-migrate-diff: no difference between the database and the schema\n");
    return result.exitCode;
  } catch (error) {
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY.message;
    const detail = error?.message ?? String(error);
    fail(`diff against the database failed: ${panic || detail}${error?.code ? ` (${error.code})` : ""}`);
  } finally {
    engine?.free();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let content;
  try {
    content = readFileSync(opts.schema, "utf8");
  } catch (error) {
    fail(`cannot read ${opts.schema}: ${error.message}`);
  }
  const adapted = adaptSchemaForPrisma6(content);
  const tmp = mkdtempSync(join(tmpdir(), "prisma-migrate-diff-"));
  let keepTmp = false;
  try {
    const schemaFile = join(tmp, basename(opts.schema));
    writeFileSync(schemaFile, adapted);
    return opts.mode === "empty" ? diffFromEmpty(schemaFile, tmp) : await diffFromUrl(opts.url, schemaFile, adapted);
  } catch (error) {
    keepTmp = Boolean(error?.keepTmp);
    throw error;
  } finally {
    if (!keepTmp) rmSync(tmp, { recursive: true, force: true });
  }
}

// The pg pool inside the adapter would keep the process alive: exit explicitly, once stdout is flushed.
const exit = (code) => process.stdout.write("", () => process.exit(code));
main().then(
  (code) => exit(code ?? 0),
  (error) => {
    process.stderr.write(`prisma-migrate-diff: ${error instanceof ToolError ? error.message : (error?.stack ?? error)}\n`);
    exit(1);
  },
);
