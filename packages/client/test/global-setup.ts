import type { TestProject } from "vitest/node";
import { startPrism } from "../support/prism.mts";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

/** One Prism for the whole run; its URL reaches tests through inject("prismUrl"). */
export default async function setup(project: TestProject) {
  const prism = await startPrism();
  project.provide("prismUrl", prism.url);
  return () => prism.stop();
}
