import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { generate } from "otplib";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { secondFactorsOf, writeTwoFactorPolicy } from "@/db/queries/account-security";
import { findLiveSessionUser, insertStaffSession } from "@/db/queries/staff-sessions";
import { insertUser } from "@/db/queries/users";
import { auditLog, authThrottle, passkeys } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase, setTestAppEnv } from "@/test/db/use-as-app-db";
import { isAppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { parseCredentials, signInWithPassword } from "./credentials";
import { hashPassword } from "./password";
import { beginSecondFactor, completeSecondFactorWithCode, MAX_GUESSES_PER_PENDING_SIGN_IN } from "./second-factor";
import { endMyOtherSessions } from "./staff-sessions";
import { confirmTotpEnrolment, startTotpEnrolment } from "./totp";

// The second step of a sign-in against a real database (docs/accounts.md §1): how many code guesses an attacker
// who knows the password gets, that a recovery code works once, that a TOTP code works once, and that an
// ended session no longer finds its user. next/headers is replaced by one browser's cookie jar and request headers.

const jar = new Map<string, string>();
const requestHeaders = new Headers();
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (opts: string | { name: string }) => void jar.delete(typeof opts === "string" ? opts : opts.name),
  }),
  headers: async () => requestHeaders,
}));

const MAX_ATTEMPTS = 5;
const ENV_KEYS = { NEXTAUTH_URL: "https://portal.example.test", LOGIN_MAX_ATTEMPTS: String(MAX_ATTEMPTS), LOGIN_IP_MAX_ATTEMPTS: "1000", LOGIN_WINDOW_MINUTES: "15" };
const PASSWORD = "the-right-password-42";

