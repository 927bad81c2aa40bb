import { runExclusively } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

@Injectable()
export class TimersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Runs `work` while holding a session advisory lock named `name`, on a connection of its own;
   * null without running it when another replica holds the lock.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T | null> {
    return runExclusively(this.db, name, work);
  }
}
