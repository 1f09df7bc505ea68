import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// A static check that every route handler answers its errors through the one exit (lib/http/error-response.ts,
// or problemOf() for the webhook receiver's pre-serialised answers) rather than writing an error body itself.

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

function routeFiles(dir = "app/api"): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return routeFiles(rel);
    return entry.name === "route.ts" ? [rel] : [];
  });
}

/** Modules that answer HTTP for route handlers which only delegate to them, and what each answers errors with. */
const handlerModules: Record<string, RegExp> = {
  "lib/onboarding/routes.ts": /from "\.\/http"/,
  "lib/onboarding/http.ts": /from "\.\.\/http\/error-response"/,
  "lib/auth/sign-in-guard.ts": /from "\.\.\/http\/error-response"/,
  // The receiver's refusals are fixed: serialised once from problemOf() so a delivery costs nothing extra.
  "lib/webhooks/ingest.ts": /\bproblemOf\(/,
  "lib/webhooks/waba-ingest.ts": /\bproblemOf\(/,
  // Every /api/v1 route is apiRoute(operation): one wrapper answers every operation's errors.
  "lib/api/operation.ts": /from "\.\.\/http\/error-response"/,
};

/** Routes that cannot fail with an error body of their own, and why. */
const noErrorAnswers: Record<string, string> = {
  "app/api/health/route.ts": "its 503 is the health report itself, read by monitors",
  "app/api/v1/openapi.json/route.ts": "a document built from constants in code: nothing a request sends can make it fail",
};

const usesExit = /from "@\/lib\/http\/error-response"/;
const delegatesTo = (source: string) => Object.keys(handlerModules).find((file) => source.includes(`from "@/${file.replace(/\.ts$/, "")}"`));

/** Ways an error body can be written by hand, bypassing the one exit. */
const handWritten: [string, RegExp][] = [
  ["an error status literal", /status:\s*[45]\d\d\b/],
  ["an { error } body", /\berror:\s*["'{`]/],
  ["a message turned into a body", /\bpublicMessageOf\(|\.publicMessage\b/],
  ["an AppError turned into a body", /\bisAppError\([^)]*\)\s*\?\s*[^:]*\.status/],
];

describe("one way out for errors", () => {
  const routes = routeFiles();

  it("finds the route handlers", () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
  });

  it.each(routes)("%s answers errors through the exit or a handler module that does", (file) => {
    const source = read(file);
    if (file in noErrorAnswers) return;
    const delegate = delegatesTo(source);
    expect(usesExit.test(source) || delegate !== undefined, `${file} neither imports lib/http/error-response nor delegates to a handler module`).toBe(true);
  });

  it.each([...routes, ...Object.keys(handlerModules)])("%s writes no error body by hand", (file) => {
    const source = read(file);
    for (const [what, pattern] of handWritten) expect(pattern.test(source), `${file}: ${what}`).toBe(false);
  });

  it.each(Object.entries(handlerModules))("%s uses the exit", (file, pattern) => {
    expect(pattern.test(read(file))).toBe(true);
  });
});
