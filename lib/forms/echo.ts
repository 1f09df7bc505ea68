/**
 * Whether a form field holds something secret, so a refused form never sends it back to the browser: a name that
 * ends in a secret word (`password`, `newPassword`, `apiKey`, `platformSecret`, `token`), the repeated password
 * (`confirm`, app/_components/field.tsx) and one-time codes (`code`). Judged by the name's end, not anywhere in it:
 * `stuckNoKeyMinutes` or `wabaSecretIn` hold no secret, and a refused save must show what was typed in them.
 */
export function isSecretField(name: string): boolean {
  return /(?:pass|password|secret|token|key)$/i.test(name) || name === "confirm" || name === "code";
}

/** What the user typed, to refill a refused form: every text field but the secret ones and React's own (`$ACTION…`). */
export function echoFormValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === "string" && !isSecretField(name) && !name.startsWith("$")) values[name] = value;
  }
  return values;
}
