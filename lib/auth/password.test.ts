import { hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "./password";

describe("password hashing", () => {
  it("stores argon2id with at least the OWASP parameters", async () => {
    const stored = await hashPassword("correct horse battery");
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(19_456);
    expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    expect(Number(m![3])).toBe(1);
    expect(needsRehash(stored)).toBe(false);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(await verifyPassword(stored, "correct horse battery")).toBe(true);
    expect(await verifyPassword(stored, "correct horse batterz")).toBe(false);
  });

  it("refuses an account without a hash, after doing the same work", async () => {
    const started = performance.now();
    expect(await verifyPassword(null, "whatever it is")).toBe(false);
    expect(performance.now() - started).toBeGreaterThan(1);
  });

  it("never throws on a corrupt stored hash", async () => {
    expect(await verifyPassword("not-a-hash", "x")).toBe(false);
  });

  it("asks to rehash weaker or foreign hashes", async () => {
    const weak = await hash("pw", { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash("$2b$10$abcdefghijklmnopqrstuu")).toBe(true);
  });
});
