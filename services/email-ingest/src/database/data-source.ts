import { createDataSource } from '@careflow/persistence';
import { CommonConfig, loadConfig } from '@careflow/platform';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { SCHEMA } from './schema.js';

/** The DataSource of the migrate command and the TypeORM CLI; the app builds its own. */
export default createDataSource({
  url: loadConfig(CommonConfig).DATABASE_URL,
  schema: SCHEMA,
  entities,
  migrations,
  applicationName: 'email-ingest-cli',
});
