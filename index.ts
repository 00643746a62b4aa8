// The public API of the package (re-exports only).
export * from "./core/index.js";
