import type { Metadata } from "next";
import Link from "next/link";
import { findInvitedUser } from "@/lib/auth/users";
import { AcceptInviteForm } from "./accept-invite-form";

// same-origin, not no-referrer: the token never reaches another site, and the form's POST keeps its Origin
// (lib/http/security-headers.ts).
export const metadata: Metadata = { title: "Join the partner portal", referrer: "same-origin" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await findInvitedUser(token);
  if (!user) {
    return (
      <>
        <h1 className="text-xl font-semibold">This invite link does not work</h1>
        <p className="mt-2 text-sm text-slate-600">It may have expired, been used already, or been replaced by a newer one. Ask the admin who invited you for a new link.</p>
        <Link href="/login" className="mt-6 inline-block text-sm font-semibold text-brand-700 underline">Go to sign in</Link>
      </>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold">Join the partner portal</h1>
      <p className="mt-1 text-sm text-slate-600">
        You were invited as <strong>{user.email}</strong> ({user.role}). Choose a password to finish.
      </p>
      <AcceptInviteForm token={token} defaultName={user.name} />
    </>
  );
}
