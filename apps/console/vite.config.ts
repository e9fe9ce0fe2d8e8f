import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The API a dev server proxies `/v1` to (`npx vite --config apps/console/vite.config.ts`). */
const apiTarget = process.env['HOOKYARD_CONSOLE_API'] ?? 'http://127.0.0.1:3000';

// The console is served by the API under /console, and built from the SDK's sources.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: {
      '@hookyard/sdk': fileURLToPath(new URL('../../libs/sdk/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/v1': apiTarget },
  },
});
