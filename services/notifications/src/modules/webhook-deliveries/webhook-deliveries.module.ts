import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { WebhookSecretsModule } from '../webhook-secrets/webhook-secrets.module.js';
import { DeliveryJobs } from './delivery-jobs.js';
import { EndpointThrottle } from './endpoint-throttle.js';
import { RetrySchedule } from './retry-schedule.js';
import { WebhookDeliveriesController } from './webhook-deliveries.controller.js';
import { WebhookDeliveriesProcessor } from './webhook-deliveries.processor.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';
import { WebhookReconciler } from './webhook-reconciler.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookTargetsRepository } from './webhook-targets.repository.js';

/**
 * Webhook delivery: signed attempts on the retry schedule, per-endpoint limits, auto-disable,
 * the retry reconciler, and the delivery log with its replays.
 */
@Module({
  imports: [MailModule, WebhookSecretsModule],
  controllers: [WebhookDeliveriesController],
  providers: [
    WebhookDeliveriesRepository,
    WebhookTargetsRepository,
    WebhookDeliveriesService,
    WebhookDeliveriesProcessor,
    WebhookReconciler,
    WebhookSender,
    EndpointThrottle,
    DeliveryJobs,
    RetrySchedule,
  ],
  exports: [RetrySchedule, DeliveryJobs],
})
export class WebhookDeliveriesModule {}
