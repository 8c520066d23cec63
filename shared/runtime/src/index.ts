export * from "./run-service.js";
