import type { StepResult } from "./open-loop-step.js";

/** What a step must hold to count as sustained. */
export interface LatencyTarget {
  /** p99 of the terminal event, ms. */
  p99Ms: number;
  /** errors / requests, e.g. 0.001 for 0.1%. */
  maxErrorRate: number;
}

export interface SweepPlan {
  startRate: number;
  stepRate: number;
  maxRate: number;
}

export interface SweepResult {
  steps: StepResult[];
  /** The highest offered rate that held the target; undefined when the first step missed it. */
  highestPassingRate?: number;
  /** Why the sweep stopped. */
  stoppedBecause: string;
}

/** Why `step` misses `target`, or undefined when it holds it (every request ended, p99 under, errors under). */
export function missedTarget(step: StepResult, target: LatencyTarget): string | undefined {
  const p99 = step.latencyMs.terminal?.p99;
  if (p99 === undefined) return "no request ended";
  if (step.errorRate >= target.maxErrorRate && step.errors > 0) {
    return `errors ${(step.errorRate * 100).toFixed(2)}% ≥ ${(target.maxErrorRate * 100).toFixed(2)}%`;
  }
  if (p99 >= target.p99Ms) return `p99 ${p99.toFixed(1)} ms ≥ ${target.p99Ms} ms`;
  return undefined;
}

/** The offered rates of a sweep: start, start + step, … up to max (inclusive). */
export function sweepRates(plan: SweepPlan): number[] {
  const rates: number[] = [];
  for (let rate = plan.startRate; rate <= plan.maxRate + 1e-9; rate += plan.stepRate) rates.push(rate);
  return rates;
}

/**
 * Raises the rate step by step until a step misses the target (or the plan ends, or `stopped()`):
 * the highest rate that held is the capacity at that target.
 */
export async function runSweep(
  plan: SweepPlan,
  target: LatencyTarget,
  runStep: (rate: number) => Promise<StepResult>,
  stopped: () => boolean = () => false,
): Promise<SweepResult> {
  const steps: StepResult[] = [];
  let highestPassingRate: number | undefined;
  for (const rate of sweepRates(plan)) {
    if (stopped()) return { steps, ...(highestPassingRate === undefined ? {} : { highestPassingRate }), stoppedBecause: "interrupted" };
    const step = await runStep(rate);
    steps.push(step);
    const missed = missedTarget(step, target);
    if (missed !== undefined) {
      return { steps, ...(highestPassingRate === undefined ? {} : { highestPassingRate }), stoppedBecause: `${rate}/s missed the target: ${missed}` };
    }
    highestPassingRate = rate;
  }
  return { steps, ...(highestPassingRate === undefined ? {} : { highestPassingRate }), stoppedBecause: `reached --max-rate ${plan.maxRate}/s with the target held` };
}
