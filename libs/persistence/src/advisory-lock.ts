import type { DataSource } from 'typeorm';

/**
 * Runs `work` while holding the session advisory lock named `name`, on a connection of its
 * own; null without running it when another replica holds the lock. For periodic work one
 * replica at a time should do (reconcilers).
 */
export async function runExclusively<T>(db: DataSource, name: string, work: () => Promise<T>): Promise<T | null> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [name])) as Array<{ locked: boolean }>;
    if (!locked) return null;
    try {
      return await work();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [name]);
    }
  } finally {
    await runner.release();
  }
}
