// The fake behind @parea-api/client/testing: a test double of the Parea API for services that use this
// client. Every route, validator and default reply comes from the same generated code as the client,
// so the fake cannot drift from the spec. Never imported by the main entry. The entries: testing.ts
// (browsers, Workers: fake.fetch only) and testing.node.ts (adds fake.listen() over node:http).
import type { OperationSchema, RequestBody } from "./operations.js";
import { defaultReplies } from "./generated/operations/replies.js";
import { operations } from "./generated/operations/index.js";
import { securitySchemes, serverPath, type SchemePlacement } from "./generated/spec.js";
import { requirementOf } from "./middleware/auth.js";
import { formatIssues, PareaError } from "./errors.js";
import { locatedIssues, lookup, tableOf, type Operation, type OperationName } from "./operations.js";
import { resolveHeaders } from "./options.js";
import { isNullBodyStatus } from "./light/response.js";
import { sleep } from "./sleep.js";

const safeDecode = (path: string) => {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
};

/** Is the credential where the spec's scheme puts it (with its prefix, for Authorization)? */
function credentialIn(scheme: SchemePlacement, headers: Headers, url: string): boolean {
  if (scheme.kind === "tls") return true; // presented to TLS, which the fake does not see
  if (scheme.in === "query") return new URL(url, "http://fake").searchParams.has(scheme.name);
  if (scheme.in === "cookie")
    return (headers.get("cookie") ?? "").split(";").some((pair) => pair.trim().startsWith(`${scheme.name}=`));
  const value = headers.get(scheme.name) ?? "";
  return value.length > scheme.prefix.length && value.toLowerCase().startsWith(scheme.prefix.toLowerCase());
}

/** What the operation's security requirement misses in this request ("" when one alternative is all there). */
function missingCredentials(op: Operation, headers: Headers, url: string): string {
  const required = requirementOf(op.method, op.path);
  const present = (name: string) => {
    const scheme = securitySchemes[name];
    return scheme !== undefined && credentialIn(scheme, headers, url);
  };
  if (!required.length || required.some((set) => set.every(present))) return "";
  const where = (name: string) => {
    const scheme = securitySchemes[name];
    return scheme ? `${scheme.name} ${scheme.in}` : name;
  };
  return required.map((set) => set.map(where).join(" and ")).join(", or ");
}

/** One request the fake received for an operation. */
export interface FakeCall<Name extends OperationName = OperationName> {
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  body: RequestBody<Name>;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  url: string;
}

/** A request that broke the spec, and how. */
export interface FakeViolation {
  method: string;
  path: string;
  reason: string;
}

type Responses<Name extends OperationName> = OperationSchema<Name> extends { responses: infer R } ? R : never;

/** The JSON body the spec declares for a status of an operation (anything, for a status it does not list). */
export type ReplyBody<Name extends OperationName, Status extends number> = Status extends keyof Responses<Name>
  ? Responses<Name>[Status] extends { content: { "application/json": infer Body } }
    ? Body
    : never
  : unknown;

interface Timing {
  /** How many of the next requests get this reply. Default 1. */
  times?: number;
  /** Wait this long before answering (or failing). */
  delayMs?: number;
}

/** A scripted answer: a status with a body typed by the spec, or a dropped connection. */
export type FakeReply<Name extends OperationName, Status extends number> = Timing &
  (
    | { status: Status; body?: ReplyBody<Name, Status>; headers?: Record<string, string>; networkError?: never }
    | { networkError: true; status?: never; body?: never; headers?: never }
  );

export interface FakeServer {
  /** http://127.0.0.1:PORT, for PAREA_BASE_URL. */
  url: string;
  close(): Promise<void>;
}

export interface FakeParea {
  /**
   * A fetch: `(request)` or `(input, init)`, handed over detached as the client's `fetch` option.
   * Matches method and path whatever the origin.
   */
  fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  /** Every request received for an operation, in order, scripted failures included. */
  calls<Name extends OperationName>(operation: Name): FakeCall<Name>[];
  /** Script the next `times` (default 1) answers of an operation; then its default reply again. */
  reply<Name extends OperationName, Status extends number>(operation: Name, reply: FakeReply<Name, Status>): void;
  /** Requests that broke the spec (unknown route, no API key, invalid body), answered as the API would. */
  violations(): FakeViolation[];
  /** The same fake over real HTTP on 127.0.0.1. */
  listen(): Promise<FakeServer>;
  /** Forget calls, violations and scripted replies. */
  reset(): void;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
}

interface Scripted extends Timing {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  networkError?: boolean;
}

const table = tableOf(operations);
/** Codegen writes one per operation. */
const fallbackReplies: Readonly<Record<string, Scripted | undefined>> = defaultReplies;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/**
 * A scripted reply the fake can actually send, checked when it is scripted: a bad one would otherwise
 * throw inside the HTTP server (killing the test process) or apply once or forever by accident.
 */
function checkReply(operation: string, reply: Scripted): void {
  const problem = (what: string) => {
    throw new PareaError(`fake.reply(${JSON.stringify(operation)}): ${what}`);
  };
  if (!Object.hasOwn(operations, operation)) problem(`no operation of that name in the spec`);
  const { status, headers = {}, times = 1, delayMs = 0, body } = reply;
  if (
    !reply.networkError &&
    !(typeof status === "number" && Number.isInteger(status) && status >= 200 && status <= 599)
  )
    problem(`status must be an integer from 200 to 599, not ${String(status)}`);
  if (!(times === Infinity || (Number.isInteger(times) && times >= 1)))
    problem(`times must be a whole number >= 1 (or Infinity), not ${String(times)}`);
  if (!(Number.isFinite(delayMs) && delayMs >= 0)) problem(`delayMs must be a number >= 0, not ${String(delayMs)}`);
  for (const [name, value] of Object.entries(headers))
    if (typeof value !== "string") problem(`header ${name} must be a string`);
  try {
    resolveHeaders(headers);
  } catch (error) {
    problem((error as Error).message);
  }
  if (body !== undefined) {
    let text: string | undefined;
    try {
      text = JSON.stringify(body);
    } catch (error) {
      problem(`body cannot be sent as JSON: ${(error as Error).message}`);
    }
    if (text === undefined) problem("body cannot be sent as JSON");
  }
}

