/** An endpoint as its deliveries see it: where to send, how to sign, whether to send at all. */
export interface WebhookTargetRecord {
  id: string;
  url: string;
  enabled: boolean;
  rateLimit: number | null;
  /** The current secret first, then the previous one while it still signs (rotation). */
  secrets: string[];
}
