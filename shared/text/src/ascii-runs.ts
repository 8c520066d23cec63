/** Text made of ASCII characters only. */
export const ASCII_ONLY = /^[\x00-\x7f]*$/;

const isAsciiAlphanumeric = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/**
 * The words of lower-cased ASCII text, exactly as tokenize's pattern finds them there: runs of
 * letters and digits, an inner apostrophe or dot joining two runs ("earth's", "2.5", "u.s"). A
 * scan by character codes: on ASCII the pattern's Unicode classes cost several times as much, and
 * most English text is ASCII (four abstracts in five of SciFact, nearly all its questions).
 */
export function asciiRuns(lower: string): string[] {
  const runs: string[] = [];
  const n = lower.length;
  let i = 0;
  while (i < n) {
    if (!isAsciiAlphanumeric(lower.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    for (;;) {
      i++;
      while (i < n && isAsciiAlphanumeric(lower.charCodeAt(i))) i++;
      // An apostrophe or a dot followed by a letter or digit continues the word.
      const c = i < n ? lower.charCodeAt(i) : 0;
      if ((c === 39 || c === 46) && i + 1 < n && isAsciiAlphanumeric(lower.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    runs.push(lower.slice(start, i));
  }
  return runs;
}
