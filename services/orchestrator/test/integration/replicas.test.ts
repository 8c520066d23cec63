import { describe, expect, it } from "vitest";
import { OverloadedError, UnavailableError, type DoneEvent } from "@kbalign/contracts";
import { answering, ask, docsA, startFakeGenerator, startFakeRetriever, states, twoRecalls, useTestBed } from "./harness.js";

describe("orchestrator: calls choose their replica, and a retry goes to another one", () => {
  const bed = useTestBed();
  const { started, orchestrator } = bed;
  const query = { query: "How do bees communicate?", collection: "docs", topn: 3 };

  it("retries a retrieve that a replica refused on the other replica: every query answered, nothing degraded", async () => {
    const broken = await started(
      startFakeRetriever(bed.fakes, async () => {
        throw new UnavailableError("replica shutting down");
      }),
    );
    const healthy = await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(startFakeGenerator(bed.fakes, answering));
    // One retry: with a queue group picking at random, a quarter of the calls would fail twice.
    await orchestrator({ KBALIGN_MAX_RETRIES: "1" });

    for (let i = 0; i < 20; i++) {
      const events = await ask(bed.client, { ...query, requestId: `replica-${i}` });
      expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "data", "data", "done"]);
      expect((events.at(-1) as DoneEvent).degraded).toEqual([]);
    }
    expect(healthy.calls.length).toBe(40);
    // Once it failed, the broken replica is left out of the rotation for a while.
    expect(broken.calls.length).toBeLessThanOrEqual(2);
  });

  it("sends the retry of a retrieve that timed out on a hung replica to the other one", async () => {
    const hung = await started(startFakeRetriever(bed.fakes, () => new Promise(() => undefined)));
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator({ KBALIGN_MAX_RETRIES: "1", KBALIGN_RETRIEVE_TIMEOUT_MS: "200" });

    for (let i = 0; i < 6; i++) {
      const events = await ask(bed.client, { ...query, requestId: `hung-${i}` });
      expect(events.at(-1)).toMatchObject({ state: "done", degraded: [] });
    }
    expect(hung.calls.length).toBeLessThanOrEqual(1);
  });

  it("retries a generation an overloaded replica refused on the other replica", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const overloaded = await started(
      startFakeGenerator(bed.fakes, async () => {
        throw new OverloadedError("too many generations in flight");
      }),
    );
    const healthy = await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator({ KBALIGN_MAX_RETRIES: "1" });

    for (let i = 0; i < 10; i++) {
      const events = await ask(bed.client, { ...query, requestId: `gen-${i}` });
      expect(events.at(-1)).toMatchObject({ state: "done", degraded: [] });
    }
    expect(healthy.requests.length).toBe(20);
    expect(overloaded.requests.length).toBeLessThanOrEqual(1);
  });

  it("finds a replica started after the orchestrator, and forgets one that stopped", async () => {
    const first = await started(startFakeRetriever(bed.fakes, async () => docsA));
    await started(startFakeGenerator(bed.fakes, answering));
    await orchestrator({ KBALIGN_REPLICA_REFRESH_MS: "100" });
    const second = await started(startFakeRetriever(bed.fakes, async () => docsA));
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (let i = 0; i < 10; i++) await ask(bed.client, { ...query, requestId: `new-${i}` });
    // In turn: each replica takes about half of the 20 calls.
    expect(first.calls.length).toBeGreaterThanOrEqual(6);
    expect(second.calls.length).toBeGreaterThanOrEqual(6);

    await first.stop();
    const before = second.calls.length;
    for (let i = 0; i < 5; i++) expect((await ask(bed.client, { ...query, requestId: `gone-${i}` })).at(-1)).toMatchObject({ state: "done", degraded: [] });
    expect(second.calls.length - before).toBe(10);
  });
});
