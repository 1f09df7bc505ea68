import "server-only";
import { toString as renderQr } from "qrcode";

// QR codes of invite links, made on the server. The SVG that `qrcode` writes holds only an <svg> element and
// <path> elements whose data are numbers: the encoded text never appears in it. The shape is still checked, so
// an unexpected output is refused rather than shown; pages render it as an <img> data URI, which never runs
// scripts, and never insert it as markup.

const SVG_SHAPE = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+" shape-rendering="crispEdges">(<path (fill|stroke)="#[0-9a-f]{6}" d="[MmHhVvZz0-9. -]+"\/>)+<\/svg>\s*$/;

/** An SVG of the QR code of `text` with the shape above, or a thrown Error. */
export async function qrCodeSvg(text: string): Promise<string> {
  const svg = await renderQr(text, { type: "svg", errorCorrectionLevel: "M", margin: 4, color: { dark: "#000000", light: "#ffffff" } });
  if (!SVG_SHAPE.test(svg)) throw new Error("qrcode produced an SVG of an unexpected shape");
  return svg;
}

/** For `<img src>`: `data:image/svg+xml;base64,…`. */
export async function qrCodeDataUri(text: string): Promise<string> {
  return `data:image/svg+xml;base64,${Buffer.from(await qrCodeSvg(text), "utf8").toString("base64")}`;
}
