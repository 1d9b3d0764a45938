/**
 * `GET /docs`: an interactive reference of the API (Swagger UI over `/v1/openapi.json`), served
 * from the installed `swagger-ui-dist` package, so it works offline and loads nothing from a CDN.
 * Node only (it reads the package's files); the app itself stays web-standard.
 */
import type { SeatApp } from './app.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>seatkit API reference</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/start.js"></script>
</body>
</html>
`;

// A file of its own rather than an inline script, so the page works under a strict Content-Security-Policy.
const START = `SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#reference', deepLinking: true, tryItOutEnabled: false, persistAuthorization: false });\n`;

/** Adds `/docs` and its assets to `app`. */
export function mountApiReference(app: SeatApp): void {
  const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Promise<Buffer>>();
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/assets/start.js', (c) => c.body(START, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600' }));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let bytes = cache.get(file);
    if (!bytes) cache.set(file, (bytes = readFile(join(folder, file))));
    return c.body(new Uint8Array(await bytes), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
}
