import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommonConfig } from './common.config.js';
import { loadConfig } from './load-config.js';
import { createLogger } from './logger.js';

/** Injection token of the process's pino logger. */
export const LOGGER = Symbol('LOGGER');
export type { Logger };

export interface PlatformOptions<C extends CommonConfig> {
  /** The service's name in logs and metrics: `tickets`, `gateway`, … */
  service: string;
  config: new () => C;
  /** Tests pass a ready config; otherwise it is read from the environment. */
  configValue?: C;
}

/**
 * Config and logger of a process. The concrete config class is also registered under
 * CommonConfig, so libraries can ask for the settings they share without knowing the service.
 */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

@Global()
@Module({})
export class PlatformModule {
  static forService<C extends CommonConfig>(options: PlatformOptions<C>): DynamicModule {
    const config = options.configValue ?? loadConfig(options.config);
    const logger = createLogger(options.service, config.LOG_LEVEL);
    // The config is injectable by its own class and by each base class (ServiceConfig, CommonConfig).
    const configTokens: Function[] = [];
    for (let c: Function = options.config; c !== Object && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      configTokens.push(c);
      if (c === CommonConfig) break;
    }
    return {
      module: PlatformModule,
      providers: [
        ...configTokens.map((token) => ({ provide: token, useValue: config })),
        { provide: LOGGER, useValue: logger },
        { provide: SERVICE_NAME, useValue: options.service },
      ],
      exports: [...configTokens, LOGGER, SERVICE_NAME],
    };
  }
}
