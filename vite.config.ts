// Builds the browser widgets into the Python package: src/mare/server/static/dist/widgets.{js,css}.
// One ES module entry; MapLibre and sigma load as chunks only on pages that hold a map or a network.
/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: "web",
  base: "/static/dist/",
  publicDir: false,
  build: {
    outDir: "../src/mare/server/static/dist",
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: false,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: fileURLToPath(new URL("./web/src/main.ts", import.meta.url)),
      // htmx's eval runs only with htmx.config.allowEval, which main.ts turns off.
      onwarn(warning, warn) {
        if (warning.code === "EVAL" && (warning.id ?? "").includes("htmx.org")) return;
        warn(warning);
      },
      output: {
        entryFileNames: "widgets.js",
        chunkFileNames: "chunks/[name]-[hash].js",
        assetFileNames: (info) =>
          (info.names ?? []).some((n) => n.endsWith(".css")) ? "widgets.css" : "assets/[name]-[hash][extname]",
      },
    },
  },
  test: {
    root: ".",
    include: ["web/test/**/*.test.ts"],
    environment: "node",
  },
});
