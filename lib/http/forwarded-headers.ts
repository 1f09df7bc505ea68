import type { IncomingHttpHeaders } from "node:http";

/**
 * Headers in which a reverse proxy describes the request it forwards: the client's address and the host, scheme
 * and port the client asked for. Next.js compares a server action's Origin with X-Forwarded-Host (docs/security.md R25) and builds
 * request URLs from X-Forwarded-Proto; next-auth reads both. Without a proxy of ours in front (TRUST_PROXY_HOPS=0)
 * only the client can have written them, so server.ts removes them before anything reads the request, and Next.js
 * fills them in from the socket and the Host header.
 */
export function isForwardingHeader(name: string): boolean {
  return name.startsWith("x-forwarded-") || name === "forwarded" || name === "x-real-ip";
}

/** Removes every forwarding header from Node's (lowercase-keyed) request header record, in place. */
export function dropForwardingHeaders(headers: IncomingHttpHeaders): void {
  for (const name of Object.keys(headers)) if (isForwardingHeader(name)) delete headers[name];
}
