import { ApiOperationDoc, EXTERNAL_ID_PATTERN, ExternalIdParam, PageQuery, RequireScopes, type Page, OptionalField } from '@careflow/http';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { Response } from 'express';
import { ORDER_EXAMPLE, OrderPageDto, OrderViewDto, RecordOrderDto } from './dto/order.dto.js';
import { OrdersService } from './orders.service.js';

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'cus_1001' })
  @OptionalField()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'customerExternalId must be a customer external id' })
  customerExternalId?: string;
}

@ApiTags('Orders')
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RequireScopes('orders:write')
  @ApiOperationDoc({
    operationId: 'recordOrder',
    summary: 'Record an order',
    description: 'Upsert by `externalId`: 201 when new, 200 when it replaced an existing one. Feeds the customer\'s order statistics and segments.',
    status: 201,
    type: OrderViewDto,
    example: ORDER_EXAMPLE,
    errors: [400, 413],
  })
  @ApiResponse({ status: 200, description: 'An existing order was updated.', type: OrderViewDto, example: ORDER_EXAMPLE })
  async record(@Body() body: RecordOrderDto, @Res({ passthrough: true }) res: Response): Promise<OrderViewDto> {
    const { order, created } = await this.orders.record(body);
    res.status(created ? 201 : 200);
    return order;
  }

  @Get()
  @RequireScopes('orders:write', 'customers:read')
  @ApiOperationDoc({ operationId: 'listOrders', summary: 'List orders', description: 'Newest first; filter by customer.', status: 200, type: OrderPageDto, example: { data: [ORDER_EXAMPLE], nextCursor: null }, errors: [400] })
  async list(@Query() query: ListOrdersQuery): Promise<Page<OrderViewDto>> {
    return this.orders.list(query.customerExternalId, query.limit, query.cursor);
  }

  @Get(':externalId')
  @RequireScopes('orders:write', 'customers:read')
  @ApiOperationDoc({ operationId: 'getOrder', summary: 'Get an order with its shipments and their events', status: 200, type: OrderViewDto, example: ORDER_EXAMPLE, errors: [400, 404] })
  async get(@Param() params: ExternalIdParam): Promise<OrderViewDto> {
    return this.orders.get(params.externalId);
  }
}
