// Reads a request body as raw bytes without ever holding more than the cap (docs/security.md R2): a declared length over the cap
// is refused before a byte is read, and a streamed body is cut off as soon as it passes the cap. A body that has
// not fully arrived by the deadline is given up, so a sender trickling bytes under the cap cannot hold the
// request (and its connection) open.

export type ReadBodyResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: "too_large" }
  | { ok: false; reason: "timeout" }
  | { ok: false; reason: "aborted" };

/** The Content-Length a request declares, or null when absent or not a plain decimal number. */
export function declaredLength(headers: { get(name: string): string | null }): number | null {
  const value = headers.get("content-length");
  if (value === null || !/^\s*\d{1,16}\s*$/.test(value)) return null;
  return Number(value.trim());
}

export async function readBodyWithCap(request: Request, maxBytes: number, timeoutMs: number): Promise<ReadBodyResult> {
  const declared = declaredLength(request.headers);
  if (declared !== null && declared > maxBytes) return { ok: false, reason: "too_large" };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timedOut = false;
  // One timer per body: cancelling settles the pending read, and the flag tells that end from a real one.
  const deadline = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) return { ok: false, reason: "timeout" };
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // Stop the sender here; whatever it still has in flight is never buffered.
        reader.cancel().catch(() => {});
        return { ok: false, reason: "too_large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: timedOut ? "timeout" : "aborted" };
  } finally {
    clearTimeout(deadline);
    try {
      reader.releaseLock();
    } catch {
      // already released by the cancel
    }
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0]! };
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}
