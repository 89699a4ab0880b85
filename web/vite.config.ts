import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// Set by whoever starts the dev server; node's process is all this file needs of @types/node.
declare const process: { env: Record<string, string | undefined> };
const api = process.env.FC_API_URL ?? 'http://127.0.0.1:5080';
const presign = process.env.FC_PRESIGN_URL ?? 'http://127.0.0.1:5081';

// Only scripts and styles of our own origin (no inline script, no third party): the refresh token
// is in localStorage, so what may run on the page is what protects it. Images and uploads go to
// the bucket/CDN origin, which differs per environment. Added to the build only: the dev server
// injects inline styles.
const contentSecurityPolicy: Plugin = {
  name: 'content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [{
    tag: 'meta',
    attrs: {
      'http-equiv': 'Content-Security-Policy',
      content: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: https: http:; connect-src 'self' https: http:; object-src 'none'; base-uri 'none'; form-action 'self'",
    },
    injectTo: 'head-prepend',
  }],
};

export default defineConfig({
  base: './',
  plugins: [contentSecurityPolicy],
  build: { target: 'es2022', sourcemap: true },
  // `npm run dev`: the API and the presign host behind one origin, as CloudFront puts them.
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/.well-known': api,
      '/uploads': presign,
    },
  },
  test: { environment: 'node', include: ['test/**/*.test.ts'] },
});
