import { describe, expect, it } from "vitest";
import { CliError } from "../errors.js";
import { planRollback, validateConfigValue, type ConfigChange } from "./config-store.js";

const change = (revision: number, key: string, value: string | undefined): ConfigChange => ({
  key,
  value: value ?? "",
  revision,
  created: new Date(0),
  operation: value === undefined ? "DEL" : "PUT",
});

describe("config store", () => {
  it("refuses what the orchestrator's environment schema refuses, and unknown keys", () => {
    expect(() => validateConfigValue("query.defaultTopn", "0")).toThrow(CliError);
    expect(() => validateConfigValue("query.defaultTopn", "0")).toThrow(/query\.defaultTopn/);
    expect(() => validateConfigValue("query.maxInFlight", "lots")).toThrow(/refused/);
    expect(() => validateConfigValue("no.such", "1")).toThrow(/unknown key 'no.such'/);
    expect(() => validateConfigValue("query.defaultTopn", "12")).not.toThrow();
  });

  const history = [change(1, "query.defaultTopn", "8"), change(2, "retry.maxRetries", "1"), change(3, "query.defaultTopn", "3")];

  it("undoes the latest change by default", () => {
    expect(planRollback(history)).toEqual({ revision: 2, steps: [{ key: "query.defaultTopn", from: "3", to: "8" }] });
  });

  it("brings back the state at a revision, unsetting keys set since", () => {
    expect(planRollback(history, 1).steps).toEqual([
      { key: "query.defaultTopn", from: "3", to: "8" },
      { key: "retry.maxRetries", from: "1", to: undefined },
    ]);
    expect(planRollback([...history, change(4, "query.defaultTopn", undefined)], 3).steps).toEqual([{ key: "query.defaultTopn", from: undefined, to: "3" }]);
  });

  it("refuses a revision that is not in the past, or a value that no longer validates", () => {
    expect(() => planRollback(history, 3)).toThrow(/not before the latest change/);
    expect(() => planRollback([])).toThrow(/no history/);
    expect(() => planRollback([change(1, "query.defaultTopn", "99"), change(2, "query.defaultTopn", "4")])).toThrow(/refused/);
  });
});
