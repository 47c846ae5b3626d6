import { defineConfig } from "vite";

// The page is static: `vite build` writes dist/, which the local stack and CloudFront serve as is.
// Runtime settings (API URL, identity provider, client id) come from /config.json, not from the build.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // No inline <script> or data: URLs, so a strict Content-Security-Policy (script-src 'self') holds.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
});
