export * from "./errors.js";
export * from "./v1/index.js";
export * from "./nats-server-config.js";
export * from "./public-message.js";
