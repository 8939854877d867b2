/**
 * Builds the console into the server package (`packages/server/dist/console`), which serves it at
 * `/console/`. Preact's JSX through esbuild's automatic runtime: no framework plugin needed.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../server/dist/console'),
    emptyOutDir: true,
    // One small bundle; no inline script or style, so the Content-Security-Policy needs no 'unsafe-inline'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
