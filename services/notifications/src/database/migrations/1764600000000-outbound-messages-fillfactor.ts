import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every outbound message is updated twice after it is written (the attempt claimed, the
 * outcome recorded). Its rows are wide (both bodies) and it has six indexes: when the new
 * version fits on the same page the update is HOT and touches no index; in full pages it
 * rewrites all six. Half-full pages leave room for those versions (measured: 40% of the updates
 * were HOT at the default fill factor of 100).
 */
export class OutboundMessagesFillfactor1764600000000 implements MigrationInterface {
  name = 'OutboundMessagesFillfactor1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.outbound_messages SET (fillfactor = 50)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications.outbound_messages RESET (fillfactor)`);
  }
}
