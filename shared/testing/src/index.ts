export * from "./nats-server.js";
export * from "./corpora.js";
export * from "./free-port.js";
