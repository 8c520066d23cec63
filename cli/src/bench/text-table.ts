/** One section of a report: a titled table, rendered as aligned text or as Markdown. */
export interface ReportTable {
  title: string;
  columns: string[];
  /** Right-aligned columns (numbers); the others are left-aligned. */
  numeric?: boolean[];
  rows: string[][];
  /** A list (e.g. `name value` pairs): its column names are shown in Markdown only. */
  hideHeaderInText?: boolean;
}

/** Aligned plain text: the title, then the rows indented under it, columns padded to fit. */
export function renderText(tables: readonly ReportTable[]): string {
  return tables
    .map((table) => {
      const lines = table.hideHeaderInText ? table.rows : [table.columns, ...table.rows];
      const widths = table.columns.map((_, c) => Math.max(...lines.map((row) => (row[c] ?? "").length)));
      const body = lines.map(
        (row) =>
          `  ${row
            .map((cell, c) => {
              const pad = " ".repeat(Math.max(0, (widths[c] ?? 0) - cell.length));
              // The last column of a left-aligned table is not padded: no trailing spaces.
              if (table.numeric?.[c]) return pad + cell;
              return c === row.length - 1 ? cell : cell + pad;
            })
            .join("   ")}`,
      );
      return [table.title, ...(table.rows.length === 0 ? ["  (none)"] : body)].join("\n");
    })
    .join("\n\n");
}

/** GitHub-flavoured Markdown: a `###` heading and a table per section. */
export function renderMarkdown(tables: readonly ReportTable[]): string {
  return tables
    .map((table) => {
      const row = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
      const rule = `| ${table.columns.map((_, c) => (table.numeric?.[c] ? "---:" : "---")).join(" | ")} |`;
      if (table.rows.length === 0) return [`### ${table.title}`, "", "(none)"].join("\n");
      return [`### ${table.title}`, "", row(table.columns), rule, ...table.rows.map(row)].join("\n");
    })
    .join("\n\n");
}

const escapeCell = (cell: string) => cell.replaceAll("|", "\\|").replaceAll("\n", " ");
