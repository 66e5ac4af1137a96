// @parea-api/client/testing for browsers, Workers and bundlers without the "node" condition:
// createFakeParea with fake.fetch; fake.listen() rejects with a PareaError saying it needs node:http.
import { fakeFactory } from "./fake.js";

export const createFakeParea = fakeFactory();
export type { FakeCall, FakeParea, FakeReply, FakeServer, FakeViolation, ReplyBody } from "./fake.js";
