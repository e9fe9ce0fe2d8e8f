import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { embeddedTestServer } from './global-setup';

/** Jest global teardown: stops the embedded server of the global setup and removes its data. */
export default async function globalTeardown(): Promise<void> {
  const server = embeddedTestServer();
  if (!server) return;
  await server.stop();
  rmSync(dirname(server.dataDir), { recursive: true, force: true });
  delete process.env['TEST_DATABASE_URL'];
}
