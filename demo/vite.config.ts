import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** MSW's service worker, served from the static build's own folder. */
function mswWorker(): Plugin {
  return {
    name: 'seatkit-msw-worker',
    generateBundle() {
      const source = readFileSync(fileURLToPath(new URL('../node_modules/msw/lib/mockServiceWorker.js', import.meta.url)), 'utf8');
      this.emitFile({ type: 'asset', fileName: 'mockServiceWorker.js', source });
    },
  };
}

/**
 * The demo page. `vite build --config demo/vite.config.ts` builds it for `npm start` (demo/dist,
 * served by demo/server.ts next to the API); `--mode static` builds the server-free version
 * (demo/static-dist: the real app runs in the page behind MSW) that any static host can serve.
 */
export default defineConfig(({ mode }) => {
  const isStatic = mode === 'static';
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    // The server build is also served at /activate/{token}: its assets need absolute paths.
    base: isStatic ? './' : '/',
    publicDir: false,
    define: { __DEMO_STATIC__: JSON.stringify(isStatic) },
    plugins: isStatic ? [mswWorker()] : [],
    build: {
      outDir: fileURLToPath(new URL(isStatic ? './static-dist' : './dist', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: true,
      // The static build carries the whole reference server (zod, OpenAPI) into the page.
      chunkSizeWarningLimit: isStatic ? 1500 : 500,
    },
  };
});
