import { routeAccess } from '@careflow/http';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AccessControl } from './access-control.js';

/** Guards the gateway's own routes: @Public() ones pass, the rest need a key with the scope. */
@Injectable()
export class GatewayAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessControl,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declared = routeAccess(this.reflector, context);
    if (declared === 'public') return true;
    const http = context.switchToHttp();
    // Undeclared routes fail closed: `admin` is the only scope that can reach them.
    await this.access.admit(http.getRequest<Request>(), http.getResponse<Response>(), declared ?? ['admin']);
    return true;
  }
}
