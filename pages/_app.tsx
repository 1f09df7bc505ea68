import type { AppProps } from "next/app";
import "../app/globals.css";

// The Pages Router's frame for the light client pages: the same stylesheet as the App Router's (app/layout.tsx).
export default function LightApp({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}
