// POST /thumbs {"traceId": "...", "liked": true, "comment": "..."} -> records the user's verdict as
// Parea feedback on that trace. The shape of a real internal endpoint: validate input, call Parea,
// map its typed errors to this service's own HTTP answers.
import { createServer, type Server } from "node:http";
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
  return createServer(async (req, res) => {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.method !== "POST" || req.url !== "/thumbs") return reply(404, { error: "POST /thumbs only" });
    let text = "";
    for await (const chunk of req) text += chunk;
    const thumbs = parseThumbs(text);
    if (!thumbs) return reply(400, { error: 'expected {"traceId": string, "liked": boolean, "comment"?: string}' });
    try {
      await parea.recordFeedback({
        trace_id: thumbs.traceId,
        score: thumbs.liked ? 1 : 0,
        comment: thumbs.comment ?? null,
      });
      return reply(204);
    } catch (error) {
      // Our bug or the spec changed under us: the request never left; say what the spec rejected.
      if (error instanceof PareaInvalidRequestError)
        return reply(500, { error: "feedback rejected by the Parea spec", issues: error.issues });
      // Parea is down, slow, or refused: our caller should not fail hard, but must hear it.
      if (error instanceof PareaError) return reply(502, { error: error.name, message: error.message });
      throw error;
    }
  });
}
