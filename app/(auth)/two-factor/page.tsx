import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AddPasskeyForm } from "@/app/_components/passkeys";
import { getCurrentUser } from "@/lib/auth/session";
import { TotpEnrolment } from "./totp-enrolment";

export const metadata: Metadata = { title: "Set up two-factor sign-in" };

/**
 * Where the two-factor policy sends a user without a second factor right after sign-in; every other page and
 * action refuses them until one is set up (docs/accounts.md §3).
 */
export default async function TwoFactorEnrolmentPage() {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  if (user.mustChangePassword) redirect("/change-password");
  if (!user.enrolmentDue) redirect("/dashboard/account");
  return (
    <>
      <h1 className="text-xl font-semibold">Set up two-factor sign-in</h1>
      <p className="mt-1 text-sm text-slate-600">
        This portal requires a second factor for your account ({user.email}). Set up an authenticator app or a passkey to continue.
      </p>
      <section className="mt-6 space-y-2">
        <h2 className="font-medium">Authenticator app</h2>
        <TotpEnrolment then="/dashboard" />
      </section>
      <section className="mt-6 space-y-2">
        <h2 className="font-medium">Passkey</h2>
        <AddPasskeyForm then="/dashboard" />
      </section>
    </>
  );
}
