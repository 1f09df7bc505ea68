import { Html, Head, Main, NextScript, type DocumentContext, type DocumentInitialProps } from "next/document";
import Document from "next/document";

// The document of the light client pages (app/(public)/_components/light-pages.tsx), as app/layout.tsx frames the
// App Router's: same language attribute and body class. Next's own scripts (only in development: the light pages
// switch the client runtime off in production) carry the request's CSP nonce from proxy.ts.

type Props = DocumentInitialProps & { nonce?: string };

export default class LightDocument extends Document<Props> {
  static override async getInitialProps(ctx: DocumentContext): Promise<Props> {
    const initial = await Document.getInitialProps(ctx);
    const nonce = ctx.req?.headers["x-nonce"];
    return { ...initial, ...(typeof nonce === "string" ? { nonce } : {}) };
  }

  override render() {
    const { nonce } = this.props;
    return (
      <Html lang="en">
        <Head nonce={nonce} />
        <body className="min-h-screen">
          <Main />
          <NextScript nonce={nonce} />
        </body>
      </Html>
    );
  }
}
