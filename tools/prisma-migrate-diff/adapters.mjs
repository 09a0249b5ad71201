// Driver adapter factories for Prisma 6's WASM schema engine (`engine: "js"`).
//
// The WASM engine always opens the adapter when it starts and sends one probe query
// (schema exists? / version() / server_version_num). A diff between two datamodels needs
// nothing else from the database, so `offlineAdapterFactory` answers that probe and refuses
// every other query: `--from-empty` then runs with no database at all.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

const ADAPTER_NAME = "@prisma/adapter-pg";
// ColumnTypeEnum values from @prisma/driver-adapter-utils.
const BOOLEAN = 5;
const TEXT = 7;
const INT32 = 0;

function offline(what) {
  return new Error(
    `prisma-migrate-diff: the offline adapter cannot ${what}; this command needs a live database (use --from-url).`,
  );
}

const offlineAdapter = {
  provider: "postgres",
  adapterName: ADAPTER_NAME,
  async queryRaw(query) {
    if (query.sql.includes("server_version_num")) {
      return {
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [BOOLEAN, TEXT, INT32],
        rows: [[true, "PostgreSQL 15.0 (prisma-migrate-diff offline placeholder)", 150000]],
      };
    }
    throw offline(`run ${JSON.stringify(query.sql.slice(0, 80))}`);
  },
  async executeRaw(query) {
    throw offline(`run ${JSON.stringify(query.sql.slice(0, 80))}`);
  },
  async executeScript() {
    throw offline("run a script");
  },
  async startTransaction() {
    throw offline("start a transaction");
  },
  getConnectionInfo() {
    // Same as @prisma/adapter-pg without a `schema` option: the engine then uses "public".
    return { supportsRelationJoins: true };
  },
  async dispose() {},
};

/** A migration-aware adapter factory that never touches the network. */
export function offlineAdapterFactory() {
  return {
    provider: "postgres",
    adapterName: ADAPTER_NAME,
    async connect() {
      return offlineAdapter;
    },
    async connectToShadowDb() {
      throw offline("create a shadow database");
    },
  };
}

// @prisma/adapter-pg 6.19.x rejects result columns of PostgreSQL's `name` type (OID 19), which
// the schema engine's catalog queries return: describing a database fails with "Column type
// 'name' could not be deserialized from the database". @prisma/adapter-pg 7 reads `name` as
// text; this client does the same for 6.19 by relabelling such columns as `text` (OID 25) before
// the adapter maps types. The values are strings either way.
const RELABEL_OIDS = new Map([[19, 25], [18, 25]]);

function relabel(result) {
  if (Array.isArray(result)) return result.map(relabel);
  for (const field of result?.fields ?? []) {
    const to = RELABEL_OIDS.get(field.dataTypeID);
    if (to !== undefined) field.dataTypeID = to;
  }
  return result;
}

class NameAsTextClient extends pg.Client {
  query(config, values, callback) {
    if (config && typeof config.submit === "function") return super.query(config, values, callback);
    if (typeof values === "function") [values, callback] = [undefined, values];
    if (typeof callback === "function") {
      return super.query(config, values, (error, result) => callback(error, error ? result : relabel(result)));
    }
    return super.query(config, values).then(relabel);
  }
}

/**
 * @prisma/adapter-pg for a postgres:// URL. A `?schema=` parameter (Prisma's convention) is
 * taken out of the URL, since node-postgres does not know it, and handed to the adapter.
 */
export function pgAdapterFactory(url) {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return new PrismaPg({ connectionString: parsed.toString(), Client: NameAsTextClient }, schema ? { schema } : undefined);
}
