import { Module } from '@nestjs/common';

/**
 * Mail parsing is pure (parseMessage, classify, dedupeKey take bytes and return values, no
 * I/O), so callers import the functions; the module exists so the folder has the house shape.
 */
@Module({})
export class ParsingModule {}
