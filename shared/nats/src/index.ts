export * from "./connection.js";
export * from "./json.js";
export * from "./log.js";
export * from "./serve-endpoint.js";
export * from "./request.js";
export * from "./trace-context.js";
export * from "./kb-stream.js";
export { Svcm, type Service, type ServiceMsg } from "@nats-io/services";
export type { NatsConnection, Msg, MsgHdrs, Subscription } from "@nats-io/nats-core";
