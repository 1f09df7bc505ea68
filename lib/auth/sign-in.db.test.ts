import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { findUserById, insertUser, updateUser } from "@/db/queries/users";
import { auditLog, authThrottle, type User } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase, setTestAppEnv } from "@/test/db/use-as-app-db";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { parseCredentials, signInWithPassword } from "./credentials";
import { ACCOUNT_DISABLED, authorizeCredentials } from "./options";
import type * as Password from "./password";
import { hashPassword, verifyPassword } from "./password";
import { guardCredentialsSignIn } from "./sign-in-guard";
import { changeOwnPassword } from "./users";

// Sign-in through next-auth's credentials endpoint (the guard in front of it, then authorize() on what the guard
// forwards) and through the sign-in form's path (signInWithPassword), against a real database: what the
// attacker gets, how many password hashes were checked, and what the database holds afterwards.

vi.mock("./password", async (importOriginal) => {
  const real = await importOriginal<typeof Password>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const hashChecks = () => vi.mocked(verifyPassword).mock.calls.length;

const PUBLIC_URL = "https://portal.example.test";
// The custom server binds 0.0.0.0, so that is the host route handlers see in req.url.
const BOUND_URL = "http://0.0.0.0:3000/api/auth/callback/credentials";
const FORM = "application/x-www-form-urlencoded";
const CREDENTIALS_ROUTE = ["callback", "credentials"];
const ENV_KEYS = { NEXTAUTH_URL: PUBLIC_URL, LOGIN_MAX_ATTEMPTS: "5", LOGIN_IP_MAX_ATTEMPTS: "1000", LOGIN_WINDOW_MINUTES: "15" };

type Attempt = { status: number; body?: Record<string, unknown>; user?: unknown; error?: string };

/** One POST to the credentials endpoint, as the route runs it: guard, then next-auth's body parsing and authorize(). */
async function postEndpoint(body: string, options: { type?: string; route?: string[]; ip?: string } = {}): Promise<Attempt> {
  const req = new NextRequest(BOUND_URL, {
    method: "POST",
    headers: { "content-type": options.type ?? FORM, [CLIENT_IP_HEADER]: options.ip ?? "198.51.100.7" },
    body,
  });
  const guarded = await guardCredentialsSignIn(req, options.route ?? CREDENTIALS_ROUTE);
  if ("refused" in guarded) return { status: guarded.refused.status, body: (await guarded.refused.json()) as Record<string, unknown> };
  // next-auth/next/utils getBody(): Object.fromEntries(new URLSearchParams(text)), handed to authorize() whole.
  const fields = Object.fromEntries(new URLSearchParams(await guarded.forward.text()));
  try {
    const user = await authorizeCredentials(fields);
    return { status: user ? 200 : 401, user };
  } catch (error) {
    return { status: 401, error: (error as Error).message };
  }
}

const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

forEachDatabase("sign-in: throttle, repeated fields, disabled accounts, password change", (ctx) => {
  let restoreDb: () => void;
  const password = "the-right-password-42";
  let passwordHash: string;

  const db = () => ctx.get().db;
  const newUser = async (prefix: string, extra: Partial<User> = {}) =>
    insertUser({ db: db(), user: { email: `${prefix}-${randomBytes(4).toString("hex")}@example.com`, role: "viewer", passwordHash, ...extra } });
  const throttleCount = async (key: string) => (await db().select().from(authThrottle).where(eq(authThrottle.key, key)))[0]?.attempts ?? 0;
  const signIns = async (userId: string) =>
    db().select().from(auditLog).where(and(eq(auditLog.action, "auth.sign_in"), eq(auditLog.targetId, userId)));

  beforeAll(async () => {
    setTestAppEnv(ENV_KEYS);
    restoreDb = bindAppDatabase(ctx.get());
    passwordHash = await hashPassword(password);
  });
  afterAll(() => {
    restoreDb();
    for (const key of Object.keys(ENV_KEYS)) delete process.env[key];
    setTestAppEnv();
  });
  beforeEach(() => {
    vi.mocked(verifyPassword).mockClear();
  });

  it("a locked-out email stays locked when it is sent twice beside a decoy: refused before any hash is checked", async () => {
    const victim = await newUser("victim");
    const decoy = `decoy-${randomBytes(4).toString("hex")}@example.com`;
    for (let i = 1; i <= 5; i++) {
      expect((await postEndpoint(form([["email", victim.email], ["password", `wrong-${i}`]]))).status, `attempt ${i}`).toBe(401);
    }
    expect(hashChecks()).toBe(5);

    // The bypass: the old guard throttled the first email (a fresh decoy), next-auth verified the last one.
    for (const order of [[decoy, victim.email], [victim.email, decoy]]) {
      const refused = await postEndpoint(form([["email", order[0]!], ["email", order[1]!], ["password", password]]));
      expect(refused).toMatchObject({ status: 400, body: { code: "invalid:repeated_field" } });
    }
    const twoPasswords = await postEndpoint(form([["email", victim.email], ["password", "x"], ["password", password]]));
    expect(twoPasswords.status).toBe(400);

    // Written differently (case, spaces), it is still the same throttled email as the one authorize() checks.
    const locked = await postEndpoint(form([["email", `  ${victim.email.toUpperCase()} `], ["password", password]]));
    expect(locked).toMatchObject({ status: 429, body: { code: "throttled:sign_in" } });

    expect(hashChecks()).toBe(5);
    expect((await findUserById({ db: db(), id: victim.id }))?.lastLoginAt).toBeNull();
    expect(await signIns(victim.id)).toEqual([]);
    expect(await throttleCount(`email:${victim.email}`)).toBe(6); // the refused repeats counted nothing
    expect(await throttleCount(`email:${decoy}`)).toBe(0);
  });

  it("a body next-auth would read another way (JSON, multipart, oversized) is refused and counts nothing", async () => {
    const user = await newUser("json");
    const json = await postEndpoint(JSON.stringify({ email: user.email, password }), { type: "application/json" });
    expect(json.status).toBe(415);
    const sneaky = await postEndpoint(JSON.stringify({ email: user.email, password }), { type: `${FORM}x; charset=application/json` });
    expect(sneaky.status).toBe(415);
    const large = await postEndpoint(form([["email", user.email], ["password", "p".repeat(20_000)]]));
    expect(large.status).toBe(413);
    expect(hashChecks()).toBe(0);
    expect(await throttleCount(`email:${user.email}`)).toBe(0);
    expect((await findUserById({ db: db(), id: user.id }))?.lastLoginAt).toBeNull();
  });

  it("any path next-auth reads as the credentials callback is guarded, and the 429 links to the public URL", async () => {
    const user = await newUser("paths");
    for (let i = 1; i <= 5; i++) await postEndpoint(form([["email", user.email], ["password", `wrong-${i}`]]));
    const refused = await postEndpoint(form([["email", user.email], ["password", password]]), { route: ["callback", "credentials", "extra"] });
    expect(refused.status).toBe(429);
    expect(refused.body?.url).toBe(`${PUBLIC_URL}/login?error=throttled`);
    expect(hashChecks()).toBe(5);
    expect(await signIns(user.id)).toEqual([]);
  });

  it("the sign-in form's path throttles the same email: locked out, the right password is not even checked", async () => {
    const user = await newUser("form");
    for (let i = 1; i <= 5; i++) {
      expect(await signInWithPassword(parseCredentials({ email: user.email, password: `wrong-${i}` }), "198.51.100.8")).toEqual({ ok: false, reason: "invalid" });
    }
    const locked = await signInWithPassword(parseCredentials({ email: user.email.toUpperCase(), password }), "198.51.100.8");
    expect(locked).toMatchObject({ ok: false, reason: "throttled" });
    expect(hashChecks()).toBe(5);
    expect((await findUserById({ db: db(), id: user.id }))?.lastLoginAt).toBeNull();
  });

  it("a disabled user is told so only after the right password; a wrong one gets the generic answer", async () => {
    const user = await newUser("disabled", { disabledAt: new Date() });
    const wrong = await postEndpoint(form([["email", user.email], ["password", "not-it-at-all"]]));
    expect(wrong).toMatchObject({ status: 401, user: null });
    const right = await postEndpoint(form([["email", user.email], ["password", password]]));
    expect(right).toMatchObject({ status: 401, error: ACCOUNT_DISABLED });
    expect(await signInWithPassword(parseCredentials({ email: user.email, password }), "198.51.100.9")).toEqual({ ok: false, reason: "disabled" });
    expect(await signInWithPassword(parseCredentials({ email: user.email, password: "nope-nope" }), "198.51.100.9")).toEqual({ ok: false, reason: "invalid" });

    const after = await findUserById({ db: db(), id: user.id });
    expect(after?.lastLoginAt).toBeNull();
    expect(after?.disabledAt).not.toBeNull();
    expect(await signIns(user.id)).toEqual([]);
    expect(await throttleCount(`email:${user.email}`)).toBe(4); // not forgiven: no sign-in happened

    // Enabled again, the same password signs in.
    await updateUser({ db: db(), id: user.id, set: { disabledAt: null } });
    expect(await postEndpoint(form([["email", user.email], ["password", password]]))).toMatchObject({ status: 200 });
  });

  it("changing the password moves the user to a new session version and returns it for the current session", async () => {
    const user = await newUser("changer");
    const updated = await changeOwnPassword(user.id, { currentPassword: password, newPassword: "a-brand-new-password-7" });
    expect(updated.sessionVersion).toBe(user.sessionVersion + 1);
    const stored = await findUserById({ db: db(), id: user.id });
    expect(stored?.sessionVersion).toBe(user.sessionVersion + 1);
    expect(stored?.passwordHash).not.toBe(passwordHash);
    const audited = await db().select().from(auditLog).where(and(eq(auditLog.action, "user.password_changed"), eq(auditLog.targetId, user.id)));
    expect(audited).toHaveLength(1);

    // A wrong current password changes nothing, not even the version.
    await expect(changeOwnPassword(user.id, { currentPassword: "wrong-current-pw", newPassword: "another-password-88" })).rejects.toMatchObject({
      code: "invalid:password",
    });
    expect((await findUserById({ db: db(), id: user.id }))?.sessionVersion).toBe(user.sessionVersion + 1);
  });
});
