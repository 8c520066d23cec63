import { asciiSentences, PRINTABLE_ASCII } from "./ascii-sentences.js";

// ICU sentence boundaries know both "." / "?" / "!" followed by a space and the Chinese
// full-width "。" / "？" / "！" that need none.
const sentences = new Intl.Segmenter("zh", { granularity: "sentence" });

const HAN_OR_FULL_WIDTH = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/u;

/**
 * Paragraphs of a text: blank lines separate them, and the line breaks of hard-wrapped text
 * inside one become a space (or nothing between Chinese characters), so a wrapped sentence stays
 * whole. A Markdown heading line is a paragraph of its own.
 */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    let current = "";
    for (const raw of block.split("\n")) {
      const line = raw.trim();
      if (line === "") continue;
      if (/^#{1,6}\s/.test(line)) {
        if (current) out.push(current);
        out.push(line);
        current = "";
        continue;
      }
      const joinTight = current === "" || (HAN_OR_FULL_WIDTH.test(current.at(-1)!) && HAN_OR_FULL_WIDTH.test(line[0]!));
      current += joinTight ? line : ` ${line}`;
    }
    if (current) out.push(current);
  }
  return out;
}

/** The sentences of a text, trimmed, empty ones dropped; no sentence spans two paragraphs. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of paragraphs(text)) {
    // The same boundaries as the segmenter's, found by a scan where the paragraph is ASCII.
    const segments = PRINTABLE_ASCII.test(paragraph) ? asciiSentences(paragraph) : Array.from(sentences.segment(paragraph), ({ segment }) => segment);
    for (const segment of segments) {
      const sentence = segment.trim();
      if (sentence.length > 0) out.push(sentence);
    }
  }
  return out;
}
