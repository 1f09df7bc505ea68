import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { PasskeySignInButton } from "@/app/_components/passkeys";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { pendingSignIn } from "@/lib/auth/second-factor";
import { SecondFactorForm } from "./second-factor-form";

export const metadata: Metadata = { title: "Two-factor sign-in" };

export default async function SecondFactorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  const pending = await pendingSignIn();
  if (!pending) redirect(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  const { factors } = pending;
  return (
    <>
      <h1 className="text-xl font-semibold">Two-factor sign-in</h1>
      <p className="mt-1 text-sm text-slate-600">Signing in as {pending.user.email}. Confirm it is you with your second factor.</p>
      {factors.passkeys > 0 ? (
        <div className="mt-6">
          <PasskeySignInButton callbackUrl={callbackUrl} label="Use a passkey" />
        </div>
      ) : null}
      {factors.totp || factors.recoveryCodesLeft > 0 ? <SecondFactorForm callbackUrl={callbackUrl} totp={factors.totp} /> : null}
      <p className="mt-6 text-sm text-slate-600">
        Lost your device and your recovery codes? An admin of the portal can reset your two-factor sign-in.{" "}
        <Link href="/login" className="text-brand-700 underline-offset-2 hover:underline">
          Back to sign-in
        </Link>
      </p>
    </>
  );
}
