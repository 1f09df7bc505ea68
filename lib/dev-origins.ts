// Which hostnames `npm run dev` serves its own development resources to (Next.js `allowedDevOrigins`). Next.js
// refuses its scripts and hot-reload socket to a page opened under a host it was not told about, and such a page
// never hydrates: no script runs and a form posts as a plain GET (docs/nextjs.md §1). Allowed: every name of this
// machine's loopback (what a user types when `localhost` is not at hand) and the host of the configured public URL.
// Imported by next.config.ts, so it imports nothing.

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"] as const;

/** The hostnames (no scheme, no port: how Next.js matches them) a development page may be opened under. */
export function devOrigins(env: Readonly<Record<string, string | undefined>>): string[] {
  const hosts = new Set<string>(LOOPBACK);
  const configured = env.NEXTAUTH_URL?.trim();
  if (configured) {
    try {
      hosts.add(new URL(configured).hostname.toLowerCase());
    } catch {
      // A malformed NEXTAUTH_URL is reported by lib/env.ts when the server starts; nothing to add here.
    }
  }
  return [...hosts];
}
