import { getLogger } from "@/lib/log";

/*
 * A process for test/proofs/log-exit.test.ts: logs LINES lines through the portal's logger, whose stdout writes are
 * asynchronous (lib/log.ts), and exits at once, with most of them still held, the way a fatal error or a signal
 * handler ends the portal. Run: node --conditions=react-server --import tsx test/proofs/log-exit-child.ts <lines> [--throw]
 */

const lines = Number(process.argv[2] ?? "5000");
const log = getLogger();
const padding = "x".repeat(200);
for (let seq = 1; seq <= lines; seq++) log.info({ seq, padding }, "proof line");
if (process.argv.includes("--throw")) throw new Error("proof: uncaught after logging");
process.exit(0);
