import type { GetServerSideProps, PageConfig } from "next";
import { LightPage, type LightPageProps } from "@/app/(public)/_components/light-page";
import { joinProps } from "@/app/(public)/_components/light-props";

// `/join/<token>`, an invite link's landing page, without Next's client runtime (docs/nextjs.md §2).
export const config: PageConfig = { unstable_runtimeJS: false };

export const getServerSideProps: GetServerSideProps<LightPageProps, { token: string }> = ({ req, res, params, query }) =>
  joinProps(req, res, params?.token ?? "", query);

export default LightPage;
