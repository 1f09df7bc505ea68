import { connect } from "node:net";

// Requests a browser or Playwright's client would not make: headers sent at once, then a body one byte at a time.

/** The portal under test gives a body this long to arrive (global-setup.ts); short, so waiting it out is cheap. */
export const E2E_BODY_READ_TIMEOUT_MS = 1_500;

export type TrickleResult = {
  /** Everything the server sent before it closed the connection. */
  answer: string;
  /** Milliseconds from the end of the headers to the server's first byte, and to the connection's close. */
  answeredAfter: number;
  closedAfter: number;
};

/**
 * Sends `head` (request line and headers, declaring a Content-Length far above what will come), then one byte of
 * body every `everyMs` until the server closes the connection or `giveUpMs` passes.
 */
export function trickleBody(baseURL: string, head: string, options: { everyMs: number; giveUpMs: number }): Promise<TrickleResult> {
  const url = new URL(baseURL);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = "";
    let answeredAfter = Number.NaN;
    let started = 0;
    let trickle: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(trickle);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, answeredAfter, closedAfter: performance.now() - started });
    };
    const giveUp = setTimeout(finish, options.giveUpMs);
    socket.on("error", () => {});
    socket.on("connect", () => {
      socket.write(head);
      started = performance.now();
      trickle = setInterval(() => socket.writable && socket.write("a"), options.everyMs);
    });
    socket.on("data", (chunk: Buffer) => {
      if (answer === "") answeredAfter = performance.now() - started;
      answer += chunk.toString("utf8");
    });
    socket.on("close", finish);
  });
}