forEachDatabase("second factor: throttled guesses, single-use codes, ended sessions", (ctx) => {
  let restoreDb: () => void;
  let passwordHash: string;
  const db = () => ctx.get().db;

  /** A user with a confirmed authenticator app; answers the secret and the ten recovery codes. */
  async function userWithTotp(prefix: string) {
    const user = await insertUser({ db: db(), user: { email: `${prefix}-${randomBytes(4).toString("hex")}@example.com`, role: "admin", passwordHash } });
    const actor = { id: user.id, email: user.email };
    const { secret } = await startTotpEnrolment(actor);
    const recoveryCodes = await confirmTotpEnrolment(actor, await generate({ secret }), "192.0.2.10");
    expect(await secondFactorsOf({ db: db(), userId: user.id })).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });
    return { user, secret, recoveryCodes };
  }

  /** Password step as the sign-in form runs it, then the pending second step in this "browser". */
  async function passwordStep(email: string, ip: string) {
    const outcome = await signInWithPassword(parseCredentials({ email, password: PASSWORD }), ip);
    if (outcome.ok && outcome.secondFactorDue) await beginSecondFactor(outcome.user);
    return outcome;
  }

  async function tryCode(code: string, ip: string): Promise<string> {
    try {
      await completeSecondFactorWithCode(code, ip);
      return "ok";
    } catch (error) {
      if (!isAppError(error)) throw error;
      return error.code;
    }
  }

  const throttleCount = async (key: string) => (await db().select().from(authThrottle).where(eq(authThrottle.key, key)))[0]?.attempts ?? 0;

  beforeAll(async () => {
    setTestAppEnv(ENV_KEYS);
    restoreDb = bindAppDatabase(ctx.get());
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(() => {
    restoreDb();
    for (const key of Object.keys(ENV_KEYS)) delete process.env[key];
    setTestAppEnv();
  });
  beforeEach(() => {
    jar.clear();
    requestHeaders.set(CLIENT_IP_HEADER, "198.51.100.20");
    requestHeaders.set("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36");
  });

  it("cuts a code brute force off after LOGIN_MAX_ATTEMPTS guesses per window, even for someone who knows the password", async () => {
    const { user, secret } = await userWithTotp("brute");
    const ip = "203.0.113.50";
    let guessesChecked = 0;
    const answers: string[] = [];
    // The attacker retypes the password whenever the pending sign-in is dropped, and keeps guessing.
    for (let round = 0; round < 10; round++) {
      const outcome = await passwordStep(user.email, ip);
      if (!outcome.ok) {
        answers.push(`password:${outcome.reason}`);
        continue;
      }
      expect(outcome.secondFactorDue).toBe(true);
      for (let i = 0; i < MAX_GUESSES_PER_PENDING_SIGN_IN + 1; i++) {
        const answer = await tryCode(String(100000 + round * 10 + i).padStart(6, "0"), ip);
        answers.push(answer);
        if (answer === "invalid:second_factor" || answer === "gone:second_factor") guessesChecked++;
        if (answer !== "invalid:second_factor") break;
      }
    }
    // Password and code attempts share the email's budget, and a right password forgives nothing while a second
    // factor is due: at most LOGIN_MAX_ATTEMPTS - 1 codes were ever checked in this window.
    expect(guessesChecked).toBeLessThan(MAX_ATTEMPTS);
    expect(answers.filter((a) => a === "password:throttled" || a === "throttled:sign_in").length).toBeGreaterThan(0);
    // Three codes are valid at a time (one step either side): the share of the 10^6 space covered per window.
    expect((guessesChecked * 3) / 1e6).toBeLessThan(2e-5);
    // Locked out, even the right password and then the right code get nowhere: nothing is checked.
    jar.clear();
    expect(await passwordStep(user.email, ip)).toMatchObject({ ok: false, reason: "throttled" });
    expect(await tryCode(await generate({ secret }), ip)).toBe("gone:second_factor");
    expect(await throttleCount(`email:${user.email}`)).toBeGreaterThan(MAX_ATTEMPTS);
    const failures = await db().select().from(auditLog).where(and(eq(auditLog.action, "auth.second_factor_failed"), eq(auditLog.targetId, user.id)));
    expect(failures.length).toBe(guessesChecked);
  });

  it("drops a pending sign-in after MAX_GUESSES_PER_PENDING_SIGN_IN wrong codes, and a right password does not reset the email's count", async () => {
    setTestAppEnv({ ...ENV_KEYS, LOGIN_MAX_ATTEMPTS: "50" });
    try {
      const { user } = await userWithTotp("pending");
      const ip = "203.0.113.51";
      await passwordStep(user.email, ip);
      expect(await throttleCount(`email:${user.email}`)).toBe(1);
      const answers = [];
      for (let i = 0; i < MAX_GUESSES_PER_PENDING_SIGN_IN + 1; i++) answers.push(await tryCode("000000", ip));
      expect(answers).toEqual([...Array(MAX_GUESSES_PER_PENDING_SIGN_IN - 1).fill("invalid:second_factor"), "gone:second_factor", "gone:second_factor"]);
      // Every code typed was counted on the email, and the right password before them forgave nothing.
      expect(await throttleCount(`email:${user.email}`)).toBe(1 + MAX_GUESSES_PER_PENDING_SIGN_IN);
    } finally {
      setTestAppEnv(ENV_KEYS);
    }
  });

  it("accepts a recovery code once and a TOTP code once, and forgives the email's count on success", async () => {
    const { user, secret, recoveryCodes } = await userWithTotp("codes");
    const ip = "203.0.113.52";
    await passwordStep(user.email, ip);
    expect(await tryCode(recoveryCodes[0]!.toUpperCase(), ip)).toBe("ok");
    expect(await throttleCount(`email:${user.email}`)).toBe(0);
    const used = await db().select().from(auditLog).where(and(eq(auditLog.action, "two_factor.recovery_code_used"), eq(auditLog.targetId, user.id)));
    expect(used).toHaveLength(1);
    expect(used[0]!.ip).toBe(ip);

    jar.clear();
    await passwordStep(user.email, ip);
    expect(await tryCode(recoveryCodes[0]!, ip)).toBe("invalid:second_factor");
    // The code of the next time step (the one confirmed at enrolment is spent) works once; its replay is refused.
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect(await tryCode(next, ip)).toBe("ok");
    jar.clear();
    await passwordStep(user.email, ip);
    expect(await tryCode(next, ip)).toBe("invalid:second_factor");
  });

  it("an ended session no longer finds its user; the current one does", async () => {
    const { user, recoveryCodes } = await userWithTotp("sessions");
    const ip = "203.0.113.53";
    const sessionIds: string[] = [];
    for (const code of recoveryCodes.slice(0, 2)) {
      jar.clear();
      await passwordStep(user.email, ip);
      expect(await tryCode(code, ip)).toBe("ok");
      const rows = await db().query.staffSessions.findMany({ where: (s, { eq: is }) => is(s.userId, user.id) });
      sessionIds.push(rows.map((r) => r.id).find((id) => !sessionIds.includes(id))!);
    }
    const [first, second] = sessionIds as [string, string];
    expect(await findLiveSessionUser({ db: db(), sessionId: first, touchAfterSeconds: 60 })).toBeDefined();
    expect(await endMyOtherSessions({ id: user.id, email: user.email }, second, ip)).toBe(1);
    expect(await findLiveSessionUser({ db: db(), sessionId: first, touchAfterSeconds: 60 })).toBeUndefined();
    expect(await findLiveSessionUser({ db: db(), sessionId: second, touchAfterSeconds: 60 })).toMatchObject({ user: { id: user.id }, hasSecondFactor: true, policy: "off" });
  });

  it("a passkey alone counts as a second factor for the policy check, and the policy is read with the session", async () => {
    const user = await insertUser({ db: db(), user: { email: `pk-${randomBytes(4).toString("hex")}@example.com`, role: "admin", passwordHash } });
    const session = await insertStaffSession({ db: db(), session: { userId: user.id, method: "passkey", userAgent: "", ip: "", browserHash: "", expiresAt: new Date(Date.now() + 3600_000) } });
    const read = () => findLiveSessionUser({ db: db(), sessionId: session.id, touchAfterSeconds: 60 });
    expect(await read()).toMatchObject({ hasSecondFactor: false, policy: "off" });
    await writeTwoFactorPolicy({ db: db(), policy: "admins", userId: user.id });
    await db().insert(passkeys).values({ userId: user.id, name: "k", credentialId: randomBytes(16).toString("base64url"), publicKey: "AA" });
    expect(await read()).toMatchObject({ hasSecondFactor: true, policy: "admins" });
    expect(await secondFactorsOf({ db: db(), userId: user.id })).toEqual({ totp: false, passkeys: 1, recoveryCodesLeft: 0 });
    await writeTwoFactorPolicy({ db: db(), policy: "off", userId: user.id });
  });
});
