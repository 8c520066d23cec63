import { describe, expect, it } from "vitest";
import { CancelledError } from "@kbalign/contracts";
import { createRequestRegistry } from "./request-registry.js";

describe("createRequestRegistry", () => {
  it("refuses a second registration of an id in flight", () => {
    const requests = createRequestRegistry();
    expect(requests.register("a", new AbortController())).toBe(true);
    expect(requests.register("a", new AbortController())).toBe(false);
    expect(requests.size()).toBe(1);
  });

  it("cancels by id with the reason, and ignores unknown ids", () => {
    const requests = createRequestRegistry();
    const controller = new AbortController();
    requests.register("a", controller);
    const reason = new CancelledError("cancelled by the client");
    expect(requests.cancel("b", reason)).toBe(false);
    expect(requests.cancel("a", reason)).toBe(true);
    expect(controller.signal.reason).toBe(reason);
  });

  it("unregisters only its own controller", () => {
    const requests = createRequestRegistry();
    const mine = new AbortController();
    requests.register("a", mine);
    requests.unregister("a", new AbortController());
    expect(requests.has("a")).toBe(true);
    requests.unregister("a", mine);
    expect(requests.has("a")).toBe(false);
  });

  it("cancels everything in flight", () => {
    const requests = createRequestRegistry();
    const controllers = [new AbortController(), new AbortController()];
    controllers.forEach((c, i) => requests.register(`r${i}`, c));
    expect(requests.cancelAll(new CancelledError("shutting down"))).toBe(2);
    expect(controllers.every((c) => c.signal.aborted)).toBe(true);
  });
});
