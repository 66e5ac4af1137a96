// POST /thumbs {"traceId": "...", "liked": true, "comment": "..."} -> records the user's verdict as
// Parea feedback on that trace. The shape of a real internal endpoint: validate input, call Parea,
// map its typed errors to this service's own HTTP answers.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { PareaError, PareaInvalidRequestError, type PareaClient } from "@parea-api/client";

interface ThumbsRequest {
  traceId: string;
  liked: boolean;
  comment?: string;
}

function parseThumbs(text: string): ThumbsRequest | undefined {
  try {
    const value = JSON.parse(text) as Partial<ThumbsRequest>;
    const valid = typeof value.traceId === "string" && typeof value.liked === "boolean";
    return valid && (value.comment === undefined || typeof value.comment === "string")
      ? (value as ThumbsRequest)
      : undefined;
  } catch {
    return undefined;
  }
}

export function createFeedbackService(parea: PareaClient): Server {
  // node:http does not await a handler: what it did not expect is a 500 here, not an unhandled
  // rejection that ends the whole service.
  return createServer((req, res) => {
    answer(parea, req).then(
      ([status, body]) => {
        res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      },
      (error: unknown) => {
        console.error(error);
        res.writeHead(500).end();
      },
    );
  });
}

/** The status and JSON body for one request. */
async function answer(parea: PareaClient, req: IncomingMessage): Promise<[status: number, body?: unknown]> {
  if (req.method !== "POST" || req.url !== "/thumbs") return [404, { error: "POST /thumbs only" }];
  let text = "";
  for await (const chunk of req) text += (chunk as Buffer).toString();
  const thumbs = parseThumbs(text);
  if (!thumbs) return [400, { error: 'expected {"traceId": string, "liked": boolean, "comment"?: string}' }];
  try {
    await parea.recordFeedback({
      trace_id: thumbs.traceId,
      score: thumbs.liked ? 1 : 0,
      comment: thumbs.comment ?? null,
    });
    return [204];
  } catch (error) {
    // Our bug or the spec changed under us: the request never left; say what the spec rejected.
    if (error instanceof PareaInvalidRequestError)
      return [500, { error: "feedback rejected by the Parea spec", issues: error.issues }];
    // Parea is down, slow, or refused: our caller should not fail hard, but must hear it.
    if (error instanceof PareaError) return [502, { error: error.name, message: error.message }];
    throw error;
  }
}
