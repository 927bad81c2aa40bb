import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The care policy of a customer's primary segment, as `customer.segment_changed` carries it:
 * how many steps a derived priority is raised and whose SLA targets apply. Null while no event
 * with a policy arrived (events of releases before policies): then VIPs are raised one step and
 * each segment takes its own targets, as before.
 */
export class CustomerCarePolicy1764900000000 implements MigrationInterface {
  name = 'CustomerCarePolicy1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE tickets.customers
        ADD COLUMN priority_bump smallint CHECK (priority_bump BETWEEN 0 AND 3),
        ADD COLUMN sla_policy text CHECK (sla_policy IN ('vip', 'regular', 'online', 'walk_in'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tickets.customers DROP COLUMN priority_bump, DROP COLUMN sla_policy`);
  }
}
