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
    // Vite keeps whitespace in an ES library build (so a bundler downstream can still tree-shake it);
    // this file is the end of the line, loaded as is by a <script type="module">.
    rolldownOptions: { output: { minify: true } },
  },
});
