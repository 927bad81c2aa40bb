/** A group (team) as the groups repository returns it. */
export interface GroupRecord {
  id: string;
  key: string;
  name: string;
  /** Mail to these addresses is routed to the group; sorted. */
  inboundAddresses: string[];
  createdAt: Date;
  updatedAt: Date;
  /** `created_at` as Postgres prints it, for keyset cursors. */
  createdCursor: string;
}

/** What routing a ticket to a group needs: its id and reply address (its first inbound address). */
export interface GroupRoute {
  id: string;
  address: string | null;
}
