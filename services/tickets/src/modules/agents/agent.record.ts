/** An agent as the agents repository returns it. */
export interface AgentRecord {
  id: string;
  email: string;
  name: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** `created_at` as Postgres prints it, for keyset cursors (microseconds kept). */
  createdCursor: string;
}
