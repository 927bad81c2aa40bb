import { ApiOperationDoc, ExternalIdParam, RequireScopes, UuidParam } from '@careflow/http';
import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ShipmentViewDto } from '../orders/dto/order.dto.js';
import { CreateShipmentDto, ShipmentEventAcceptedDto, ShipmentEventDto } from './dto/shipment.dto.js';
import { ShipmentsService } from './shipments.service.js';

const SHIPMENT_EXAMPLE: ShipmentViewDto = {
  id: '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a',
  orderExternalId: 'ord_1042',
  carrier: 'ghn',
  trackingNumber: 'GHN123456789',
  trackingUrl: 'https://donhang.ghn.vn/?order_code=GHN123456789',
  status: 'created',
  items: [],
  events: [],
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
};

@ApiTags('Shipments')
@Controller()
export class ShipmentsController {
  constructor(private readonly shipments: ShipmentsService) {}

  @Post('v1/orders/:externalId/shipments')
  @RequireScopes('orders:write')
  @ApiOperationDoc({
    operationId: 'createShipment',
    problems: ['shipment-exists'],
    summary: 'Record a shipment of an order',
    description:
      'The shopper is e-mailed the tracking number and the carrier\'s tracking link. Without `trackingUrl` the link is built from the carrier table; ' +
      'an unknown carrier without `trackingUrl` gets no link (never a wrong one).',
    status: 201,
    type: ShipmentViewDto,
    example: SHIPMENT_EXAMPLE,
    errors: [400, 404, 413],
  })
  async create(@Param() params: ExternalIdParam, @Body() body: CreateShipmentDto): Promise<ShipmentViewDto> {
    return this.shipments.create(params.externalId, body);
  }

  @Get('v1/shipments/:id')
  @RequireScopes('orders:write', 'customers:read')
  @ApiOperationDoc({ operationId: 'getShipment', summary: 'Get a shipment with its tracking events', status: 200, type: ShipmentViewDto, example: SHIPMENT_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: UuidParam): Promise<ShipmentViewDto> {
    return this.shipments.view(params.id);
  }

  @Post('v1/shipments/:id/events')
  @RequireScopes('orders:write')
  @ApiOperationDoc({
    operationId: 'addShipmentEvent',
    summary: 'Record a tracking event',
    description:
      'Idempotent on `eventId`. Events may arrive late and out of order: an older event is stored but does not move the current status back. ' +
      'Each change of the current status e-mails the shopper once; failed attempts, exceptions and returns also open an incident ticket.',
    status: 202,
    type: ShipmentEventAcceptedDto,
    example: { accepted: true, status: 'out_for_delivery' },
    errors: [400, 404, 413],
  })
  async addEvent(@Param() params: UuidParam, @Body() body: ShipmentEventDto): Promise<ShipmentEventAcceptedDto> {
    return this.shipments.addEvent(params.id, body);
  }
}
