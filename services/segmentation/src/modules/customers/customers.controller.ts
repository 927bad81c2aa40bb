import { ApiOperationDoc, ERASURE_HEADER, ExternalIdParam, RequireScopes } from '@careflow/http';
import { Body, Controller, Delete, Get, Param, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import { CustomersService } from './customers.service.js';
import { CUSTOMER_EXAMPLE, CustomerDto, CustomerPageDto } from './dto/customer.dto.js';
import { ListCustomersQuery } from './dto/list-customers.query.js';
import { UpsertCustomerDto } from './dto/upsert-customer.dto.js';

@ApiTags('Customers')
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'listCustomers',
    summary: 'List customers',
    description: 'Newest first. Filter by segment membership, tag, exact e-mail address, or `q` over name and address.',
    status: 200,
    type: CustomerPageDto,
    example: { data: [CUSTOMER_EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() query: ListCustomersQuery): Promise<CustomerPageDto> {
    const page = await this.customers.list(query);
    return { data: page.data.map((c) => CustomerDto.from(c)), nextCursor: page.nextCursor };
  }

  @Put(':externalId')
  @RequireScopes('customers:write')
  @ApiOperationDoc({
    operationId: 'upsertCustomer',
    summary: 'Create or replace a customer',
    description:
      'Keyed by the shop\'s own customer id. The body replaces the stored contact record (fields left out are cleared). ' +
      'A change is announced to the other services; a PUT that changes nothing is a no-op. ' +
      'A change of tags, `vip` or `segmentOverride` re-segments the customer at once.',
    status: 200,
    type: CustomerDto,
    example: CUSTOMER_EXAMPLE,
    errors: [400, 413, 415],
  })
  async upsert(@Param() params: ExternalIdParam, @Body() body: UpsertCustomerDto): Promise<CustomerDto> {
    const { customer } = await this.customers.upsert(params.externalId, body);
    return CustomerDto.from(customer);
  }

  @Get(':externalId')
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'getCustomer',
    summary: 'Get a customer with segments and order statistics',
    status: 200,
    type: CustomerDto,
    example: CUSTOMER_EXAMPLE,
    errors: [400, 404],
  })
  async get(@Param() params: ExternalIdParam): Promise<CustomerDto> {
    return CustomerDto.from(await this.customers.get(params.externalId));
  }

  @Delete(':externalId')
  @RequireScopes('customers:write')
  @ApiOperationDoc({
    operationId: 'eraseCustomer',
    summary: 'Erase a customer (right to erasure)',
    description:
      'Removes the customer and their personal data everywhere: every service removes or anonymises names, addresses, phone numbers and ' +
      'the free text the customer wrote (`customer.erased`). Orders and tickets stay for the shop\'s books, without personal data. ' +
      'Later events about the customer do not bring the data back; a later PUT creates a new customer.',
    status: 204,
    errors: [400, 404],
  })
  async erase(@Param() params: ExternalIdParam, @Res({ passthrough: true }) res: Response): Promise<void> {
    const { personalData } = await this.customers.erase(params.externalId);
    // For the gateway only (it never passes this header on): responses it keeps for
    // Idempotency-Key replays may hold the same data, and it erases them too.
    res.setHeader(ERASURE_HEADER, Buffer.from(JSON.stringify(personalData)).toString('base64url'));
  }
}
