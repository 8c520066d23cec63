import { describe, expect, it } from "vitest";
import { CancelReply, CancelRequest, Subjects, isTerminal, type DoneEvent, type GenerateReply, type GenerateRequest } from "@kbalign/contracts";
import { decodeJson, encodeJson, type NatsConnection } from "@kbalign/nats";
import {
  answering,
  ask,
  metricValue,
  openQuery,
  startFakeGenerator,
  startFakeRetriever,
  startTestOrchestrator,
  states,
  stream,
  twoRecalls,
  waitUntil,
  type FakeGenerator,
  type TestOrchestrator,
  useTestBed,
} from "./harness.js";

/** Final answers wait for a cancel of their stream (or 5 s) before answering. */
const finalWaitsForCancel = async (req: GenerateRequest, send: (reply: GenerateReply) => void, fake: FakeGenerator) => {
  if (req.purpose === "first_answer") return stream(send, "draft.");
  await fake.cancelled(req.streamId);
};
/** Every generation waits for a cancel (or 5 s) and sends nothing. */
const hangs = async (req: GenerateRequest, _send: unknown, fake: FakeGenerator) => {
  await fake.cancelled(req.streamId);
};

describe("orchestrator admission, cancellation, deadlines and shutdown", () => {
  const bed = useTestBed();
  const { started, orchestrator } = bed;
  const query = { query: "How do bees communicate?", collection: "docs", topn: 3 };
  const cancel = async (requestId: string) => {
    const reply = await bed.client.request(Subjects.cancel, encodeJson({ requestId } satisfies CancelRequest), { timeout: 2_000 });
    return CancelReply.parse(decodeJson(reply.data)).cancelled;
  };

  it("answers OVERLOADED at once when KBALIGN_MAX_IN_FLIGHT requests are running", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(
      startFakeGenerator(bed.fakes, async (req, send) => {
        if (req.purpose === "final_answer") await new Promise((r) => setTimeout(r, 400));
        await answering(req, send);
      }),
    );
    const o = await orchestrator({ KBALIGN_MAX_IN_FLIGHT: "1" });

    const slow = openQuery(bed.client, { ...query, requestId: "slow-1" });
    await waitUntil(() => generator.requests.some((r) => r.purpose === "final_answer"));
    const rejected = await ask(bed.client, { ...query, requestId: "second-1" });

    expect(rejected).toEqual([
      { requestId: "second-1", seq: 0, state: "error", code: "OVERLOADED", retryable: true, value: expect.stringContaining("limit 1") },
    ]);
    // Answered while the first request was still running.
    expect(slow.events.some(isTerminal)).toBe(false);
    expect(o.inFlight()).toBe(1);
    expect((await slow.finished).at(-1)?.state).toBe("done");
    expect(o.inFlight()).toBe(0);
    expect(await metricValue(o.registry, "kbalign_requests_total", { code: "OVERLOADED" })).toBe(1);
    expect(await metricValue(o.registry, "kbalign_in_flight_requests")).toBe(0);
  });

  it("answers BAD_REQUEST for a requestId already in flight", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(startFakeGenerator(bed.fakes, finalWaitsForCancel));
    await orchestrator();
    const first = openQuery(bed.client, { ...query, requestId: "dup-1" });
    await waitUntil(() => first.events.some((e) => e.state === "query_expansion_recall"));
    const [event] = await ask(bed.client, { ...query, requestId: "dup-1" });
    expect(event).toMatchObject({ requestId: "dup-1", state: "error", code: "BAD_REQUEST", field: "requestId" });
    expect(await cancel("dup-1")).toBe(true);
    expect((await first.finished).at(-1)).toMatchObject({ code: "CANCELLED" });
  });

  it("cancels a request on kbalign.v1.cancel: CANCELLED, and the generator gets a GenerateCancel for its stream", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, finalWaitsForCancel));
    const o = await orchestrator();

    const running = openQuery(bed.client, { ...query, requestId: "cancel-1" });
    await waitUntil(() => generator.requests.some((r) => r.purpose === "final_answer"));
    expect(await cancel("cancel-1")).toBe(true);
    const events = await running.finished;

    expect(states(events)).toEqual(["recall", "first_answer", "query_expansion_recall", "error"]);
    expect(events.at(-1)).toMatchObject({ code: "CANCELLED", retryable: false, value: "cancelled by the client" });
    const finalStream = generator.requests.find((r) => r.purpose === "final_answer")!.streamId;
    expect(await generator.cancelled(finalStream, 2_000)).toBe(true);
    expect(await metricValue(o.registry, "kbalign_requests_total", { code: "CANCELLED" })).toBe(1);
  });

  it("answers cancelled: false for a request it does not hold", async () => {
    await orchestrator();
    expect(await cancel("nobody-here")).toBe(false);
  });

  it("delivers every cancel to every replica, whichever holds the request", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, finalWaitsForCancel));
    const secondNc = await bed.extraConnection();
    await orchestrator();
    await orchestrator({}, secondNc);

    const ids = ["multi-1", "multi-2", "multi-3", "multi-4", "multi-5", "multi-6"];
    const running = ids.map((requestId) => openQuery(bed.client, { ...query, requestId }));
    await waitUntil(() => generator.requests.filter((r) => r.purpose === "final_answer").length === ids.length);
    // Fire-and-forget cancels, as a client without a reply subject sends them.
    for (const requestId of ids) bed.client.publish(Subjects.cancel, encodeJson({ requestId }));
    const ends = await Promise.all(running.map((r) => r.finished.then((events) => events.at(-1))));
    expect(ends.map((e) => e?.state === "error" && e.code)).toEqual(ids.map(() => "CANCELLED"));
  });

  it("answers extractively before the deadline when the generator hangs (timeoutMs 300), and stops the generator", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, hangs));
    await orchestrator();

    const sent = Date.now();
    const events = await ask(bed.client, { ...query, timeoutMs: 300 });
    const elapsed = Date.now() - sent;

    expect(states(events)).toEqual(["recall", "data", "done"]);
    const done = events.at(-1) as DoneEvent;
    expect(done.degraded.map((d) => [d.stage, d.code])).toEqual([
      ["first_answer", "TIMEOUT"],
      ["final_answer", "TIMEOUT"],
    ]);
    expect(String(events[1]?.value)).toContain("waggle dance");
    expect(elapsed).toBeLessThan(1_000);
    // The generator was told to stop, and heard when the pipeline would give up on its first chunk.
    expect(await generator.cancelled(generator.requests[0]!.streamId, 2_000)).toBe(true);
    expect(generator.requests[0]!.firstChunkBy).toBeLessThanOrEqual(sent + 300);
  });

  it("falls back after the first-chunk budget, not the deadline, when the generator hangs", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(startFakeGenerator(bed.fakes, hangs));
    await orchestrator({ KBALIGN_FIRST_CHUNK_TIMEOUT_MS: "200" });

    const sent = Date.now();
    const events = await ask(bed.client, { ...query, timeoutMs: 30_000 });
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(events.at(-1)).toMatchObject({ state: "done", degraded: [{ stage: "first_answer", code: "TIMEOUT" }, { stage: "final_answer", code: "TIMEOUT" }] });
  });

  it("lets a request in flight finish when stopped within the grace period", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    await started(
      startFakeGenerator(bed.fakes, async (req, send) => {
        if (req.purpose === "final_answer") await new Promise((r) => setTimeout(r, 300));
        await answering(req, send);
      }),
    );
    const o = await orchestrator({ KBALIGN_SHUTDOWN_GRACE_MS: "5000" });
    const running = openQuery(bed.client, query);
    await waitUntil(() => running.events.some((e) => e.state === "query_expansion_recall"));

    const stopping = o.stop();
    expect(o.ready()).toBe(false);
    const events = await running.finished;
    await stopping;
    expect(events.at(-1)).toMatchObject({ state: "done", degraded: [] });
    expect(o.inFlight()).toBe(0);
  });

  it("ends what is still running after the grace period with a retryable UNAVAILABLE: the client still gets its terminal event", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, finalWaitsForCancel));
    const o = await orchestrator({ KBALIGN_SHUTDOWN_GRACE_MS: "100" });
    const running = openQuery(bed.client, query);
    await waitUntil(() => generator.requests.some((r) => r.purpose === "final_answer"));

    await o.stop();
    const events = await running.finished;
    expect(events.at(-1)).toMatchObject({ state: "error", code: "UNAVAILABLE", retryable: true, value: "orchestrator is shutting down, retry" });
    expect(o.inFlight()).toBe(0);
    // It takes no new requests: with no orchestrator left, nobody answers.
    await expect(bed.client.request(Subjects.query, encodeJson(query), { timeout: 1_000 })).rejects.toThrow();
  });

  it("during the grace period, hands new queries to the other replicas and still honours a cancel", async () => {
    await started(startFakeRetriever(bed.fakes, twoRecalls));
    const generator = await started(startFakeGenerator(bed.fakes, async (req, send, fake) => (req.query.includes("later") ? answering(req, send) : finalWaitsForCancel(req, send, fake))));
    const o = await orchestrator({ KBALIGN_SHUTDOWN_GRACE_MS: "5000" });
    const running = openQuery(bed.client, { ...query, requestId: "grace-1" });
    await waitUntil(() => generator.requests.some((r) => r.purpose === "final_answer"));
    await orchestrator({}, await bed.extraConnection());

    const stopping = o.stop();
    expect(o.ready()).toBe(false);
    await waitUntil(() => o.inFlight() === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 5; i++) {
      const later = await ask(bed.client, { ...query, query: "asked later", requestId: `late-${i}` });
      expect(later.at(-1)).toMatchObject({ state: "done" });
    }
    expect(o.inFlight()).toBe(1);
    // Two replicas answer a cancel sent as a request; the one holding it says true. Sent as a publish here.
    bed.client.publish(Subjects.cancel, encodeJson({ requestId: "grace-1" }));
    expect((await running.finished).at(-1)).toMatchObject({ state: "error", code: "CANCELLED", value: "cancelled by the client" });
    await stopping;
    expect(o.inFlight()).toBe(0);
  });
});
