import type * as Qrcode from "qrcode";
import { afterEach, describe, expect, it, vi } from "vitest";

const renderOverride = vi.hoisted(() => ({ next: null as string | null }));
vi.mock("qrcode", async (importOriginal) => {
  const real = await importOriginal<typeof Qrcode>();
  return { ...real, toString: (text: string, options: object) => (renderOverride.next === null ? real.toString(text, options) : Promise.resolve(renderOverride.next)) };
});

const { qrCodeDataUri, qrCodeSvg } = await import("./qr");

describe("invite QR codes", () => {
  afterEach(() => {
    renderOverride.next = null;
  });

  it("holds only svg and path elements, never the encoded text", async () => {
    for (const text of ["http://localhost:3000/join/abcDEF_-123", `http://x.test/"><script>alert(1)</script>`, "https://portal.test/join/ümlaut&lt;"]) {
      const svg = await qrCodeSvg(text);
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.match(/<(\w+)/g)!.every((tag) => tag === "<svg" || tag === "<path")).toBe(true);
      expect(svg).not.toContain("script");
      expect(svg).not.toContain("join");
    }
  });

  it("differs per link and round-trips through the data URI", async () => {
    const a = await qrCodeSvg("http://localhost:3000/join/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    const b = await qrCodeSvg("http://localhost:3000/join/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    expect(a).not.toBe(b);
    const uri = await qrCodeDataUri("http://localhost:3000/join/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    expect(uri.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64").toString("utf8")).toBe(a);
  });

  it("refuses an SVG of any other shape", async () => {
    renderOverride.next = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" shape-rendering="crispEdges"><script>alert(1)</script></svg>';
    await expect(qrCodeSvg("http://localhost:3000/join/x")).rejects.toThrow(/unexpected shape/);
    renderOverride.next = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9" shape-rendering="crispEdges"><path fill="#ffffff" d="M0 0h9" onload="x()"/></svg>';
    await expect(qrCodeSvg("http://localhost:3000/join/x")).rejects.toThrow(/unexpected shape/);
  });
});
