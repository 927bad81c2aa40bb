import { Module } from '@nestjs/common';
import { GroupsController } from './groups.controller.js';
import { GroupsRepository } from './groups.repository.js';
import { GroupsService } from './groups.service.js';

@Module({ controllers: [GroupsController], providers: [GroupsRepository, GroupsService], exports: [GroupsService] })
export class GroupsModule {}
