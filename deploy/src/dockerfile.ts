/** One build stage of a Dockerfile: its base, its name, and its instructions in order. */
export interface Stage {
  from: string;
  name?: string;
  instructions: Array<{ keyword: string; args: string }>;
}

/** Splits a Dockerfile into stages (line continuations joined, comments dropped), `ARG`s before the first FROM resolved. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === "ARG" && stages.length === 0) {
      const [name, value] = args.split("=") as [string, string | undefined];
      if (value !== undefined) globalArgs.set(name, value);
      continue;
    }
    if (upper === "FROM") {
      const [image = "", as, name] = args.replace(/\$\{(\w+)\}/g, (_, arg: string) => globalArgs.get(arg) ?? `\${${arg}}`).split(/\s+/);
      stages.push({ from: image, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push({ keyword: upper, args });
  }
  return stages;
}

/** The value of the last `keyword` instruction a stage has, looking through the stages it is built FROM. */
export function effective(stages: Stage[], stageName: string, keyword: string): string | undefined {
  const stage = stages.find((candidate) => candidate.name === stageName);
  if (!stage) throw new Error(`no stage ${stageName}`);
  const own = stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  if (own) return own.args;
  return stages.some((candidate) => candidate.name === stage.from) ? effective(stages, stage.from, keyword) : undefined;
}
