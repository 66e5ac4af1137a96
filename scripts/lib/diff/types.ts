// The diff engine's shared shapes: what a check finds and where, and the context a schema comparison runs in.
import type { OpenApiDocument } from "../files.ts";

export type Side = "request" | "response";

export interface Found {
  rule: string;
  pointer: string[];
  message: string;
  /** For a change reported once for many schemas: their names. */
  names?: string[];
}

/** Where a shared component was met: the comparison it interrupted (to resume there if it is its only one). */
export interface Site {
  subject: string;
  pointer: string[];
  field: string;
  /** The operation whose schemas reached it (directly, or through components compared inline). */
  user: string;
  /** The component whose own report it is part of, if any. */
  owner?: string;
}

export interface SchemaContext {
  side: Side;
  before: OpenApiDocument;
  after: OpenApiDocument;
  /** "`POST /x`: request", "`GET /x`: query parameter `limit`" */
  subject: string;
  report: (found: Found) => void;
  /** Where a component both sides name is handed over, to be compared once (components.ts); absent: inline. */
  shared?: {
    shared(rawBefore: unknown, rawAfter: unknown): string | undefined;
    use(name: string, side: Side, site: Site): void;
    /** Every use so far, in order: what a comparison met is what was appended while it ran. */
    readonly log: readonly [string, Site][];
  };
  /** The operation comparing (its label), or `schema:<name>` for a component compared on its own. */
  user?: string;
  /** The component whose report this comparison is part of, if any. */
  owner?: string;
}
