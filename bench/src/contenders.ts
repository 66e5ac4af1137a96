// Everything a Record Feedback call can be made with, against one URL: the client (both transports
// and both call styles), the bare platform stacks, and the peer SDK cores. Each resolves once the
// JSON answer is parsed, as a caller would need it.
import { request as httpRequest, Agent as HttpAgent } from "node:http";
import { createPareaClient } from "@parea-api/client";
// The entry browsers and Workers resolve (no "node" condition; Bun and Deno take "node"): the platform fetch.
import { createPareaClient as createOverPlatformFetch } from "../../packages/client/dist/index.mjs";
import createClient from "openapi-fetch";
import OpenAI from "openai";
import { Agent as UndiciAgent, request as undiciRequest } from "undici";
import type { paths } from "@parea-api/client";
import type { Contender } from "./rounds.ts";
import type { HeyApi } from "./hey-api.ts";

export const PATH = "/api/parea/v1/feedback";
export const API_KEY = "bench-key";
export const BODY = { trace_id: "trace-1", score: 0.5, comment: "benchmark" };
const json = { "content-type": "application/json", "x-api-key": API_KEY };

// The fetch path's contenders (issue 27 point 4): main.ts sets the client over fetch beside both.
export const BARE_OPENAPI_FETCH = "bare openapi-fetch + auth middleware";
export const WITH_TIMEOUT = "bare openapi-fetch + auth middleware + a per-call timeout";
const PLATFORM_FETCH = "the platform fetch";
const FETCH_OPTION = "a `fetch` option, `(r) => fetch(r)`";
const FLOOR = "no client: a `Request` with a timed signal, `fetch(r)`, JSON";
const FLOOR_IN_PROCESS = "no client: a `Request` with a timed signal, given to the stub";
const OVER_PLATFORM_FETCH = `**recordFeedback**, ${PLATFORM_FETCH} (browsers, Workers)`;
const OVER_FETCH = `**recordFeedback**, ${FETCH_OPTION}`;
/**
 * The client's two fetch stacks, and what a `fetch` option's exchange costs without any client (the
 * Request it must hand over, the attempt's signal and timer): [contender name, label in the table].
 */
export const FETCH_STACKS = [
  [OVER_PLATFORM_FETCH, PLATFORM_FETCH],
  [OVER_FETCH, FETCH_OPTION],
  [FLOOR, FLOOR],
] as const;

/**
 * `run` given the signal of a per-call timeout, cleared when it settles: what a caller of bare
 * openapi-fetch writes to get the per-attempt timeout the client always has, in its cheapest form
 * (AbortSignal.timeout costs more on Node 20).
 */
async function timed<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** A `fetch` option's exchange with no client around it: the Request it receives, with a timed signal. */
function floorCall(url: string, fetchImpl: (request: Request) => Promise<Response>): () => Promise<unknown> {
  return () =>
    timed(async (signal) => {
      const init = { method: "POST", headers: json, body: JSON.stringify(BODY), signal };
      return (await (await fetchImpl(new Request(url, init))).json()) as unknown;
    });
}

/** Over loopback HTTP; the first is the baseline the others are divided by. */
export function httpContenders(baseUrl: string, heyApi: HeyApi): Contender[] {
  const url = baseUrl + PATH;
  const undici = new UndiciAgent({ keepAliveTimeout: 60_000 });
  const agent = new HttpAgent({ keepAlive: true });
  const openai = new OpenAI({ apiKey: API_KEY, baseURL: baseUrl });
  const openapiFetch = createClient<paths>({ baseUrl });
  openapiFetch.use({ onRequest: ({ request }) => request.headers.set("x-api-key", API_KEY) });
  const parea = createPareaClient({ apiKey: API_KEY, baseUrl, logLevel: "off" });
  const pareaOverPlatformFetch = createOverPlatformFetch({ apiKey: API_KEY, baseUrl, logLevel: "off" });
  const pareaOverFetch = createPareaClient({ apiKey: API_KEY, baseUrl, logLevel: "off", fetch: (r) => fetch(r) });
  const hey = heyApi.client(baseUrl);
  return [
    {
      name: "bare fetch (baseline)",
      call: async () =>
        (await fetch(url, { method: "POST", headers: json, body: JSON.stringify(BODY) })).json() as Promise<unknown>,
    },
    {
      name: "undici request() + keep-alive Agent",
      call: async () =>
        (
          await undiciRequest(url, { method: "POST", headers: json, body: JSON.stringify(BODY), dispatcher: undici })
        ).body.json(),
    },
    {
      name: "node:http + keep-alive Agent",
      call: () =>
        new Promise((resolve, reject) => {
          const req = httpRequest(url, { method: "POST", headers: json, agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
          });
          req.on("error", reject);
          req.end(JSON.stringify(BODY));
        }),
    },
    {
      name: "Stainless core (openai 4.x client.post)",
      call: () => openai.post(PATH, { body: BODY, headers: { "x-api-key": API_KEY } }),
    },
    { name: "@hey-api/openapi-ts 0.95 client", call: () => hey.recordFeedback(BODY) },
    { name: BARE_OPENAPI_FETCH, call: () => openapiFetch.POST(PATH, { body: BODY }) },
    { name: WITH_TIMEOUT, call: () => timed((signal) => openapiFetch.POST(PATH, { body: BODY, signal })) },
    { name: FLOOR, call: floorCall(url, (r) => fetch(r)) },
    { name: "**recordFeedback** (node:http)", call: () => parea.recordFeedback(BODY) },
    { name: "**client.POST** (node:http)", call: () => parea.POST(PATH, { body: BODY }) },
    { name: OVER_PLATFORM_FETCH, call: () => pareaOverPlatformFetch.recordFeedback(BODY) },
    { name: OVER_FETCH, call: () => pareaOverFetch.recordFeedback(BODY) },
  ];
}

/** No network: every stack gets a fetch that answers at once, as openapi-fetch's own benchmark does. */
export function inProcessContenders(heyApi: HeyApi): Contender[] {
  const baseUrl = "http://127.0.0.1:9";
  const stub = () =>
    Promise.resolve(new Response("{}", { status: 200, headers: { "content-type": "application/json" } }));
  const openapiFetch = createClient<paths>({ baseUrl, fetch: stub });
  openapiFetch.use({ onRequest: ({ request }) => request.headers.set("x-api-key", API_KEY) });
  const parea = createPareaClient({ apiKey: API_KEY, baseUrl, logLevel: "off", fetch: stub });
  const openai = new OpenAI({ apiKey: API_KEY, baseURL: baseUrl, fetch: stub as never });
  const hey = heyApi.client(baseUrl, stub);
  return [
    { name: "bare openapi-fetch + auth middleware (baseline)", call: () => openapiFetch.POST(PATH, { body: BODY }) },
    { name: "Stainless core (openai 4.x client.post)", call: () => openai.post(PATH, { body: BODY }) },
    { name: "@hey-api/openapi-ts 0.95 client", call: () => hey.recordFeedback(BODY) },
    { name: FLOOR_IN_PROCESS, call: floorCall(baseUrl + PATH, stub) },
    { name: "**recordFeedback** (the stub as its `fetch` option)", call: () => parea.recordFeedback(BODY) },
    { name: "**client.POST**", call: () => parea.POST(PATH, { body: BODY }) },
  ];
}
