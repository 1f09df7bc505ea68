import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { devOrigins } from "./lib/dev-origins";
import { buildLightIslands } from "./scripts/light-islands";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
  { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
];

// Route handlers (and the 404s under /api) render no page, so proxy.ts, which gives every page its nonce CSP and
// opener policy, skips them: their answers may load nothing, be framed nowhere, and share no browsing context (docs/security.md R28).
const routeHandlerHeaders = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const immutable = [{ key: "Cache-Control", value: "public, max-age=31536000, immutable" }];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm run dev` opened at 127.0.0.1 or the public URL's host must hydrate too (lib/dev-origins.ts).
  allowedDevOrigins: devOrigins(process.env),
  compiler: {
    // `next build`, however it is started (`npm run build`, `npm test`, the e2e setup), also builds the light pages'
    // scripts, which Next.js does not bundle (docs/nextjs.md §2); `npm run dev` builds and watches them in server.ts.
    runAfterProductionCompile: async ({ projectDir }) => {
      const manifest = await buildLightIslands({ root: projectDir });
      console.info(`[light] built ${manifest.loader}`);
    },
  },
  // forbidden() renders app/forbidden.tsx with a real 403.
  experimental: { authInterrupts: true },
  // Native and WASM packages must load from node_modules at run time, not be bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres"],
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/:path*", headers: routeHandlerHeaders },
      // The light pages' scripts (docs/nextjs.md §2) are named after a hash of their content, so a browser may keep
      // them: a client who opens the invite link again loads none of them anew. Everything else in public/ keeps
      // Next's `max-age=0` (the manifest beside them is read by the server, and is not hashed).
      { source: "/_light/:file([^/]+-[A-Z0-9]{8}\\.js)", headers: immutable },
      { source: "/_light/chunks/:file([^/]+-[A-Z0-9]{8}\\.js)", headers: immutable },
    ];
  },
};

// next-intl finds its request configuration in i18n/request.ts (docs/i18n.md §3); no locale routing, so URLs stay as they are.
const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

export default withNextIntl(nextConfig);
