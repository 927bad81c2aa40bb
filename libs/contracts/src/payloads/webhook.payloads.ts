import { IsUUID } from 'class-validator';

/** notifications → its own delivery worker: attempt this webhook delivery (its state is in Postgres). */
export class WebhookDeliverPayload {
  @IsUUID()
  deliveryId!: string;
}
