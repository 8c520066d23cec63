export * from "./logger.js";
export * from "./metrics-registry.js";
export * from "./http-server.js";
export * from "./tracing.js";
export * from "./endpoint-metrics.js";
export * from "./resource-monitor.js";
export * from "./connection-metrics.js";
