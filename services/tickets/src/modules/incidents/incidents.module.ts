import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module.js';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { ShipmentIncidentsService } from './shipment-incidents.service.js';

@Module({ imports: [TicketsModule, CommentsModule, CustomerProjectionModule], providers: [ShipmentIncidentsService], exports: [ShipmentIncidentsService] })
export class IncidentsModule {}
