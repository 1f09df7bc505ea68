import { z } from "zod";
import { HttpError, metaBody } from "./http-util";

// Fault injection, set through POST /_sandbox/faults ({} clears). Latency, rate limits and errors apply to
// the Partner API (/api/v2) and the Messaging API (/v1); drops, duplicates and reordering to partner webhooks.

export const faultSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(60_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    rateLimit: z
      .object({
        every: z.number().int().min(1),
        retryAfterSeconds: z.number().int().min(0).max(3600),
      })
      .strict()
      .optional(),
    duplicateDeliveries: z.number().int().min(0).max(10).optional(),
    outOfOrderDeliveries: z.boolean().optional(),
    dropDeliveries: z.number().min(0).max(1).optional(),
    /**
     * The next `count` API-key generations (POST …/api_keys) fail with `status` and 360dialog's error envelope
     * (docs/channel-lifecycle.md §4), then they work again.
     */
    apiKeyFailures: z
      .object({
        count: z.number().int().min(1).max(100),
        status: z.number().int().min(400).max(599).optional(),
        message: z.string().min(1).max(300).optional(),
      })
      .strict()
      .optional(),
    /**
     * Partner webhooks go out without `x-360dialog-signature`, as from a hub whose platform secret the portal
     * does not have yet (docs/hub-settings.md §5). 360dialog documents the header on every delivery; this is the
     * portal's worst case, not 360dialog's habit.
     */
    unsignedDeliveries: z.boolean().optional(),
    /**
     * Messaging and WABA webhook deliveries go out without the custom headers set with `POST /waba_webhook` or
     * `/v1/configs/webhook`: whether 360dialog forwards them is not documented (docs/waba-webhook.md §2.1), so
     * the portal must cope with a hub that drops them. The URL is kept as set.
     */
    dropCustomHeaders: z.boolean().optional(),
    /** Every Partner API request (`/api/v2`) answered with this status: a revoked key (401), a foreign one (403), a wrong base URL (404). */
    partnerApiStatus: z.union([z.literal(401), z.literal(403), z.literal(404)]).optional(),
  })
  .strict();

export type FaultConfig = z.infer<typeof faultSchema>;

export class Faults {
  private config: FaultConfig = {};
  private apiRequests = 0;
  private apiKeyFailuresLeft = 0;

  constructor(
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly random: () => number = Math.random,
  ) {}

  set(config: FaultConfig): void {
    this.config = config;
    this.apiRequests = 0;
    this.apiKeyFailuresLeft = config.apiKeyFailures?.count ?? 0;
  }

  /** For one API-key generation: the injected failure, while any is left. */
  takeApiKeyFailure(): HttpError | null {
    const f = this.config.apiKeyFailures;
    if (!f || this.apiKeyFailuresLeft <= 0) return null;
    this.apiKeyFailuresLeft -= 1;
    const status = f.status ?? 500;
    return new HttpError(status, metaBody(status, f.message ?? "Failed to create API key for the channel", ["The WhatsApp Business API client did not answer in time. Please try again later."]));
  }

  /** How many injected key failures are still to come (for /_sandbox/faults). */
  get apiKeyFailuresRemaining(): number {
    return this.apiKeyFailuresLeft;
  }

  get current(): FaultConfig {
    return this.config;
  }

  /** For one API request: waits the injected latency, then maybe answers 429 or 500 instead of the API. */
  async beforeApiRequest(pathname = ""): Promise<HttpError | null> {
    const { latencyMs, rateLimit, errorRate, partnerApiStatus } = this.config;
    if (latencyMs) await this.sleep(latencyMs);
    if (partnerApiStatus && pathname.startsWith("/api/v2")) {
      const words = { 401: "Invalid API key (sandbox fault injection)", 403: "Forbidden for this partner (sandbox fault injection)", 404: "Not found (sandbox fault injection)" }[partnerApiStatus];
      return new HttpError(partnerApiStatus, metaBody(partnerApiStatus, words));
    }
    this.apiRequests += 1;
    if (rateLimit && this.apiRequests % rateLimit.every === 0) {
      return new HttpError(429, metaBody(429, "Too many requests (sandbox fault injection)"), {
        headers: { "retry-after": String(rateLimit.retryAfterSeconds) },
      });
    }
    if (errorRate && this.random() < errorRate) {
      return new HttpError(500, metaBody(500, "Internal server error (sandbox fault injection)"));
    }
    return null;
  }

  shouldDropDelivery(): boolean {
    const rate = this.config.dropDeliveries;
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  get duplicateDeliveries(): number {
    return this.config.duplicateDeliveries ?? 0;
  }

  get unsignedDeliveries(): boolean {
    return this.config.unsignedDeliveries ?? false;
  }

  get dropCustomHeaders(): boolean {
    return this.config.dropCustomHeaders ?? false;
  }

  get outOfOrderDeliveries(): boolean {
    return this.config.outOfOrderDeliveries ?? false;
  }
}
