export * from "./language.js";
export * from "./tokenize.js";
export * from "./sentences.js";
export * from "./extractive.js";
