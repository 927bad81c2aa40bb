import { ApiOperationDoc, ExternalIdParam, RequireScopes } from '@careflow/http';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CustomersService } from './customers.service.js';
import { CUSTOMER_EXAMPLE, CustomerDto } from './dto/customer.dto.js';
import { UpsertCustomerDto } from './dto/upsert-customer.dto.js';

@ApiTags('Customers')
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Put(':externalId')
  @RequireScopes('customers:write')
  @ApiOperationDoc({
    operationId: 'upsertCustomer',
    summary: 'Create or replace a customer',
    description:
      'Keyed by the shop\'s own customer id. The body replaces the stored contact record (fields left out are cleared). ' +
      'A change is announced to the other services; a PUT that changes nothing is a no-op.',
    status: 200,
    type: CustomerDto,
    example: CUSTOMER_EXAMPLE,
    errors: [400, 413],
  })
  async upsert(@Param() params: ExternalIdParam, @Body() body: UpsertCustomerDto): Promise<CustomerDto> {
    const { customer } = await this.customers.upsert(params.externalId, body);
    return CustomerDto.from(customer);
  }

  @Get(':externalId')
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'getCustomer',
    summary: 'Get a customer',
    status: 200,
    type: CustomerDto,
    example: CUSTOMER_EXAMPLE,
    errors: [400, 404],
  })
  async get(@Param() params: ExternalIdParam): Promise<CustomerDto> {
    return CustomerDto.from(await this.customers.get(params.externalId));
  }
}
