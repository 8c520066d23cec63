import type { Service } from "@nats-io/services";

/**
 * The figures `$SRV.STATS` (`nats micro stats`) reports for one endpoint, as the services
 * framework keeps them: times in nanoseconds.
 */
interface FrameworkEndpointStats {
  num_requests: number;
  num_errors: number;
  processing_time: number;
  average_processing_time: number;
  last_error?: string;
}

/** Corrects one endpoint's `$SRV.STATS` figures once its asynchronous handling has ended. */
export interface EndpointStatsRecorder {
  /**
   * @param afterReturnSeconds time from the handler's synchronous return to the end of the handling
   *   (the framework has already counted the part before, and the request itself)
   * @param error the error the caller was answered with, if any
   */
  record(afterReturnSeconds: number, error?: string): void;
}

const NANOS_PER_SECOND = 1e9;

/**
 * The framework (`@nats-io/services` 3.0.0-25) times a handler and counts its errors only around
 * its synchronous call, so for an async handler `$SRV.STATS` shows about 0 ms and 0 errors. Its
 * API offers no way to report a handling's end, so this reaches the endpoint's stats object (the
 * one `$SRV.STATS` serialises) through the service's internal `handlers` list, checking its shape.
 * Undefined when the library no longer has that shape: the stats then stay the framework's, and
 * `endpoint-stats.test.ts` fails.
 */
export function endpointStatsRecorder(service: Service, name: string): EndpointStatsRecorder | undefined {
  const handlers: unknown = Reflect.get(service, "handlers");
  if (!Array.isArray(handlers)) return undefined;
  // The latest entry of that name: the one addEndpoint just pushed.
  const entry: unknown = handlers.findLast((h: unknown) => isObject(h) && h["name"] === name);
  if (!isObject(entry) || !isFrameworkStats(entry["stats"])) return undefined;
  return {
    record(afterReturnSeconds, error) {
      // Read each time: the framework replaces an endpoint's stats object when it sets it up again.
      const stats = entry["stats"];
      if (!isFrameworkStats(stats)) return;
      stats.processing_time += Math.round(afterReturnSeconds * NANOS_PER_SECOND);
      if (stats.num_requests > 0) stats.average_processing_time = Math.round(stats.processing_time / stats.num_requests);
      if (error !== undefined) {
        stats.num_errors += 1;
        stats.last_error = error;
      }
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isFrameworkStats(value: unknown): value is FrameworkEndpointStats {
  return (
    isObject(value) &&
    typeof value["num_requests"] === "number" &&
    typeof value["num_errors"] === "number" &&
    typeof value["processing_time"] === "number" &&
    typeof value["average_processing_time"] === "number"
  );
}
