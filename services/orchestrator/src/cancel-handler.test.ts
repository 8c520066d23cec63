import { describe, expect, it } from "vitest";
import { BadRequestError } from "@kbalign/contracts";
import { createCancelHandler } from "./cancel-handler.js";
import { createRequestRegistry } from "./request-registry.js";

const message = (body: unknown) => {
  const replies: string[] = [];
  const data = typeof body === "string" ? new TextEncoder().encode(body) : new TextEncoder().encode(JSON.stringify(body));
  return { data, reply: "_INBOX.client.x", respond: (reply: Uint8Array) => replies.push(new TextDecoder().decode(reply)) > 0, replies };
};

describe("createCancelHandler", () => {
  it("aborts a request this replica holds and answers cancelled: true", async () => {
    const requests = createRequestRegistry();
    const controller = new AbortController();
    requests.register("r-1", controller);
    const msg = message({ requestId: "r-1" });
    expect(await createCancelHandler({ requests })(msg)).toBe("OK");
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toMatchObject({ code: "CANCELLED" });
    expect(msg.replies).toEqual(['{"cancelled":true}']);
  });

  it("stays silent for an id it does not hold: another replica may hold it", async () => {
    const msg = message({ requestId: "elsewhere" });
    expect(await createCancelHandler({ requests: createRequestRegistry() })(msg)).toBe("OK");
    expect(msg.replies).toEqual([]);
  });

  it.each([
    ["invalid JSON", "{", /not valid JSON/, undefined],
    ["a missing requestId", {}, /requestId/, "requestId"],
    ["a requestId of the wrong type", { requestId: 7 }, /requestId/, "requestId"],
  ])("refuses %s with BAD_REQUEST", async (_what, body, text, field) => {
    const failure = await createCancelHandler({ requests: createRequestRegistry() })(message(body)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(BadRequestError);
    expect((failure as BadRequestError).message).toMatch(text);
    expect((failure as BadRequestError).field).toBe(field);
  });
});
