// ICU sentence boundaries know both "." / "?" / "!" followed by a space and the Chinese
// full-width "。" / "？" / "！" that need none.
const sentences = new Intl.Segmenter("zh", { granularity: "sentence" });

/** The sentences of a text, trimmed, empty ones dropped. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of sentences.segment(text)) {
    const sentence = segment.trim();
    if (sentence.length > 0) out.push(sentence);
  }
  return out;
}
