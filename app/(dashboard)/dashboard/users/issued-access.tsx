"use client";

import { useState } from "react";
import { secondaryButtonClass } from "@/app/_components/ui";
import type { IssuedAccess } from "./actions";

/** Shows a one-time password or invite link once; it is not stored in a readable form anywhere. */
export function IssuedAccessBox({ access }: { access: IssuedAccess }) {
  const value = access.oneTimePassword ?? access.inviteUrl ?? "";
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-3 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" role="status">
      <p className="font-medium">{access.oneTimePassword ? "One-time password" : "Invite link"} (shown only now):</p>
      <code data-testid="issued-access" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900">
        {value}
      </code>
      <button
        type="button"
        className={`${secondaryButtonClass} mt-2`}
        onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}
      >
        {copied ? "Copied" : "Copy"}
      </button>
      <p className="mt-2 text-xs">
        {access.oneTimePassword ? "They must choose their own password at first sign-in." : "The link works once and expires in 72 hours."}
      </p>
    </div>
  );
}
