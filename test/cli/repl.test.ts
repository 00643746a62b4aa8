/**
 * The REPL through a pseudo-terminal (python3's pty module drives it, expect-style; see
 * pty-driver.py): a model over several lines, a short sample, its summary, an error and
 * recovery, :help from the distribution registry, Tab completion, Ctrl-C, history, Ctrl-D;
 * files loaded with their own folder for paths; input continued after a trailing operator;
 * what the terminal shows of the progress bars (screen.ts) when Ctrl-C stops a sample.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DLM, FIXTURES, hasStackTrace, ROOT } from "./run-cli.js";
import { screen } from "./screen.js";

const DRIVER = fileURLToPath(new URL("./pty-driver.py", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "dlm-repl-"));

type Step = { send: string } | { expect: string; timeout?: number } | { sleep: number };

/** Runs the REPL under a pty through `steps`; returns the transcript with escape sequences removed, and as written (`raw`). */
function drive(steps: readonly Step[], args: readonly string[] = [], env: Record<string, string> = {}): { transcript: string; raw: string; ok: boolean; exit: number } {
  const stepsFile = join(tmp, `steps-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(stepsFile, JSON.stringify(steps));
  const r = spawnSync("python3", [DRIVER, stepsFile, "--", ...DLM, "repl", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 240_000,
  });
  // Strip terminal control sequences (cursor moves, line clears) and carriage returns.
  const transcript = (r.stdout ?? "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
  const exit = /@@EXIT (-?\d+)/.exec(transcript);
  return { transcript, raw: r.stdout ?? "", ok: !transcript.includes("@@TIMEOUT"), exit: exit ? Number(exit[1]) : -1 };
}

const PROMPT = "dlm> ";
const prompt = (timeout = 60): Step => ({ expect: PROMPT, timeout });

describe("dlm repl", () => {
  it("multi-line model, sample, summary, an error, recovery, :help, completion, Ctrl-C, history, Ctrl-D", () => {
    const history = join(tmp, "history");
    const { transcript, ok, exit } = drive(
      [
        prompt(),
        { send: "model m(y) {\r" }, { expect: "\\.\\.\\.> " },
        { send: "  mu ~ Normal(0, 10)\r" }, { expect: "\\.\\.\\.> " },
        { send: "  y ~ Normal(mu, 1)\r" }, { expect: "\\.\\.\\.> " },
        { send: "}\r" }, prompt(),
        { send: "post = sample(m([1.0, 2.0, 3.0]), draws = 100, warmup = 100, chains = 2, seed = 1)\r" },
        prompt(180),
        { send: "summary(post)\r" }, { expect: "\\nmu\\s+\\S+", timeout: 60 }, prompt(),
        { send: "undefined_thing + 1\r" }, { expect: "error: unknown name" }, prompt(),
        { send: "z = [1, 2, 3] * 2\r" }, prompt(),
        { send: "z\r" }, { expect: "\\[2, 4, 6\\]" }, prompt(),
        { send: ":type z\r" }, { expect: "array of shape \\[3\\]" }, prompt(),
        { send: ":help Normal\r" }, { expect: "Normal\\(mu, sigma\\)\\s+\\[distribution\\]" }, prompt(),
        { send: "HalfNor" }, { sleep: 0.5 }, { send: "\t" }, { expect: "HalfNormal" },
        { send: "\u0003" }, prompt(),
        { send: ":vars\r" }, { expect: "post: a posterior" }, prompt(),
        { send: ":time sum(z)\r" }, { expect: "12\\s+time: \\d+\\.\\d{3} s" }, prompt(),
        { send: ":backend\r" }, { expect: "backend (wasm|cpu) \\(available: wasm, cpu" }, prompt(),
        { send: ":nonsense\r" }, { expect: "unknown command ':nonsense'" }, prompt(),
        { send: "\u0004" },
      ],
      [],
      { DLM_HISTORY: history },
    );
    expect(ok, transcript).toBe(true);
    expect(exit, transcript).toBe(0);
    expect(hasStackTrace(transcript)).toBe(false);
    // Posterior of mu: y_i ~ N(mu, 1), mu ~ N(0, 10²), ybar = 2, n = 3: mean 2·(3/(3 + 0.01)) = 1.9934, sd 0.5765.
    const mu = /\nmu\s+(\S+)\s+(\S+)/.exec(transcript);
    expect(mu, transcript).not.toBeNull();
    expect(Math.abs(Number(mu![1]) - 1.9934)).toBeLessThan(0.35);
    expect(readFileSync(history, "utf8")).toContain("z = [1, 2, 3] * 2\n");
    // the sample showed one progress bar per chain (cli-progress), as `dlm sample` does on a terminal
    expect(transcript).toMatch(/chain 2 \|[^\n]*\| 200\/200 sampling/);
  });

  it("loads a file given on the command line; :reload keeps the session; Ctrl-C stops a long sample, keeping its draws", () => {
    const file = join(tmp, "defs.dlm");
    writeFileSync(file, "fn double(x) = 2 * x\nmodel m(y) {\n  mu ~ Normal(0, 10)\n  y ~ Normal(mu, 1)\n}\n");
    const other = join(tmp, "defs2.dlm");
    writeFileSync(other, "fn double(x) = 3 * x\n");
    const { transcript, raw, ok, exit } = drive(
      [
        prompt(),
        { send: "double(21)\r" }, { expect: "42" }, prompt(),
        { send: "keep = 5\r" }, prompt(),
        { send: ":load " + join(FIXTURES, "nothere.dlm") + "\r" }, { expect: "cannot read" }, prompt(),
        { send: ":reload\r" }, { expect: "loaded" }, prompt(),
        { send: "double(4)\r" }, { expect: "\\n8\\s" }, prompt(),
        // a redefinition from another file; the prompt's variable survives the reloads
        { send: ":reload " + other + "\r" }, { expect: "loaded" }, prompt(),
        { send: "double(4) + keep\r" }, { expect: "\\n17\\s" }, prompt(),
        { send: "post = sample(m([1.0, 2.0]), draws = 1000000, warmup = 0, chains = 1, seed = 2)\r" },
        // Ctrl-C only once the sampler is running (its progress bar is up): a fixed sleep raced
        // with start-up on a loaded machine and the key cancelled the input line instead.
        { expect: "\\d+/1000000 sampling", timeout: 60 }, { send: "\u0003" },
        { expect: "interrupted: `sample` kept the \\d+ completed draws per chain \\(of 1000000\\)", timeout: 60 }, prompt(),
        { send: "post\r" }, { expect: "a posterior: 1 chain × \\d+ draws of 1 quantities" }, prompt(),
        { send: "keep\r" }, { expect: "\\n5\\s" }, prompt(),
        { send: ":quit\r" },
      ],
      [file],
      { DLM_HISTORY: "/dev/null" },
    );
    expect(ok, transcript).toBe(true);
    expect(exit).toBe(0);
    expect(transcript).toContain(`loaded ${file}`);
    // On screen: the bar once, redrawn in place, and the note about the interrupt above it.
    const shown = screen(raw);
    expect(shown.filter((l) => l.startsWith("chain 1 |")), shown.join("\n")).toHaveLength(1);
    const note = shown.findIndex((l) => l.startsWith("interrupt: a running `sample` stops"));
    expect(note, shown.join("\n")).toBeGreaterThanOrEqual(0);
    expect(note).toBeLessThan(shown.findIndex((l) => l.startsWith("chain 1 |")));
  });

  it("a loaded file's paths are relative to its folder and its errors name it; typed input is relative to the working folder; a trailing operator continues the input", () => {
    const project = join(tmp, "project");
    mkdirSync(join(project, "data"), { recursive: true });
    writeFileSync(join(project, "data", "d.csv"), "x,y\n1,2\n3,4\n5,6\n");
    writeFileSync(join(project, "lib.dlm"), "fn twice(x) = 2 * x\n");
    writeFileSync(join(project, "model.dlm"), "include \"lib.dlm\"\nd = read_csv(\"data/d.csv\")\nn = nrows(d)\n");
    writeFileSync(join(project, "bad.dlm"), "x = 1\ny = read_csv(\"data/missing.csv\")\n");
    // as a user types it from the repository root: a path relative to the working folder
    const model = relative(ROOT, join(project, "model.dlm"));
    const bad = join(project, "bad.dlm");
    const { transcript, ok, exit } = drive(
      [
        { expect: `loaded ${model.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}` }, prompt(),
        { send: "twice(n)\r" }, { expect: "\\n6\\s" }, prompt(),
        { send: ":load " + bad + "\r" }, { expect: "missing\\.csv" }, prompt(),
        { send: ":reload " + join(project, "model.dlm") + "\r" }, { expect: "loaded" }, prompt(),
        { send: "nrows(read_csv(\"examples/data/linreg.csv\"))\r" }, { expect: "\\n60\\s" }, prompt(),
        { send: "read_csv(\"data/d.csv\")\r" }, { expect: "cannot read" }, prompt(),
        { send: "1 +\r" }, { expect: "\\.\\.\\.> " },
        { send: "2\r" }, { expect: "\\n3\\s" }, prompt(),
        { send: "z = twice(3) *   # more on the next line\r" }, { expect: "\\.\\.\\.> " },
        { send: "  10\r" }, prompt(),
        { send: "z\r" }, { expect: "\\n60\\s" }, prompt(),
        { send: ":quit\r" },
      ],
      [model],
      { DLM_HISTORY: "/dev/null" },
    );
    expect(ok, transcript).toBe(true);
    expect(exit).toBe(0);
    expect(hasStackTrace(transcript)).toBe(false);
    expect(transcript).not.toMatch(/error: (unexpected|expected)/);
    // an error in a loaded file names that file, and its path is relative to the file's folder
    expect(transcript).toContain(`${bad}:2:5: error: cannot read the file ${join(project, "data", "missing.csv")}`);
    // what is typed at the prompt resolves against the working folder and is named <repl>
    expect(transcript).toContain(`<repl>:1:1: error: cannot read the file ${join(ROOT, "data", "d.csv")}`);
  });

  it("dlm sample on a terminal shows one progress bar per chain (cli-progress) instead of plain lines", () => {
    const stepsFile = join(tmp, "bars.json");
    writeFileSync(stepsFile, JSON.stringify([{ expect: "chain 2 \\|[^\\n]*\\| 60/60 sampling \\| \\d+ divergent", timeout: 180 }, { expect: "rhat", timeout: 60 }]));
    // tfjs: on the host engine this run ends before the bars draw a warm-up frame
    const args = ["sample", join(FIXTURES, "normal.dlm"), "--model", "normal", "--data", join(FIXTURES, "normal.json"), "--chains", "2", "--warmup", "30", "--draws", "30", "--engine", "tfjs", "--output", join(tmp, "bars")];
    const r = spawnSync("python3", [DRIVER, stepsFile, "--", ...DLM, ...args], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    const transcript = (r.stdout ?? "").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
    expect(transcript, transcript).not.toContain("@@TIMEOUT");
    expect(transcript).toContain("@@EXIT 0");
    expect(transcript).toMatch(/chain 1 \|[^\n]*\| \d+\/60 warm-up/);
    expect(transcript).not.toMatch(/Iteration:/);
  });
});

