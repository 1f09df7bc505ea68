import { readFileSync } from "node:fs";
import path from "node:path";
import { test, expect } from "./support/fixtures";

// The light pages' scripts are named after their content (scripts/light-islands.ts), so next.config.ts lets a
// browser keep them for a year; the manifest beside them is not hashed and keeps Next's max-age=0.
test("the light pages' hashed scripts are served immutable, their manifest is not", async ({ request }) => {
  const light = path.join(process.cwd(), "public", "_light");
  const { loader } = JSON.parse(readFileSync(path.join(light, "manifest.json"), "utf8")) as { loader: string };
  const loaderAnswer = await request.get(loader);
  expect(loaderAnswer.status()).toBe(200);
  expect(loaderAnswer.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");

  // A chunk the loader imports, as the browser would fetch it on the click.
  const chunk = /chunks\/[\w-]+\.js/.exec(await loaderAnswer.text())?.[0];
  expect(chunk, "the loader imports a chunk").toBeTruthy();
  const chunkAnswer = await request.get(`/_light/${chunk}`);
  expect(chunkAnswer.status()).toBe(200);
  expect(chunkAnswer.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");

  const manifestAnswer = await request.get("/_light/manifest.json");
  expect(manifestAnswer.headers()["cache-control"]).toBe("public, max-age=0");
});
