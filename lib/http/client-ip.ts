/** Header the portal's own server sets; any copy sent by a client is removed first. */
export const CLIENT_IP_HEADER = "x-portal-client-ip";

/**
 * The client address, trusting only as many X-Forwarded-For hops as there are proxies we run (docs/security.md R24):
 * with 0, the socket address; with n, the n-th entry from the right of the chain plus the socket.
 */
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | undefined, trustedHops: number): string {
  const socket = normaliseIp(socketAddress ?? "unknown");
  if (trustedHops <= 0) return socket;
  const chain = (forwardedFor ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(normaliseIp);
  chain.push(socket);
  return chain[Math.max(0, chain.length - 1 - trustedHops)] ?? socket;
}

function normaliseIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}
