import type { GetServerSideProps, PageConfig } from "next";
import { LightPage, type LightPageProps } from "@/app/(public)/_components/light-page";
import { landingProps } from "@/app/(public)/_components/light-props";

// `/`, the client landing page, without Next's client runtime: HTML, CSS and one small script (docs/nextjs.md §2).
export const config: PageConfig = { unstable_runtimeJS: false };

export const getServerSideProps: GetServerSideProps<LightPageProps> = ({ req, query }) => landingProps(req, query);

export default LightPage;
