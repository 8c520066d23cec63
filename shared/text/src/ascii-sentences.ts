/** Printable ASCII and tabs: text whose sentence boundaries asciiSentences finds. */
export const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;

// Unicode sentence-break classes (UAX #29) of the printable ASCII characters and the tab.
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isNumeric = (c: number): boolean => c >= 48 && c <= 57;
/** ATerm "." or STerm "!" "?". */
const isSATerm = (c: number): boolean => c === 46 || c === 33 || c === 63;
/** Close: quotation marks and brackets. */
const isClose = (c: number): boolean => c === 34 || c === 39 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125;
const isSp = (c: number): boolean => c === 32 || c === 9;
/** SContinue: "," "-" ":" ";". */
const isSContinue = (c: number): boolean => c === 44 || c === 45 || c === 58 || c === 59;
const FULL_STOP = 46;

/**
 * The sentences of printable ASCII text without line breaks, as ICU's sentence segmenter splits
 * it (Unicode's rules, UAX #29, which ICU applies with no abbreviation list): a sentence ends after
 * ". ! ?" and any closing quotes, brackets and spaces, unless what follows continues it: a digit
 * right after a full stop ("2.5"), a capital right after a full stop after a letter ("U.S"), a
 * lower-case letter before any other letter or stop ("e.g. this"), or "," "-" ":" ";" or another
 * stop. A scan of character codes: the segmenter was half of a cold document's analysis (70 µs
 * per SciFact abstract), and ASCII paragraphs are most English text. Tested against the segmenter
 * on random text.
 */
export function asciiSentences(text: string): string[] {
  const sentences: string[] = [];
  const n = text.length;
  let start = 0;
  for (let p = 0; p < n; p++) {
    const stop = text.charCodeAt(p);
    if (!isSATerm(stop)) continue;
    let next = p + 1;
    while (next < n && isClose(text.charCodeAt(next))) next++;
    while (next < n && isSp(text.charCodeAt(next))) next++;
    if (next >= n) break;
    const c = text.charCodeAt(next);
    if (isSContinue(c) || isSATerm(c)) continue;
    if (stop === FULL_STOP) {
      if (next === p + 1 && isNumeric(c)) continue;
      if (next === p + 1 && isUpper(c) && p > 0 && (isUpper(text.charCodeAt(p - 1)) || isLower(text.charCodeAt(p - 1)))) continue;
      let letter = next;
      while (letter < n) {
        const d = text.charCodeAt(letter);
        if (isUpper(d) || isLower(d) || isSATerm(d)) break;
        letter++;
      }
      if (letter < n && isLower(text.charCodeAt(letter))) continue;
    }
    sentences.push(text.slice(start, next));
    start = next;
    p = next - 1;
  }
  if (start < n) sentences.push(text.slice(start));
  return sentences;
}
