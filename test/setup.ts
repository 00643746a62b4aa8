// Every test file runs on the backend chosen the way users choose it (DLM_BACKEND, default wasm).
import { initEngine } from "../core/engine.js";

await initEngine();
