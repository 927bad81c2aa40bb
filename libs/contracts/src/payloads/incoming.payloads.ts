import { IsIn, IsOptional, IsString } from 'class-validator';
import { ShipmentStatus } from '../enums.js';
import { ShipmentRef } from './commerce.payloads.js';

/** notifications → tickets: a shipment got stuck, failed a delivery or came back. */
export class ShipmentIncidentPayload extends ShipmentRef {
  @IsOptional()
  @IsString()
  customerEmail!: string | null;

  @IsOptional()
  @IsString()
  customerName!: string | null;

  @IsIn(['failed_attempt', 'exception', 'returned'] satisfies ShipmentStatus[])
  status!: 'failed_attempt' | 'exception' | 'returned';
}
