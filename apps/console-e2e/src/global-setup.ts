// eslint-disable-next-line @nx/enforce-module-boundaries -- the workspace's shared jest setup (every jest config names it by path); not part of data-access's API
import startTestPostgres from '../../../libs/data-access/src/testing/global-setup';
import { assertBuilt, assertChromium } from './harness';

/**
 * Jest global setup of the browser tests: fails (never skips) when Chromium or a build is missing,
 * then provides the PostgreSQL the tests make their databases on.
 */
export default async function globalSetup(): Promise<void> {
  assertChromium();
  assertBuilt();
  await startTestPostgres();
}