/** The fake's answer to one request, or "drop" for a dropped connection (what `listen` serves). */
export type Handle = (
  method: string,
  url: string,
  headers: Headers,
  text: string,
  signal?: AbortSignal | null,
) => Promise<Answer | "drop">;

/** Serves a fake over HTTP on 127.0.0.1 (testing.node.ts: node:http). */
export type ListenOn = (handle: Handle, report: (violation: FakeViolation) => void) => Promise<FakeServer>;

const cannotListen = () =>
  new PareaError(
    "fake.listen() needs node:http (Node, Bun, Deno); this runtime's build of @parea-api/client/testing serves the fake through fake.fetch only",
  );

/** createFakeParea for one platform: with listen() over node:http, or without (browsers, Workers). */
export function fakeFactory(listenOn?: ListenOn): () => FakeParea {
  return function createFakeParea(): FakeParea {
    const calls = new Map<string, FakeCall[]>();
    const scripts = new Map<string, Scripted[]>();
    let violations: FakeViolation[] = [];

    /** The answer for one request, or "drop" for a dropped connection. */
    const handle: Handle = async (method, url, headers, text, signal) => {
      const pathname = new URL(url, "http://fake").pathname;
      // A relative server's path (serverPath) precedes every operation's path on the wire.
      const path = serverPath && pathname.startsWith(`${serverPath}/`) ? pathname.slice(serverPath.length) : pathname;
      // As sent (a `%2F` inside a parameter stays one segment), else decoded (a path with a `"` in it).
      const op = lookup(table, method, path) ?? lookup(table, method, safeDecode(path));
      const violation = (reason: string) => violations.push({ method, path, reason });
      if (!op) {
        violation(`no operation ${method} ${path} in the spec`);
        return json(404, { detail: "Not Found" });
      }
      let body: unknown;
      let malformed = false;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      const call = { body, headers: Object.fromEntries(headers), url } as unknown as FakeCall;
      calls.set(op.name, [...(calls.get(op.name) ?? []), call]);
      const missing = missingCredentials(op, headers, url);
      if (missing) {
        violation(`missing the ${missing} the spec's security requires`);
        return json(403, { detail: "Not authenticated" });
      }
      if (malformed) {
        violation("body is not valid JSON");
        return json(422, { detail: [{ loc: ["body", 0], msg: "JSON decode error", type: "json_invalid" }] });
      }
      const issues = locatedIssues(op, body);
      if (issues.length) {
        violation(`body breaks the spec: ${formatIssues(issues)}`);
        const detail = issues.map((issue) => ({
          loc: ["body", ...issue.segments],
          msg: issue.message,
          type: issue.message === "is required" ? "missing" : "value_error",
        }));
        return json(422, { detail });
      }
      const queue = scripts.get(op.name) ?? [];
      const scripted = queue[0];
      if (scripted && (scripted.times = (scripted.times ?? 1) - 1) <= 0) queue.shift();
      if (scripted?.delayMs && !(await sleep(scripted.delayMs, signal))) return "drop" as const;
      if (scripted?.networkError) return "drop" as const;
      // A scripted reply is answered as written (no body unless given); otherwise the spec's default.
      const reply = scripted ?? fallbackReplies[op.name];
      // checkReply gave every scripted reply without networkError a status.
      if (reply?.status === undefined) throw new PareaError(`fake: no reply to answer ${op.name} with`);
      const { status, body: replyBody, headers: replyHeaders = {} } = reply;
      return replyBody === undefined
        ? { status, headers: replyHeaders, body: undefined }
        : json(status, replyBody, replyHeaders);
    };

    async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
      const request = input instanceof Request && init === undefined ? input : new Request(input, init);
      const answer = await handle(request.method, request.url, request.headers, await request.text(), request.signal);
      // An aborted fetch rejects with the signal's reason (the client's timeout is one).
      if (request.signal.aborted) throw request.signal.reason;
      if (answer === "drop") {
        // What fetch does when the connection drops: a TypeError whose cause has the socket's code.
        throw new TypeError("fetch failed", {
          cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
        });
      }
      const nullBody = isNullBodyStatus(answer.status);
      return new Response(nullBody ? null : (answer.body ?? null), { status: answer.status, headers: answer.headers });
    }

    const listen = () =>
      listenOn ? listenOn(handle, (violation) => violations.push(violation)) : Promise.reject(cannotListen());

    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the cast below keeps the signatures unrelated (TS2590)
    return {
      fetch,
      calls: <Name extends OperationName>(operation: Name) =>
        [...(calls.get(operation) ?? [])] as unknown as FakeCall<Name>[],
      reply(operation: OperationName, reply: unknown) {
        checkReply(operation, reply as Scripted);
        scripts.set(operation, [...(scripts.get(operation) ?? []), { ...(reply as Scripted) }]);
      },
      violations: () => [...violations],
      listen,
      reset() {
        calls.clear();
        scripts.clear();
        violations = [];
      },
      // Keys checked, signatures not: relating the generic methods to FakeParea's expands every
      // operation's types into one union, which TypeScript refuses past ~1 000 operations (TS2590).
    } satisfies Record<keyof FakeParea, unknown> as unknown as FakeParea;
  };
}
