import { type INestApplicationContext, RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { type DeclaredAccess, declaredAccess } from './deny-by-default.guard';

/** One route of the running app, as Nest mapped it, with what it declares of its callers. */
export interface RouteEntry {
  /** `Controller.method`. */
  readonly name: string;
  /** `GET /v1/endpoints/:id`. */
  readonly route: string;
  readonly access: DeclaredAccess | null;
  /** The guards the handler and its controller carry (`UseGuards`). */
  readonly guards: readonly unknown[];
}

/**
 * Every route of every controller of every module the app instantiated (nested imports and
 * dialect modules included), read from Nest's module container rather than from a list.
 */
export function routeTable(app: INestApplicationContext): RouteEntry[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const controllers = new Set<Type<unknown>>();
  for (const module of app.get(ModulesContainer).values())
    for (const wrapper of module.controllers.values())
      if (wrapper.metatype) controllers.add(wrapper.metatype as Type<unknown>);
  return [...controllers].flatMap((controller) => {
    const prototype = controller.prototype as Record<string, (...args: never[]) => unknown>;
    const base = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const method = handler && (Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod);
      if (!handler || method === undefined) return [];
      const paths = pathsOf(Reflect.getMetadata(PATH_METADATA, handler));
      return base.flatMap((prefix) =>
        paths.map((path) => ({
          name: `${controller.name}.${name}`,
          route: `${RequestMethod[method]} ${joinPath(prefix, path)}`,
          access: declaredAccess(reflector, handler, controller),
          guards: [
            ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]),
            ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[]),
          ],
        })),
      );
    });
  });
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : ''];
}

function joinPath(prefix: string, path: string): string {
  const joined = [prefix, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}
