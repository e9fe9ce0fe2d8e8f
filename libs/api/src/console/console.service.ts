import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { OrganizationRepository, PortalSessionRepository } from '@hookyard/data-access';
import { isObjectId } from '@hookyard/webhook-core';
import { type HookyardConfig } from '@hookyard/config';
import { ApiError, ErrorCode } from '../common/api-error';
import { HOOKYARD_CONFIG } from '../common/config.module';
import { portalSessionState } from '../portal-sessions/portal-session.util';
import {
  consoleCacheControl,
  consoleSecurityHeaders,
  isPortalPage,
  NO_CACHE,
} from './console-headers.util';

/**
 * `apps/console/dist` of this checkout. This file runs from `libs/api/src/console` (tests) or
 * `libs/api/dist/console` (`npm start`, the image), both four levels below the repository root.
 */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../../../apps/console/dist');

/** Serves the built console: its files, `index.html` for every other path (the SPA's routes). */
@Injectable()
export class ConsoleService {
  private readonly root: string;
  private readonly sessions: PortalSessionRepository;
  private readonly organizations: OrganizationRepository;

  constructor(
    @Inject(HOOKYARD_CONFIG) config: HookyardConfig,
    @Inject(DataSource) dataSource: DataSource,
  ) {
    this.root = config.consoleDir ?? DEFAULT_CONSOLE_DIR;
    this.sessions = new PortalSessionRepository(dataSource.manager);
    this.organizations = new OrganizationRepository(dataSource.manager);
  }

  /** Answers `/console/<relativePath>` (still percent-encoded); `session` is the `?session=` value. */
  async serve(relativePath: string, session: unknown, response: Response): Promise<void> {
    const index = join(this.root, 'index.html');
    if (!(await isFile(index))) {
      throw new ApiError(
        ErrorCode.CONSOLE_NOT_BUILT,
        'the console is not built: run `npx nx run console:build`, or point HOOKYARD_CONSOLE_DIR at a built console',
      );
    }
    const path = decodePath(relativePath);
    const frameAncestors =
      path !== null && isPortalPage(path) ? await this.frameAncestorsOf(session) : [];
    response.set(consoleSecurityHeaders(frameAncestors));
    const file = path === null ? null : await this.fileOf(path);
    if (file !== null) return send(response, file, consoleCacheControl(path ?? ''));
    // A missing hashed asset is a stale page asking for an old build: a 404, never HTML in its place.
    if (path?.startsWith('assets/')) throw ApiError.notFound('console asset');
    return send(response, index, NO_CACHE);
  }

  /** The allowed origins of the organization of a live session; none for anything else. */
  private async frameAncestorsOf(session: unknown): Promise<readonly string[]> {
    if (!isObjectId(session)) return [];
    const found = await this.sessions.findAnyById(session);
    if (!found || portalSessionState(found, new Date()) !== 'active') return [];
    const organization = await this.organizations.findById(found.organizationId);
    return organization?.portalAllowedOrigins ?? [];
  }

  /** The regular file a path names inside the console's directory; no dotfiles, nothing outside. */
  private async fileOf(path: string): Promise<string | null> {
    if (path === '' || path.split('/').some((segment) => segment.startsWith('.'))) return null;
    const absolute = resolve(this.root, path);
    if (!absolute.startsWith(this.root + sep)) return null;
    return (await isFile(absolute)) ? absolute : null;
  }
}

/** The decoded relative path, or null when it does not decode (or holds a NUL or backslash). */
function decodePath(relativePath: string): string | null {
  try {
    const decoded = decodeURIComponent(relativePath.replace(/^\/+/, ''));
    return /[\0\\]/.test(decoded) ? null : decoded;
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Sends a file with our own Cache-Control; a client gone mid-way is nobody's error. */
function send(response: Response, file: string, cacheControl: string): Promise<void> {
  response.set('cache-control', cacheControl);
  return new Promise((done, fail) => {
    response.sendFile(file, { cacheControl: false, dotfiles: 'allow' }, (error?: Error) => {
      if (!error || response.headersSent) done();
      else fail(error);
    });
  });
}
