import postgres from "postgres";
import { guardAgainstPostgresDriverErrors } from "@/lib/process-guards";

/*
 * A process for test/proofs/startup-types.db.test.ts: postgres.js's array-types query, the first statement of every
 * new connection, fails, and its promise is awaited by no one (porsager/postgres#1192). With the guard the portal
 * and the worker install (lib/process-guards.ts), the process goes on and its next pool works; with --unguarded it
 * gets Node's default, which ends it.
 * Run: DATABASE_URL=… node --import tsx test/proofs/startup-types-child.ts [--unguarded]
 */

if (!process.argv.includes("--unguarded")) guardAgainstPostgresDriverErrors("proof");
const url = process.env.DATABASE_URL!;

// A 1 ms statement_timeout bound at the handshake cancels the array-types query (it takes ~3 ms), the reproduction
// of porsager/postgres#1192; in CI it was the connect timeout firing during a database restart.
const cancelling = postgres(url, { max: 1, connection: { statement_timeout: 1 }, onnotice: () => {} });
const firstQuery = await cancelling`select 1 as n`.then(
  () => "answered",
  (error: unknown) => String((error as { code?: unknown }).code),
);
await cancelling.end();
await new Promise((resolve) => setTimeout(resolve, 500));

const healthy = postgres(url, { max: 1, onnotice: () => {} });
const [row] = await healthy<{ n: number }[]>`select 2 as n`;
await healthy.end();
console.log(JSON.stringify({ proofReady: { firstQuery, afterwards: row?.n ?? null } }));
