import { PUBLIC_KEY, SCOPES_KEY } from '@careflow/http';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';

export interface RouteAccess {
  route: string;
  /** The scopes the route requires, 'public', or undefined when it declares neither. */
  access: readonly string[] | 'public' | undefined;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

/** Every HTTP route of an app's controllers with the access it declares. */
export function listRoutes(app: INestApplication): RouteAccess[] {
  const scanner = new MetadataScanner();
  const routes: RouteAccess[] = [];
  const controllers = [...app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()]);
  for (const wrapper of controllers) {
    const instance = wrapper.instance as object | undefined;
    const type = wrapper.metatype as Function | undefined;
    if (!instance || !type) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = (instance as Record<string, unknown>)[name] as Function;
      const declared = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (declared === undefined) continue;
      const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as number] ?? '?';
      const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, type);
      const scopes = Reflect.getMetadata(SCOPES_KEY, handler) ?? Reflect.getMetadata(SCOPES_KEY, type);
      for (const path of Array.isArray(declared) ? declared : [declared]) {
        routes.push({
          route: `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`,
          access: isPublic ? 'public' : scopes,
        });
      }
    }
  }
  return routes;
}
