// The operations of a document as the diff engine pairs them: by method and path template, each with
// its effective parameters (path level overridden by operation level).
import type { OpenApiDocument } from "../files.ts";
import { arrayAt, objectAt, stringAt, type JsonObject } from "../json.ts";
import { HTTP_METHODS } from "../refs.ts";
import { resolve } from "./views.ts";

const template = (path: string) => path.replace(/\{[^}]*\}/g, "{}");
export const pathParams = (path: string) => [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);

export type Node = JsonObject;
/** A parameter whose name and place are strings (one without them is skipped: the lint gate reports it). */
export type Parameter = Node & { name: string; in: string };
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
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = objectAt(resolve(doc, rawItem)) ?? {};
    for (const method of HTTP_METHODS) {
      const node = objectAt(item, method);
      if (node) out.set(`${method} ${template(path)}`, { path, method, node, item });
    }
  }
  return out;
}

/** Effective parameters: path level overridden by operation level; keyed by in + name (path ones by position). */
export function parametersOf(doc: OpenApiDocument, { path, node, item }: Operation): Map<string, Parameter> {
  const out = new Map<string, Parameter>();
  const positions = pathParams(path);
  for (const raw of [...(arrayAt(item, "parameters") ?? []), ...(arrayAt(node, "parameters") ?? [])]) {
    const param = objectAt(resolve(doc, raw));
    const [name, where] = [stringAt(param, "name"), stringAt(param, "in")];
    if (!param || !name || !where) continue;
    const key =
      where === "path"
        ? `path:${positions.indexOf(name)}`
        : `${where}:${where === "header" ? name.toLowerCase() : name}`;
    out.set(key, { ...param, name, in: where });
  }
  return out;
}
