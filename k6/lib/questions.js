// @ts-check
/** Questions when no file is given: SciFact-like claims and a Chinese one. */
export const BUILT_IN_QUESTIONS = [
  "0-dimensional biomaterials show inductive properties.",
  "ALDH1 expression is associated with poorer prognosis for breast cancer primary tumors.",
  "Vitamin D deficiency is associated with an increased risk of tuberculosis.",
  "Aspirin inhibits the production of prostaglandins.",
  "What is BM25?",
  "知识库如何更新？",
];

/**
 * The questions of a queries file: BEIR `.jsonl` (`{"_id", "text"}` per line) or text, one per
 * line; the built-in ones without a file. A bad line throws naming its number.
 * @param {string | undefined} content @param {string} name
 * @returns {string[]}
 */
export function parseQuestions(content, name) {
  if (content === undefined) return BUILT_IN_QUESTIONS;
  const jsonl = name.toLowerCase().endsWith(".jsonl");
  /** @type {string[]} */
  const questions = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    if (!jsonl) return void questions.push(line.trim());
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`${name}:${i + 1}: not valid JSON`);
    }
    if (typeof record?.text !== "string" || record.text.trim() === "") throw new Error(`${name}:${i + 1}: no 'text' string`);
    questions.push(record.text);
  });
  if (questions.length === 0) throw new Error(`${name}: no questions in it`);
  return questions;
}
