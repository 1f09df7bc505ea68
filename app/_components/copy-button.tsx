"use client";

import { useState } from "react";
import { secondaryButtonClass } from "./ui";

/** Copies `value` to the clipboard and says so; the value itself stays visible beside it for copying by hand. */
export function CopyButton({ value, label, className = secondaryButtonClass }: { value: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" className={className} onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}>
      {copied ? "Copied" : label}
    </button>
  );
}
