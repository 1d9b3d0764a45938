/** `custom-elements.json` from the elements' JSDoc (npm run build). */
export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.styles.ts', 'widget/locales/**'],
  outdir: 'dist',
  litelement: true,
};
