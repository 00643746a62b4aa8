/**
 * What a terminal shows after some output: a small emulator of the part of VT100/xterm that
 * readline and cli-progress write (cursor moves, line and screen clears, auto-wrap on and off),
 * so that tests can check what is drawn (bars redrawn in place, not stacked) rather than the
 * bytes that draw it. "\n" moves to the start of the next line, as a tty's output processing
 * (onlcr) makes it do.
 */

export interface ScreenOptions {
  readonly columns?: number;
  /** The visible height: the cursor cannot move above the top of the last `rows` lines. */
  readonly rows?: number;
}

/** The lines on screen (scrolled-off lines included, trailing spaces and empty last lines dropped). */
export function screen(output: string, options: ScreenOptions = {}): string[] {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? Infinity;
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  let wrap = true;
  let saved: [number, number] = [0, 0];
  const lineAt = (r: number): string[] => {
    while (lines.length <= r) lines.push([]);
    return lines[r]!;
  };
  const top = (): number => (Number.isFinite(rows) ? Math.max(0, lines.length - rows) : 0);
  const put = (ch: string): void => {
    if (col >= columns) {
      if (wrap) {
        row += 1;
        col = 0;
      } else col = columns - 1;
    }
    const line = lineAt(row);
    while (line.length < col) line.push(" ");
    line[col] = ch;
    col += 1;
  };
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if (c === "\x1b") {
      const csi = /^\x1b\[(\??)([0-9;]*)([A-Za-z@])/.exec(output.slice(i, i + 32));
      if (csi !== null) {
        i += csi[0].length - 1;
        const [, priv, args, cmd] = csi;
        const nums = (args ?? "").split(";").map((a) => (a === "" ? undefined : Number(a)));
        const n = nums[0] ?? 1;
        if (priv === "?") {
          if (args === "7") wrap = cmd === "h";
          continue;
        }
        switch (cmd) {
          case "A": row = Math.max(top(), row - n); break;
          case "B": row += n; lineAt(row); break;
          case "C": col = Math.min(columns - 1, col + n); break;
          case "D": col = Math.max(0, col - n); break;
          case "G": col = Math.min(columns - 1, n - 1); break;
          case "H":
          case "f": row = top() + (nums[0] ?? 1) - 1; col = (nums[1] ?? 1) - 1; lineAt(row); break;
          case "K": {
            const line = lineAt(row);
            const mode = nums[0] ?? 0;
            if (mode === 0) line.length = Math.min(line.length, col);
            else if (mode === 1) for (let k = 0; k <= col && k < line.length; k++) line[k] = " ";
            else line.length = 0;
            break;
          }
          case "J": {
            const mode = nums[0] ?? 0;
            if (mode === 0) {
              lineAt(row).length = Math.min(lineAt(row).length, col);
              lines.length = row + 1;
            } else if (mode === 2) for (let r = top(); r < lines.length; r++) lines[r]!.length = 0;
            break;
          }
          default: break; // colours and the rest change nothing that tests read
        }
        continue;
      }
      const next = output[i + 1];
      if (next === "7") saved = [row, col];
      else if (next === "8") [row, col] = saved;
      i += 1;
      continue;
    }
    if (c === "\r") col = 0;
    else if (c === "\n") {
      row += 1;
      col = 0;
      lineAt(row);
    } else if (c === "\b") col = Math.max(0, col - 1);
    else if (c === "\t") col = Math.min(columns - 1, (Math.floor(col / 8) + 1) * 8);
    else if (c >= " ") put(c);
  }
  const text = lines.map((l) => l.join("").replace(/\s+$/, ""));
  while (text.length > 0 && text[text.length - 1] === "") text.pop();
  return text;
}
