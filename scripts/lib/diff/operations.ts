// The operations of a document as the diff engine pairs them: by method and path template, each with
// its effective parameters (path level overridden by operation level).
import type { OpenApiDocument } from "../files.ts";
import { own } from "../refs.ts";
import { resolve } from "./views.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const template = (path: string) => path.replace(/\{[^}]*\}/g, "{}");
export const pathParams = (path: string) => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);

export type Node = Record<string, any>;
export interface Operation {
  path: string;
  method: string;
  node: Node;
  item: Node;
}

/** Every operation by method and path template (a renamed path parameter keeps the key). */
export function operationsOf(doc: OpenApiDocument): Map<string, Operation> {
  const out = new Map<string, Operation>();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a 3.1 document may have no paths; the type is the normalized one's
  for (const [path, rawItem] of Object.entries<Node>(doc.paths ?? {})) {
    const item = resolve(doc, rawItem) ?? {};
    for (const method of METHODS) {
      const node = own(item, method);
      if (node) out.set(`${method} ${template(path)}`, { path, method, node, item });
    }
  }
  return out;
}

/** Effective parameters: path level overridden by operation level; keyed by in + name (path ones by position). */
export function parametersOf(doc: OpenApiDocument, { path, node, item }: Operation): Map<string, Node> {
  const out = new Map<string, Node>();
  const positions = pathParams(path);
  for (const raw of [...(item.parameters ?? []), ...(node.parameters ?? [])]) {
    const param = resolve(doc, raw);
    if (!param?.name || !param.in) continue;
    const key =
      param.in === "path"
        ? `path:${positions.indexOf(param.name)}`
        : `${param.in}:${param.in === "header" ? String(param.name).toLowerCase() : param.name}`;
    out.set(key, param);
  }
  return out;
}
