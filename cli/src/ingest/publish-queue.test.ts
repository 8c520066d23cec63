import { describe, expect, it } from "vitest";
import { createPublishQueue } from "./publish-queue.js";

// The queue is generic over its publish function; NATS itself is exercised in ingest-documents.test.ts.
describe("createPublishQueue", () => {
  it("never has more than maxInFlight publishes outstanding, and reports each outcome once", async () => {
    let inFlight = 0;
    let peak = 0;
    const settled: Array<[number, string | undefined]> = [];
    const queue = createPublishQueue<number>({
      maxInFlight: 3,
      publish: async (subject) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        if (subject === "s.5") throw new Error("no ack");
      },
      onSettled: (tag, error) => settled.push([tag, error instanceof Error ? error.message : undefined]),
    });
    for (let i = 0; i < 20; i++) await queue.add(`s.${i}`, new Uint8Array(), i);
    await queue.drain();
    expect(peak).toBe(3);
    expect(settled).toHaveLength(20);
    expect(settled.map(([tag]) => tag).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(settled.filter(([, error]) => error !== undefined)).toEqual([[5, "no ack"]]);
  });

  it("drains at once when nothing was added", async () => {
    const queue = createPublishQueue({ maxInFlight: 1, publish: async () => undefined, onSettled: () => undefined });
    await expect(queue.drain()).resolves.toBeUndefined();
  });
});
