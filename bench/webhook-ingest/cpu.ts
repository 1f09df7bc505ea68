import { readFileSync } from "node:fs";
import type postgres from "postgres";

// CPU time spent per delivery, read from /proc (Linux): the server process's own, and the PostgreSQL backends'
// of the bench database. Unlike req/s on a shared 2-core machine, it does not depend on what else is running, so
// the ratio of CPU per delivery is the figure to trust when the load average is high.

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or 0 when it is gone (or /proc is not there). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export type CpuSample = { server: number; backends: Map<number, number> };

/** The backends of `database` as PostgreSQL lists them (pool connections outlive a phase: idle_timeout 60 s). */
export async function sampleCpu(sql: postgres.Sql, database: string, serverPid: number | undefined): Promise<CpuSample> {
  const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
  return { server: processCpuMs(serverPid), backends: new Map(rows.map((r) => [r.pid, processCpuMs(r.pid)])) };
}

/** CPU ms used between two samples: the server's, and the backends' (a backend opened meanwhile counts from 0). */
export function cpuBetween(before: CpuSample, after: CpuSample): { server: number; postgres: number } {
  let postgresMs = 0;
  for (const [pid, ms] of after.backends) postgresMs += Math.max(0, ms - (before.backends.get(pid) ?? 0));
  return { server: Math.max(0, after.server - before.server), postgres: postgresMs };
}
