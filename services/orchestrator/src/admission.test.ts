import { describe, expect, it } from "vitest";
import { OverloadedError, UnavailableError } from "@kbalign/contracts";
import { createAdmission } from "./admission.js";

describe("createAdmission", () => {
  it("admits up to the limit, then throws a retryable OVERLOADED", () => {
    const admission = createAdmission(2);
    const a = admission.admit();
    admission.admit();
    expect(admission.inFlight()).toBe(2);
    const err = (() => {
      try {
        admission.admit();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(OverloadedError);
    expect((err as OverloadedError).retryable).toBe(true);
    a();
    expect(admission.inFlight()).toBe(1);
    expect(() => admission.admit()).not.toThrow();
  });

  it("tells why it would refuse without taking a slot, reusing one error while the limit is unchanged", () => {
    let max = 1;
    const admission = createAdmission(() => max);
    expect(admission.refusal()).toBeUndefined();
    admission.admit();
    const first = admission.refusal();
    expect(first).toBeInstanceOf(OverloadedError);
    expect(first?.message).toContain("limit 1");
    expect(admission.refusal()).toBe(first);
    expect(admission.inFlight()).toBe(1);
    max = 2;
    expect(admission.refusal()).toBeUndefined();
    admission.admit();
    expect(admission.refusal()?.message).toContain("limit 2");
    const reason = new UnavailableError("shutting down, retry");
    admission.close(reason);
    expect(admission.refusal()).toBe(reason);
  });

  it("frees a slot once, however often release is called", () => {
    const admission = createAdmission(3);
    const release = admission.admit();
    admission.admit();
    release();
    release();
    expect(admission.inFlight()).toBe(1);
  });

  it("once closed, admits nothing and throws the closing reason, below the limit too", () => {
    const admission = createAdmission(3);
    const release = admission.admit();
    const reason = new UnavailableError("shutting down, retry");
    admission.close(reason);
    expect(() => admission.admit()).toThrow(reason);
    release();
    expect(admission.inFlight()).toBe(0);
    expect(() => admission.admit()).toThrow(reason);
  });
});
