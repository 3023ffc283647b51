/** The bundler (scripts/build.mjs) and the test runner (vitest.config.ts) load .html files as text. */
declare module '*.html' {
  const text: string;
  export default text;
}
