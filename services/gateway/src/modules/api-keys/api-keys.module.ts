import { Global, Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

@Global()
@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeyAuthenticator],
  exports: [ApiKeysService, ApiKeyAuthenticator],
})
export class ApiKeysModule {}
