"use client";

import { signOut } from "next-auth/react";
import { secondaryButtonClass } from "@/app/_components/ui";

export function SignOutButton() {
  return (
    <button type="button" className={secondaryButtonClass} onClick={() => void signOut({ callbackUrl: "/login" })}>
      Sign out
    </button>
  );
}
