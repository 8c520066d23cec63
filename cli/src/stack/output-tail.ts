/** The last lines a process wrote, kept to show with a crash report. */
export interface OutputTail {
  push(chunk: string): void;
  lines(): string[];
}

export function createOutputTail(maxLines: number): OutputTail {
  const kept: string[] = [];
  let partial = "";
  return {
    push(chunk) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        if (line.trim() === "") continue;
        kept.push(line);
        if (kept.length > maxLines) kept.shift();
      }
    },
    lines() {
      return partial.trim() === "" ? [...kept] : [...kept, partial].slice(-maxLines);
    },
  };
}
