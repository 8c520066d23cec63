export * from "./common.js";
export * from "./generate.js";
export * from "./kb.js";
export * from "./query.js";
export * from "./retrieve.js";
export * from "./subjects.js";
export * from "./runtime-config.js";
