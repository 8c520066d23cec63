export * from "./nats-server.js";
export * from "./corpora.js";
export { freePort, waitForPort } from "@kbalign/net";
