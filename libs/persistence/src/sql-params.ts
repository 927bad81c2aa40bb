/**
 * Numbered placeholders for a statement assembled from parts (the CTEs of one write): each
 * part adds its values and gets `$n` back, so no part needs to know how many came before it.
 *
 *   const q = new SqlParams();
 *   await db.query(`SELECT * FROM t WHERE id = ${q.add(id)} AND at > ${q.add(since)}`, q.values);
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
