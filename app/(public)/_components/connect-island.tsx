import { createRoot } from "react-dom/client";
import { ConnectTrigger, type ConnectConfig } from "./connect-trigger";

// The light pages' island (docs/nextjs.md §2): React, the trigger and, for the official Connect Button,
// the package, fetched when a pointer or the keyboard focus reaches the action, or at the latest by the first click (connect-loader.ts) after it opened the blank popup. It takes over the
// server-rendered action and carries on with that popup exactly as the trigger does on a click of its own.

export function mountConnectIsland(container: HTMLElement, config: ConnectConfig, popup: Window | null): void {
  createRoot(container).render(<ConnectTrigger config={config} opened={{ popup }} />);
}
