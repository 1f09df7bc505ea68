import { getDatabaseHandle } from "@/lib/db";
import { ConfigError, getEnv } from "@/lib/env";
import { rewrapAllSecrets } from "@/lib/secrets-rewrap";

// npm run keys:rewrap: seals every stored secret under the first key of APP_ENCRYPTION_KEY (README, "Rotating the
// encryption key"). Safe to stop and run again; safe beside running portal instances (each row is a
// compare-and-set). Exits 1 when a value could not be opened, so a rotation is not finished by mistake.

function fatal(message: string): never {
  console.error(`[keys:rewrap] ${message}`);
  process.exit(1);
}

try {
  getEnv();
} catch (error) {
  fatal(error instanceof ConfigError ? error.message : String(error));
}
const handle = await getDatabaseHandle().catch((error: unknown) => fatal(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`));
try {
  const report = await rewrapAllSecrets(handle.db, { onProgress: (done) => console.info(`[keys:rewrap] ${done} re-sealed so far`) });
  console.info(`[keys:rewrap] ${report.resealed} value(s) re-sealed under "${report.keyId}"`);
  for (const f of report.failed) console.error(`[keys:rewrap] could not open ${f.table}.${f.field} of ${f.id}: ${f.reason}`);
  const others = Object.entries(report.remaining).filter(([kid]) => kid !== report.keyId);
  if (others.length === 0) console.info(`[keys:rewrap] every secret is sealed with "${report.keyId}": older keys can be removed from APP_ENCRYPTION_KEY`);
  else console.info(`[keys:rewrap] still sealed with older keys: ${others.map(([kid, n]) => `${kid}: ${n}`).join(", ")}`);
  process.exitCode = report.failed.length > 0 ? 1 : 0;
} finally {
  await handle.close();
}
