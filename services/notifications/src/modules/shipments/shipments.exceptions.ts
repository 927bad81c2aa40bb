import { DomainError } from '@careflow/platform';

export class ShipmentExistsError extends DomainError {
  readonly status = 409;
  readonly code = 'shipment-exists';
  readonly title = 'This tracking number is already recorded for the carrier';
  constructor(carrier: string, trackingNumber: string, shipmentId: string) {
    super(`${carrier} ${trackingNumber} is shipment ${shipmentId}`);
    this.extensions['shipmentId'] = shipmentId;
  }
}
