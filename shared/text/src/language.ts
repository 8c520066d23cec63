export type Language = "en" | "zh";

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

/** "zh" when Han characters make up at least a fifth of the letters, else "en". */
export function detectLanguage(text: string): Language {
  const han = text.match(HAN)?.length ?? 0;
  if (han === 0) return "en";
  const latin = text.match(LATIN)?.length ?? 0;
  return han * 5 >= han + latin ? "zh" : "en";
}
