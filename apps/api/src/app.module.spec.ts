import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { type DataSource } from 'typeorm';
import { SecretCipher } from '@hookyard/data-access';
import {
  ApiKeyGuard,
  AUTHENTICATED_METADATA,
  PermissionGuard,
  PERMISSION_METADATA,
  PUBLIC_METADATA,
} from '@hookyard/api';
import { appModule } from './app.factory';
import { loadConfig } from '@hookyard/config';

type Handler = (...args: unknown[]) => unknown;

/** Every route of every controller, read from Nest's own metadata. */
function routes(): { name: string; handler: Handler; controller: object }[] {
  const module = appModule(
    loadConfig({ HOOKYARD_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') }),
    {
      dataSource: {} as DataSource,
      cipher: SecretCipher.fromKey(Buffer.alloc(32)),
    },
  );
  const imported = (module.imports ?? []).flatMap(
    (m) => (Reflect.getMetadata('controllers', m) ?? []) as unknown[],
  );
  return [...(module.controllers ?? []), ...imported].flatMap((controller: any) => {
    const prototype = (controller as { prototype: Record<string, unknown> }).prototype;
    return Object.getOwnPropertyNames(prototype)
      .map((name) => ({
        name: `${controller.name}.${name}`,
        handler: prototype[name] as Handler,
        controller,
      }))
      .filter(
        ({ handler }) =>
          typeof handler === 'function' &&
          Reflect.getMetadata(METHOD_METADATA, handler) !== undefined,
      )
      .filter(({ handler }) => Reflect.getMetadata(PATH_METADATA, handler) !== undefined);
  });
}

describe('route guards', () => {
  const all = routes();

  it('finds the routes', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
  });

  it.each(all.map((r) => [r.name, r] as const))(
    '%s is public, or guarded by a key and a permission (or, for whoami, by a key alone)',
    (_, route) => {
      const isPublic =
        Reflect.getMetadata(PUBLIC_METADATA, route.handler) ??
        Reflect.getMetadata(PUBLIC_METADATA, route.controller);
      if (isPublic === true)
        return expect(route.name).toMatch(
          /^(HealthController|MetricsController|ConsoleController)\./,
        );
      const guards = (Reflect.getMetadata(GUARDS_METADATA, route.handler) ?? []) as unknown[];
      // Any caller may ask who it is: a key, but no permission.
      if (Reflect.getMetadata(AUTHENTICATED_METADATA, route.handler) === true) {
        expect(route.name).toBe('WhoamiController.whoami');
        return expect(guards).toEqual([ApiKeyGuard]);
      }
      expect(guards).toEqual([ApiKeyGuard, PermissionGuard]);
      expect(Reflect.getMetadata(PERMISSION_METADATA, route.handler)).toMatch(/^[A-Z]+\.[A-Z]+$/);
    },
  );
});
