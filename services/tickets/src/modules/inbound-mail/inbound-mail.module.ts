import { Module } from '@nestjs/common';
import { CommentsModule } from '../comments/comments.module.js';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { InboundMailRepository } from './inbound-mail.repository.js';
import { InboundMailService } from './inbound-mail.service.js';

@Module({ imports: [TicketsModule, CommentsModule, GroupsModule, CustomerProjectionModule], providers: [InboundMailRepository, InboundMailService], exports: [InboundMailService] })
export class InboundMailModule {}
