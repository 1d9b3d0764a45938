import MagicString from 'magic-string';
import { defineConfig, parseSync, type Plugin } from 'vite';

/**
 * Folds the indentation of the elements' Lit templates (`html` and `css` tagged literals): a run of
 * whitespace that holds a line break becomes one space, which renders the same in HTML and CSS
 * (the minifier leaves template text alone). Worth about 0.5 KiB brotli of the 30 KiB budget.
 */
function foldTemplateWhitespace(): Plugin {
  return {
    name: 'seatkit:fold-template-whitespace',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/.*\.ts$/.test(id) || !/(html|css)`/.test(code)) return null;
      const out = new MagicString(code);
      const visit = (node: unknown): void => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) return node.forEach(visit);
        const n = node as { type?: string; tag?: { type: string; name?: string }; quasi?: { quasis: { start: number; value: { raw: string } }[] } };
        if (n.type === 'TaggedTemplateExpression' && n.tag?.type === 'Identifier' && (n.tag.name === 'html' || n.tag.name === 'css')) {
          for (const quasi of n.quasi!.quasis) {
            const { raw } = quasi.value;
            let folded = raw.replace(/\s*\n\s*/g, ' ');
            // No space is needed around CSS braces, semicolons and commas (no CSS string here holds one).
            if (n.tag.name === 'css') folded = folded.replace(/ ?([{};,]) ?/g, '$1');
            const start = code.indexOf(raw, quasi.start);
            if (folded !== raw && raw !== '') out.overwrite(start, start + raw.length, folded);
          }
        }
        for (const value of Object.values(node)) visit(value);
      };
      visit(parseSync(id, code).program);
      return out.hasChanged() ? { code: out.toString(), map: out.generateMap({ hires: true, source: id }) } : null;
    },
  };
}

/** `dist/seatkit.js`: one self-contained, minified browser file for a plain `<script type="module">`. */
export default defineConfig({
  plugins: [foldTemplateWhitespace()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    minify: true,
    sourcemap: true,
    target: 'es2022',
    lib: { entry: 'browser.ts', formats: ['es'], fileName: () => 'seatkit.js' },
    // Vite keeps whitespace in an ES library build (so a bundler downstream can still tree-shake it);
    // this file is the end of the line, loaded as is by a <script type="module">.
    // What only a page that goes live needs (the stream, its parser) is loaded then, from files next to this one.
    rolldownOptions: { output: { minify: true, chunkFileNames: 'seatkit-[name].js' } },
  },
});
