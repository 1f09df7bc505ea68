"use client";

import { useState } from "react";
import { secondaryButtonClass } from "@/app/_components/ui";
import type { IssuedInvite } from "@/lib/dashboard/invites";

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className={secondaryButtonClass} onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}>
      {copied ? "Copied" : label}
    </button>
  );
}

/** The link exists only here: the portal stores its hash, so a reload cannot show it again. */
export function IssuedInviteBox({ invite }: { invite: IssuedInvite }) {
  return (
    <section aria-label="New invite link" className="rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
      <div className="flex flex-wrap items-start gap-6">
        <div className="min-w-0 flex-1 space-y-2">
          <p className="font-medium">Invite link (shown only now):</p>
          <code data-testid="invite-link" className="block break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">{invite.url}</code>
          <CopyButton value={invite.url} label="Copy link" />
          {invite.directLink ? (
            <div className="space-y-2 border-t border-amber-200 pt-3">
              <p className="font-medium">Direct 360dialog link (no tracking)</p>
              <p className="text-xs">Opens 360dialog straight away with the prefill. The portal does not see who opened it or follow the sign-up, and no invite use is counted.</p>
              <code data-testid="direct-link" className="block break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">{invite.directLink}</code>
              <CopyButton value={invite.directLink} label="Copy direct link" />
            </div>
          ) : null}
        </div>
        {/* eslint-disable-next-line @next/next/no-img-element -- a data URI made on the server; nothing to optimise */}
        <img src={invite.qrCode} alt="QR code of the invite link" width={176} height={176} className="rounded border border-amber-200 bg-white p-1" />
      </div>
    </section>
  );
}
