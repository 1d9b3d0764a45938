import { defineConfig } from 'vite';

/** `dist/seatkit.js`: one self-contained, minified browser file for a plain `<script type="module">`. */
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    minify: true,
    sourcemap: true,
    target: 'es2022',
    lib: { entry: 'browser.ts', formats: ['es'], fileName: () => 'seatkit.js' },
  },
});
