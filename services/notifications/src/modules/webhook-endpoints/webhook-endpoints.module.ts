import { Module } from '@nestjs/common';

/** The shop's webhook endpoints: where events are delivered, with their secrets and the SSRF guard on their URLs. */
@Module({})
export class WebhookEndpointsModule {}
