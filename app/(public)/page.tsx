import Link from "next/link";
import { connection } from "next/server";

export default async function LandingPage() {
  await connection(); // per request: the CSP nonce is fresh for every view
  return (
    <main className="mx-auto max-w-3xl px-6 py-20">
      <p className="text-sm font-semibold uppercase tracking-wide text-brand-700">WhatsApp Business API</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight">Connect your WhatsApp number</h1>
      <p className="mt-4 text-slate-700">
        Your provider uses this portal to put your business on the WhatsApp Business API through 360dialog. Client
        onboarding is not switched on here yet: if you received a personal invite link, open that link instead.
      </p>
      <p className="mt-8 text-sm text-slate-600">
        Partner staff: <Link href="/login" className="font-semibold text-brand-700 underline">sign in</Link>.
      </p>
    </main>
  );
}
