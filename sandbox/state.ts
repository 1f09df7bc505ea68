import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import {
  DEFAULT_CONFIG,
  type ApiKeyRecord,
  type Channel,
  type Client,
  type Delivery,
  type EsSession,
  type IoFlow,
  type Partner,
  type SandboxConfig,
  type TemplateRecord,
} from "./types";

// All sandbox data, in memory. With a state file, the durable part (partners, clients, channels, keys,
// templates, used IO signatures, Embedded Signup sessions) is written there shortly after each change and
// read back at start. Flows, tokens, deliveries and pending timers live only as long as the process.

export interface StateOptions {
  now: () => number;
  stateFile?: string;
  config?: Partial<SandboxConfig>;
  log: (message: string) => void;
  saveDelayMs?: number;
}

const MAX_DELIVERIES = 5000;

const withId = z.looseObject({ id: z.string() });
const fileSchema = z.object({
  version: z.literal(1),
  partners: z.array(withId),
  clients: z.array(withId),
  channels: z.array(withId),
  apiKeys: z.array(withId),
  templates: z.array(withId),
  usedIoSignatures: z.array(z.tuple([z.string(), z.number()])),
  esSessions: z.array(z.looseObject({ wabaId: z.string() })),
});

export class SandboxState {
  readonly partners = new Map<string, Partner>();
  readonly clients = new Map<string, Client>();
  readonly channels = new Map<string, Channel>();
  apiKeys: ApiKeyRecord[] = [];
  readonly templates = new Map<string, TemplateRecord>();
  /** IO signature → UNIX second after which it would be refused as expired anyway. */
  readonly usedIoSignatures = new Map<string, number>();
  readonly esSessions = new Map<string, EsSession>();
  readonly tokens = new Map<string, { partnerId: string; expiresAt: number }>();
  readonly flows = new Map<string, IoFlow>();
  deliveries: Delivery[] = [];
  deliveryCount = 0;
  config: SandboxConfig;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: StateOptions) {
    this.config = { ...DEFAULT_CONFIG, ...options.config };
  }

  now(): number {
    return this.options.now();
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Call after every change to durable data: schedules one write of the state file. */
  changed(): void {
    if (!this.options.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, this.options.saveDelayMs ?? 200);
  }

  /** Writes a pending change now (used by close()). */
  flush(): void {
    if (!this.saveTimer) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.save();
  }

  private save(): void {
    const file = this.options.stateFile;
    if (!file) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.toFile(), null, 2));
      renameSync(tmp, file);
    } catch (error) {
      this.options.log(`[sandbox] could not write state file ${file}: ${(error as Error).message}`);
    }
  }

  toFile() {
    return {
      version: 1 as const,
      savedAt: this.iso(),
      partners: [...this.partners.values()],
      clients: [...this.clients.values()],
      channels: [...this.channels.values()],
      apiKeys: this.apiKeys,
      templates: [...this.templates.values()],
      usedIoSignatures: [...this.usedIoSignatures.entries()],
      esSessions: [...this.esSessions.values()],
    };
  }

  /** Loads the state file if it exists. A file that is not ours stops the start rather than being overwritten. */
  load(): boolean {
    const file = this.options.stateFile;
    if (!file || !existsSync(file)) return false;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new Error(`state file ${file} is not valid JSON (${(error as Error).message}); move it away or fix it`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`state file ${file} is not a sandbox state file (version 1)`);
    const data = parsed.data;
    this.clearData();
    for (const p of data.partners as unknown as Partner[]) this.partners.set(p.id, p);
    for (const c of data.clients as unknown as Client[]) this.clients.set(c.id, c);
    for (const ch of data.channels as unknown as Channel[]) this.channels.set(ch.id, ch);
    this.apiKeys = data.apiKeys as unknown as ApiKeyRecord[];
    for (const t of data.templates as unknown as TemplateRecord[]) this.templates.set(t.id, t);
    for (const [sig, exp] of data.usedIoSignatures) this.usedIoSignatures.set(sig, exp);
    for (const s of data.esSessions as unknown as EsSession[]) this.esSessions.set(s.wabaId, s);
    return true;
  }

  private clearData(): void {
    this.partners.clear();
    this.clients.clear();
    this.channels.clear();
    this.apiKeys = [];
    this.templates.clear();
    this.usedIoSignatures.clear();
    this.esSessions.clear();
    this.tokens.clear();
    this.flows.clear();
  }

  reset(config: Partial<SandboxConfig> = {}): void {
    this.clearData();
    this.deliveries = [];
    this.deliveryCount = 0;
    this.config = { ...DEFAULT_CONFIG, ...this.options.config, ...config };
    this.changed();
  }

  recordDelivery(delivery: Omit<Delivery, "seq">): Delivery {
    this.deliveryCount += 1;
    const record = { seq: this.deliveryCount, ...delivery };
    this.deliveries.push(record);
    if (this.deliveries.length > MAX_DELIVERIES) this.deliveries.splice(0, this.deliveries.length - MAX_DELIVERIES);
    return record;
  }

  clientsOf(partnerId: string): Client[] {
    return [...this.clients.values()].filter((c) => c.partnerId === partnerId);
  }

  channelsOf(partnerId: string): Channel[] {
    return [...this.channels.values()].filter((c) => c.partnerId === partnerId);
  }

  channelsOfClient(clientId: string): Channel[] {
    return [...this.channels.values()].filter((c) => c.clientId === clientId);
  }

  activeKeyOf(channelId: string): ApiKeyRecord | undefined {
    return this.apiKeys.find((k) => k.channelId === channelId && k.revokedAt === null);
  }

  channelByKey(key: string): Channel | undefined {
    const record = this.apiKeys.find((k) => k.key === key && k.revokedAt === null);
    return record ? this.channels.get(record.channelId) : undefined;
  }

  revokeKeys(channelId: string): void {
    const at = this.iso();
    for (const k of this.apiKeys) if (k.channelId === channelId && k.revokedAt === null) k.revokedAt = at;
    this.changed();
  }

  /** Removes expired flows, tokens and spent IO signatures so long runs do not grow without bound. */
  prune(): void {
    const now = this.now();
    for (const [id, flow] of this.flows) if (flow.expiresAt < now) this.flows.delete(id);
    for (const [token, t] of this.tokens) if (t.expiresAt < now) this.tokens.delete(token);
    const nowS = this.nowSeconds();
    for (const [sig, exp] of this.usedIoSignatures) if (exp < nowS) this.usedIoSignatures.delete(sig);
  }
}

export function maskSecret(value: string): string {
  if (value.length <= 8) return "****";
  return `${value.slice(0, 2)}…${value.slice(-4)}`;
}
