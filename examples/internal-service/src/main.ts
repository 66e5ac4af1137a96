import { createPareaClient } from "@parea-api/client";
import { createFeedbackService } from "./service.ts";

// PAREA_API_KEY (and optionally PAREA_BASE_URL, PAREA_LOG) come from the environment.
const port = Number(process.env.PORT ?? 3000);
createFeedbackService(createPareaClient({ timeoutMs: 10_000 })).listen(port, () => {
  console.log(`feedback service on http://localhost:${port}/thumbs`);
});
