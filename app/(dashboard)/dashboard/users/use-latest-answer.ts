"use client";

import { useEffect, useRef, useState, type RefObject } from "react";

/**
 * Which answer a group of forms shows: the one of its latest submit, until any other form on the page is submitted.
 * A refusal such as "the last active admin" is about the page as it was; after a later action anywhere (another
 * row, the policy, Add a user) it may no longer be true, so it goes. Listens in the capture phase, so it also sees
 * submits that React's form actions handle. Before hydration a form posts alone and the page comes back with only
 * that form's answer, so nothing needs doing there.
 */
export function useLatestAnswer<K extends string>(): {
  root: RefObject<HTMLDivElement | null>;
  latest: K | "dropped" | null;
  started: (kind: K) => () => void;
} {
  const root = useRef<HTMLDivElement>(null);
  const [latest, setLatest] = useState<K | "dropped" | null>(null);
  useEffect(() => {
    const onSubmit = (e: SubmitEvent) => {
      if (!(e.target instanceof Node) || !root.current?.contains(e.target)) setLatest("dropped");
    };
    document.addEventListener("submit", onSubmit, true);
    return () => document.removeEventListener("submit", onSubmit, true);
  }, []);
  return { root, latest, started: (kind: K) => () => setLatest(kind) };
}
