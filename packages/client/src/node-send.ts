// The default Send on Node (chosen by the "node" export condition): node:http with keep-alive agents.
// Node's fetch builds and copies WHATWG objects at every step and costs ~3x a plain http request.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { BufferedResponse, LightHeaders } from "./buffered-response.js";
import type { Send } from "./send.js";

// One pool per process, like fetch's global dispatcher: clients made per request still reuse sockets.
const http = new HttpAgent({ keepAlive: true });
const https = new HttpsAgent({ keepAlive: true });

export const nodeSend: Send = ({ url, method, headers, body, signal }) =>
  new Promise((resolve, reject) => {
    const secure = url.startsWith("https:");
    const outgoing: Record<string, string> = {};
    headers.forEach((value, name) => (outgoing[name] = value));
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      { method, headers: outgoing, agent: secure ? https : http, signal },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve(
            new BufferedResponse(
              response.statusCode!,
              response.statusMessage ?? "",
              new LightHeaders(response.headers) as unknown as Headers,
              (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>,
              url,
            ),
          ),
        );
        // The socket closed before the body was complete: a connection failure like any other.
        response.on(
          "close",
          () =>
            response.complete || reject(Object.assign(new Error("response body cut short"), { code: "ECONNRESET" })),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body ?? undefined);
  });
