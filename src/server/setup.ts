import { createBoss, prepareQueues } from "./agents/dispatcher";
import { migrate, type MigrateResult } from "./migrations";

/**
 * Everything a database needs before an instance serves from it: the app's migrations, then
 * pg-boss's schema and the job queues, all under the migration lock, so instances starting together
 * take turns.
 */
export async function setUpDatabase(
  connectionString: string,
  settings: { heartbeatSeconds: number; retryLimit: number } = { heartbeatSeconds: 10, retryLimit: 3 },
): Promise<MigrateResult> {
  return migrate(connectionString, {
    whileLocked: async () => {
      const boss = createBoss(connectionString, { poolMax: 1, supervise: false });
      await boss.start();
      try {
        await prepareQueues(boss, settings);
      } finally {
        await boss.stop({ graceful: false, close: true });
      }
    },
  });
}
