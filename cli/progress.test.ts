/**
 * Progress bars as a terminal shows them (test/cli/screen.ts emulates one): every chain's bar
 * once, redrawn in place, with a note printed above them; bars cut to the terminal's width;
 * ETAs as 42s, 16m05s, 2h07m (never 60 of a unit) in the MCMC bars and the training bar.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "../test/cli/screen.js";
import { formatEta, progressReporter, trainReporter, wrapLine, type ProgressEvent } from "./progress.js";

/** A terminal-like stream that keeps what is written to it. */
function fakeTty(columns: number): NodeJS.WriteStream & { text: () => string } {
  let out = "";
  const stream = {
    isTTY: true,
    columns,
    rows: 24,
    write(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    },
    on: () => stream,
    once: () => stream,
    off: () => stream,
    removeListener: () => stream,
    text: () => out,
  };
  return stream as unknown as NodeJS.WriteStream & { text: () => string };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const event = (phase: ProgressEvent["phase"], iteration: number, chains: number): ProgressEvent => ({ phase, iteration, total: 100, divergences: Array.from({ length: chains }, () => 0) });

describe("formatEta", () => {
  it("seconds, minutes and seconds, hours and minutes; rounding never gives 60 of a unit", () => {
    expect(formatEta(0)).toBe("0s");
    expect(formatEta(42.4)).toBe("42s");
    expect(formatEta(59.6)).toBe("1m00s");
    expect(formatEta(16 * 60 + 59.7)).toBe("17m00s");
    expect(formatEta(16 * 60 + 5)).toBe("16m05s");
    expect(formatEta(3599.4)).toBe("59m59s");
    expect(formatEta(3599.6)).toBe("1h00m");
    expect(formatEta(7 * 3600 + 59 * 60 + 50)).toBe("8h00m");
    expect(formatEta(2 * 3600 + 7 * 60)).toBe("2h07m");
    const sixty: number[] = [];
    for (let t = 0; t < 40_000; t += 0.25) if (/(^|\D)60[sm]/.test(formatEta(t))) sixty.push(t);
    expect(sixty).toEqual([]);
  });

  it("unknown ETAs (cli-progress's NULL and INF) read ?", () => {
    expect(formatEta("NULL")).toBe("?");
    expect(formatEta("INF")).toBe("?");
    expect(formatEta(Infinity)).toBe("?");
  });
});

describe("wrapLine", () => {
  it("breaks at spaces into lines shorter than the width; cuts a longer word", () => {
    expect(wrapLine("interrupt: a running `sample` stops after the current iteration", 30)).toEqual(["interrupt: a running `sample`", "stops after the current", "iteration"]);
    expect(wrapLine("short", 30)).toEqual(["short"]);
    expect(wrapLine("x".repeat(25), 12)).toEqual(["x".repeat(11), "x".repeat(11), "xxx"]);
  });
});

describe("progressReporter on a terminal", () => {
  it("redraws each chain's bar in place; a note goes above the bars at once, also right before the end", async () => {
    const tty = fakeTty(100);
    const bars = progressReporter({ chains: 3, warmup: 50, draws: 50, stream: tty });
    for (let i = 1; i <= 50; i++) bars.update(event("warmup", i, 3));
    await sleep(450); // two redraws by cli-progress's timer
    for (let i = 1; i <= 10; i++) bars.update(event("sampling", i, 3));
    bars.log("interrupt: stopping after the current iteration");
    await sleep(250);
    bars.update(event("sampling", 11, 3));
    bars.log("a second note");
    bars.stop();
    bars.stop(); // a second stop (Ctrl-C twice) draws nothing more
    const shown = screen(tty.text(), { columns: 100 });
    for (const c of [1, 2, 3]) expect(shown.filter((l) => l.startsWith(`chain ${c} |`)), shown.join("\n")).toHaveLength(1);
    expect(shown.filter((l) => l.includes("interrupt: stopping"))).toHaveLength(1);
    expect(shown.filter((l) => l.includes("a second note"))).toHaveLength(1);
    expect(shown.findIndex((l) => l.includes("a second note"))).toBeLessThan(shown.findIndex((l) => l.startsWith("chain 1 |")));
    expect(shown.find((l) => l.startsWith("chain 3 |"))).toMatch(/61\/100 sampling \| 0 divergent \| ETA \S+$/);
  });

  it("cuts each bar to the terminal's width, so that nothing wraps and pushes the bars down", async () => {
    const tty = fakeTty(40);
    const bars = progressReporter({ chains: 2, warmup: 1000, draws: 1_000_000, stream: tty });
    for (let i = 1; i <= 20; i++) bars.update(event("warmup", i, 2));
    await sleep(450);
    bars.log("interrupt: stopping after the current iteration (Ctrl-C again to quit at once)");
    bars.update(event("warmup", 21, 2));
    bars.stop();
    // a terminal that wraps long lines in spite of cli-progress's request not to
    const shown = screen(tty.text().replace(/\x1b\[\?7l/g, ""), { columns: 40 });
    expect(shown.filter((l) => l.startsWith("chain 1 |"))).toHaveLength(1);
    expect(shown.filter((l) => l.startsWith("chain 2 |"))).toHaveLength(1);
    for (const l of shown) expect(l.length).toBeLessThan(40);
    // the note whole, over lines that fit, above the bars
    expect(shown.slice(0, -2).join(" ")).toBe("interrupt: stopping after the current iteration (Ctrl-C again to quit at once)");
    expect(shown.slice(-2).map((l) => l.slice(0, 9))).toEqual(["chain 1 |", "chain 2 |"]);
  });
});

describe("trainReporter on a terminal", () => {
  afterEach(() => vi.useRealTimers());

  it("writes its ETA with formatEta: 9998 s to go reads 2h47m", () => {
    vi.useFakeTimers({ now: 0 });
    const tty = fakeTty(120);
    const bar = trainReporter({ epochs: 1, stream: tty });
    bar.update({ epoch: 1, epochs: 1, batch: 1, batches: 10_000, loss: 1, rowsPerSecond: 100 });
    vi.advanceTimersByTime(1000);
    // one batch a second, 9998 batches to go (cli-progress's own format says 2h45m)
    bar.update({ epoch: 1, epochs: 1, batch: 2, batches: 10_000, loss: 1, rowsPerSecond: 100 });
    vi.advanceTimersByTime(250);
    bar.stop();
    const shown = screen(tty.text(), { columns: 120 });
    expect(shown.find((l) => l.startsWith("epoch 1/1 |")), tty.text()).toMatch(/ETA 2h47m$/);
  });
});
