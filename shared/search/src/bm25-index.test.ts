import { describe, expect, it } from "vitest";
import { chineseCorpus, englishCorpus } from "@kbalign/testing";
import { Bm25Index, DEFAULT_BM25_PARAMETERS, type Bm25Parameters, type IndexableDocument } from "./bm25-index.js";
import { expansionTerms } from "./query-terms.js";

// Three documents whose terms are plain words (no stop words, each its own Porter stem):
//   a: "cat cat dog"            -> cat×2, dog×1           |a| = 3
//   b: "dog bird"               -> dog×1, bird×1          |b| = 2
//   c: title "Fish", "fish bird frog" -> fish×2, bird×1, frog×1  |c| = 4 (the title counts)
// N = 3, avgdl = (3 + 2 + 4) / 3 = 3.
// With k1 = 0.9, b = 0.4 the length norm is k1·(1 − b + b·|d|/avgdl) = 0.54 + 0.12·|d|:
//   norm(a) = 0.54 + 0.36 = 0.90, norm(b) = 0.54 + 0.24 = 0.78, norm(c) = 0.54 + 0.48 = 1.02
// idf = ln(1 + (N − df + 0.5)/(df + 0.5)):
//   df 1 (cat, fish, frog): ln(1 + 2.5/1.5) = ln(8/3) ≈ 0.98083
//   df 2 (dog, bird):       ln(1 + 1.5/2.5) = ln(1.6) ≈ 0.47000
const threeDocs: IndexableDocument[] = [
  { id: "a", text: "cat cat dog" },
  { id: "b", text: "dog bird" },
  { id: "c", title: "Fish", text: "fish bird frog" },
];
const idf1 = Math.log(8 / 3);
const idf2 = Math.log(1.6);

/** Plain Okapi BM25 with Anserini's k1 and b: the hand-computed scores below use these. */
const PLAIN: Bm25Parameters = { k1: 0.9, b: 0.4, titleWeight: 0 };

function indexOf(docs: IndexableDocument[], parameters: Partial<Bm25Parameters> = PLAIN): Bm25Index {
  const index = new Bm25Index(parameters);
  for (const doc of docs) index.upsert(doc);
  return index;
}

const scoresOf = (index: Bm25Index, query: string, topn = 10) => index.search(query, topn).map((d) => [d.id, d.score] as const);

describe("Bm25Index scoring", () => {
  const index = indexOf(threeDocs);

  it("scores a one-term query by hand", () => {
    // "dog": a: 0.47000·1/(1 + 0.90) ≈ 0.24737;  b: 0.47000·1/(1 + 0.78) ≈ 0.26405  -> b first
    const result = index.search("dog", 10);
    expect(result.map((d) => d.id)).toEqual(["b", "a"]);
    expect(result[0]!.score).toBeCloseTo(idf2 / 1.78, 12);
    expect(result[1]!.score).toBeCloseTo(idf2 / 1.9, 12);
    expect(result[0]!.score).toBeCloseTo(0.26405, 5);
  });

  it("sums the terms of a query by hand", () => {
    // "cat bird": a: cat 0.98083·2/(2 + 0.90) ≈ 0.67643
    //             b: bird 0.47000·1/(1 + 0.78) ≈ 0.26405
    //             c: bird 0.47000·1/(1 + 1.02) ≈ 0.23268
    const result = scoresOf(index, "cat bird");
    expect(result.map(([id]) => id)).toEqual(["a", "b", "c"]);
    expect(result[0]![1]).toBeCloseTo((idf1 * 2) / 2.9, 12);
    expect(result[1]![1]).toBeCloseTo(idf2 / 1.78, 12);
    expect(result[2]![1]).toBeCloseTo(idf2 / 2.02, 12);
    expect(result[0]![1]).toBeCloseTo(0.67643, 5);
  });

  it("indexes the title with the text", () => {
    // "fish" occurs in c's title and text: 0.98083·2/(2 + 1.02) ≈ 0.64956
    const [hit, ...rest] = index.search("fish", 10);
    expect(rest).toEqual([]);
    expect(hit).toEqual({ id: "c", title: "Fish", text: "fish bird frog", score: expect.closeTo((idf1 * 2) / 3.02, 12) });
  });

  it("counts a term repeated in the query once per occurrence, as Anserini does", () => {
    // "dog dog" = 2 × "dog": b: 2·0.26405 ≈ 0.52809
    expect(index.search("dog dog", 1)[0]!.score).toBeCloseTo((2 * idf2) / 1.78, 12);
  });

  it("uses the configured k1 and b", () => {
    // k1 = 1.2, b = 0.75: norm(b) = 1.2·(0.25 + 0.75·2/3) = 0.9;  "dog" on b: 0.47000/(1 + 0.9)
    const custom = indexOf(threeDocs, { ...PLAIN, k1: 1.2, b: 0.75 });
    expect(custom.search("dog", 1)[0]).toMatchObject({ id: "b", score: expect.closeTo(idf2 / 1.9, 12) });
  });

  it("stems query and document alike", () => {
    expect(index.search("Cats!", 10).map((d) => d.id)).toEqual(["a"]);
  });

  it("refuses parameters outside their range", () => {
    expect(() => new Bm25Index({ k1: -1 })).toThrow(RangeError);
    expect(() => new Bm25Index({ b: 1.5 })).toThrow(RangeError);
    expect(() => new Bm25Index({ k1: Number.NaN })).toThrow(RangeError);
  });
});

describe("Bm25Index selection", () => {
  it("returns at most topn documents, best first", () => {
    const index = indexOf(threeDocs);
    expect(index.search("cat bird", 2).map((d) => d.id)).toEqual(["a", "b"]);
    expect(index.search("cat bird", 1).map((d) => d.id)).toEqual(["a"]);
  });

  it("breaks ties by id, whatever the insertion order", () => {
    const index = indexOf([
      { id: "z", text: "same words here" },
      { id: "m", text: "same words here" },
      { id: "q", text: "same words here" },
      { id: "x", text: "other things" },
    ]);
    expect(index.search("same words", 10).map((d) => d.id)).toEqual(["m", "q", "z"]);
    expect(index.search("same words", 2).map((d) => d.id)).toEqual(["m", "q"]);
  });

  it("picks the same top k as sorting every document", () => {
    // A deterministic pseudo-random corpus over a small vocabulary: many partial matches and many ties.
    const vocabulary = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const docs: IndexableDocument[] = Array.from({ length: 2_000 }, (_, i) => ({
      id: `doc-${String(next() % 100_000).padStart(5, "0")}-${i}`,
      text: Array.from({ length: 1 + (next() % 8) }, () => vocabulary[next() % vocabulary.length]).join(" "),
    }));
    const index = indexOf(docs);
    for (const query of ["alpha", "bravo charlie", "delta echo foxtrot golf", "juliet juliet hotel"]) {
      const all = index.search(query, docs.length);
      const sorted = [...all].sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      expect(all.map((d) => d.id)).toEqual(sorted.map((d) => d.id));
      for (const topn of [1, 5, 50]) expect(index.search(query, topn)).toEqual(sorted.slice(0, topn));
    }
  });

  it("returns nothing for an empty query, a stop-word-only query, an unknown term or an empty index", () => {
    const index = indexOf(threeDocs);
    expect(index.search("", 5)).toEqual([]);
    expect(index.search("   ", 5)).toEqual([]);
    expect(index.search("the of and", 5)).toEqual([]);
    expect(index.search("unicorn", 5)).toEqual([]);
    expect(new Bm25Index().search("cat", 5)).toEqual([]);
  });

  it("leaves no score behind between searches", () => {
    const index = indexOf(threeDocs);
    const first = index.search("cat bird", 10);
    index.search("dog fish frog", 10);
    expect(index.search("cat bird", 10)).toEqual(first);
  });
});

describe("Bm25Index replacement", () => {
  it("replaces a document with the same id instead of duplicating it", () => {
    const index = indexOf(threeDocs);
    expect(index.upsert({ id: "a", text: "zebra dog" })).toBe("replaced");
    expect(index.size).toBe(3);
    expect(index.search("cat", 10)).toEqual([]);
    expect(index.search("zebra", 10).map((d) => d.id)).toEqual(["a"]);
    // The old version's statistics are gone: every score equals a fresh index over the new set.
    const fresh = indexOf([{ id: "a", text: "zebra dog" }, threeDocs[1]!, threeDocs[2]!]);
    for (const query of ["dog", "bird", "zebra dog fish", "frog"]) expect(index.search(query, 10)).toEqual(fresh.search(query, 10));
  });

  it("drops a replaced document's title", () => {
    const index = indexOf(threeDocs);
    index.upsert({ id: "c", text: "frog only" });
    expect(index.search("fish", 10)).toEqual([]);
    expect(index.search("frog", 10)).toEqual([{ id: "c", text: "frog only", score: expect.any(Number) }]);
  });

  it("stays exact across many replacements (compaction of dead slots)", () => {
    const index = indexOf(threeDocs);
    for (let i = 0; i < 2_500; i++) index.upsert({ id: i % 2 === 0 ? "a" : "b", text: `round${i} dog bird` });
    expect(index.size).toBe(3);
    const fresh = indexOf([
      { id: "a", text: "round2498 dog bird" },
      { id: "b", text: "round2499 dog bird" },
      threeDocs[2]!,
    ]);
    expect(index.termCount).toBe(fresh.termCount);
    for (const query of ["dog", "bird frog", "round2498", "round17", "fish"]) expect(index.search(query, 10)).toEqual(fresh.search(query, 10));
  });

  it("removes a document: never returned again, and scores as if it had never been indexed", () => {
    const index = indexOf(threeDocs);
    expect(index.remove("a")).toBe(true);
    expect(index.remove("a")).toBe(false);
    expect(index.has("a")).toBe(false);
    expect(index.size).toBe(2);
    const fresh = indexOf([threeDocs[1]!, threeDocs[2]!]);
    for (const query of ["cat", "dog", "bird frog", "fish"]) expect(index.search(query, 10)).toEqual(fresh.search(query, 10));
    expect(index.upsert({ id: "a", text: "cat again" })).toBe("added");
  });

  it("reports added for a new id", () => {
    const index = new Bm25Index();
    expect(index.upsert({ id: "x", text: "hello" })).toBe("added");
    expect(index.has("x")).toBe(true);
    expect(index.size).toBe(1);
  });
});

describe("Bm25Index generation", () => {
  it("changes with every added or replaced document, never with a search", () => {
    const index = new Bm25Index();
    const seen = new Set([index.generation]);
    index.upsert({ id: "a", text: "tides rise" });
    seen.add(index.generation);
    index.upsert({ id: "a", text: "tides fall" });
    seen.add(index.generation);
    expect(seen.size).toBe(3);
    const before = index.generation;
    index.search("tides", 5);
    expect(index.generation).toBe(before);
  });

  it("ranks a question asked again after a change against the changed documents", () => {
    const index = new Bm25Index();
    index.upsert({ id: "a", text: "tides rise and fall" });
    index.upsert({ id: "b", text: "the sun" });
    expect(index.search("tides", 1).map((d) => d.id)).toEqual(["a"]);
    index.upsert({ id: "c", text: "tides tides tides" });
    expect(index.search("tides", 1).map((d) => d.id)).toEqual(["c"]);
    index.upsert({ id: "c", text: "the moon" });
    expect(index.search("tides", 5).map((d) => d.id)).toEqual(["a"]);
  });

  it("gives a question's top k as the prefix of its deeper ranking, asked in either order", () => {
    const index = new Bm25Index();
    for (let i = 0; i < 300; i++) index.upsert({ id: `d${String(i).padStart(3, "0")}`, text: `tides ${"moon ".repeat(i % 7)}${"sea ".repeat(i % 5)}` });
    const fresh = new Bm25Index();
    for (let i = 0; i < 300; i++) fresh.upsert({ id: `d${String(i).padStart(3, "0")}`, text: `tides ${"moon ".repeat(i % 7)}${"sea ".repeat(i % 5)}` });
    const deep = index.search("moon sea tides", 100);
    expect(index.search("moon sea tides", 7)).toEqual(deep.slice(0, 7));
    expect(fresh.search("moon sea tides", 7)).toEqual(deep.slice(0, 7));
    expect(fresh.search("moon sea tides", 100)).toEqual(deep);
  });

  it("is never shared by two indexes", () => {
    const first = new Bm25Index();
    first.upsert({ id: "a", text: "tides" });
    const second = new Bm25Index();
    second.upsert({ id: "a", text: "tides" });
    expect(second.generation).not.toBe(first.generation);
  });
});

describe("Bm25Index on the test corpora", () => {
  it("finds the English document a question is about", () => {
    const index = indexOf(englishCorpus);
    expect(index.search("What causes the tides of the ocean?", 3)[0]!.id).toBe("en-tides");
    expect(index.search("how do bees tell where flowers are", 3)[0]!.id).toBe("en-bees");
    expect(index.search("why does bread rise", 3)[0]!.id).toBe("en-bread");
  });

  it("finds the Chinese document a question is about", () => {
    const index = indexOf(chineseCorpus);
    expect(index.search("大熊猫吃什么", 3)[0]!.id).toBe("zh-panda");
    expect(index.search("长江有多长", 3)[0]!.id).toBe("zh-yangtze");
    expect(index.search("造纸术是谁改进的", 3)[0]!.id).toBe("zh-paper");
  });
});

describe("Bm25Index title field", () => {
  // Plain BM25 as above, plus the title as a field of its own at weight 0.5. Only c has a title:
  // title field N = 3, lengths 0, 0, 1, avgdl = 1/3; "fish" df 1 there, idf = ln(1 + 2.5/1.5) = idf1.
  // c's title norm = k1·(1 − b + b·1/(1/3)) = 0.9·(0.6 + 1.2) = 1.62.
  it("adds titleWeight × the title's own BM25 score, by hand", () => {
    const index = indexOf(threeDocs, { ...PLAIN, titleWeight: 0.5 });
    const [hit] = index.search("fish", 1);
    expect(hit?.score).toBeCloseTo((idf1 * 2) / 3.02 + (0.5 * idf1) / (1 + 1.62), 12);
  });

  it("lifts the document whose title names the subject above one that only mentions it", () => {
    const docs = [
      { id: "mention", text: "Volcanoes are everywhere. Kilimanjaro is a mountain too, and so are many others." },
      { id: "subject", title: "Kilimanjaro", text: "A dormant volcano in Tanzania and the highest mountain in Africa, with many visitors." },
    ];
    expect(indexOf(docs, { ...PLAIN, titleWeight: 0 }).search("Kilimanjaro volcano", 2)[0]?.id).toBe("mention");
    expect(indexOf(docs, { ...PLAIN, titleWeight: 1 }).search("Kilimanjaro volcano", 2)[0]?.id).toBe("subject");
  });

  it("refuses a negative titleWeight", () => {
    expect(() => new Bm25Index({ titleWeight: -0.1 })).toThrow(RangeError);
  });

  it("defaults to the parameters tuned on SciFact's train split", () => {
    expect(new Bm25Index().parameters).toEqual(DEFAULT_BM25_PARAMETERS);
    expect(DEFAULT_BM25_PARAMETERS).toEqual({ k1: 0.9, b: 0.9, titleWeight: 0.2 });
  });
});

describe("Bm25Index query expansion", () => {
  const index = indexOf(threeDocs);

  it("adds the draft's new terms at the expansion weight, by hand", () => {
    // "dog" + draft "frog" at 0.25: c gets 0.25·idf1·1/(1 + 1.02); a and b keep their "dog" scores.
    const result = index.search({ text: "dog", expansion: { text: "frog", weight: 0.25, maxTerms: 5 } }, 3);
    expect(result.map((d) => d.id)).toEqual(["b", "a", "c"]);
    expect(result[2]!.score).toBeCloseTo((0.25 * idf1) / 2.02, 12);
    expect(result[0]!.score).toBeCloseTo(idf2 / 1.78, 12);
  });

  it("ignores the draft's terms the question already has, and counts each new term once", () => {
    const plain = index.search("dog", 3);
    expect(index.search({ text: "dog", expansion: { text: "dog dog dog", weight: 1, maxTerms: 5 } }, 3)).toEqual(plain);
    const once = index.search({ text: "dog", expansion: { text: "frog", weight: 0.25, maxTerms: 5 } }, 3);
    expect(index.search({ text: "dog", expansion: { text: "frog frog frog", weight: 0.25, maxTerms: 5 } }, 3)).toEqual(once);
  });

  it("keeps only the rarest maxTerms of the draft", () => {
    // Draft "bird frog": frog (df 1) is rarer than bird (df 2); with maxTerms 1 only frog counts, so b gains nothing.
    const result = index.search({ text: "cat", expansion: { text: "bird frog", weight: 0.5, maxTerms: 1 } }, 3);
    expect(result.map((d) => d.id)).toEqual(["a", "c"]);
  });

  it("picks the expansion terms by rarity, then in term order", () => {
    const idf = (term: string) => ({ frog: 2, bird: 1, fish: 2 })[term] ?? 0;
    expect(expansionTerms(["cat"], { text: "bird frog fish unknown cat", weight: 0.1, maxTerms: 2 }, idf)).toEqual(["fish", "frog"]);
  });
});

describe("Bm25Index fused expansion", () => {
  const index = indexOf(threeDocs);

  it("fuses the expanded ranking with the question's own by reciprocal rank, the question's counting twice", () => {
    // Question "dog": b (1st), a (2nd). Expanded by "frog" at 0.25: b, a, c. Fused: b 3/61, a 3/62, c 1/63.
    const result = index.search({ text: "dog", expansion: { text: "frog", weight: 0.25, maxTerms: 5, fusion: "rrf" } }, 3);
    expect(result.map((d) => d.id)).toEqual(["b", "a", "c"]);
    expect(result.map((d) => d.score)).toEqual([3 / 61, 3 / 62, 1 / 63]);
  });

  it("lets the question's ranking win when the draft alone would reorder it", () => {
    // Draft "cat cat" at full weight puts a first in the expanded ranking (a: dog+cat), b second;
    // fused: b = 2/61 + 1/62, a = 2/62 + 1/61: b keeps its place.
    const expansion = { text: "cat", weight: 1, maxTerms: 5 };
    expect(index.search({ text: "dog", expansion }, 2).map((d) => d.id)).toEqual(["a", "b"]);
    expect(index.search({ text: "dog", expansion: { ...expansion, fusion: "rrf" } }, 2).map((d) => d.id)).toEqual(["b", "a"]);
  });

  it("still returns the question's documents when the draft adds nothing", () => {
    expect(index.search({ text: "dog", expansion: { text: "", weight: 0.3, maxTerms: 5, fusion: "rrf" } }, 3).map((d) => d.id)).toEqual(["b", "a"]);
  });
});

describe("Bm25Index kept computations stay exact", () => {
  // A small vocabulary over many documents: every term has long postings, lengths vary, ties abound.
  const vocabulary = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
  const seeded = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
  const randomText = (next: () => number) => Array.from({ length: 1 + (next() % 9) }, () => vocabulary[next() % vocabulary.length]).join(" ");
  const queries = ["alpha", "bravo charlie", "delta echo foxtrot golf", "hotel hotel alpha", "zulu alpha"];
  const freshOf = (docs: ReadonlyMap<string, IndexableDocument>, parameters?: Partial<Bm25Parameters>) => indexOf([...docs.values()], parameters);

  it("scores as a fresh index after every add, replacement and removal, searched in between (postings' denominators recomputed)", () => {
    const next = seeded(11);
    for (const parameters of [PLAIN, DEFAULT_BM25_PARAMETERS]) {
      const index = new Bm25Index(parameters);
      const docs = new Map<string, IndexableDocument>();
      for (let step = 0; step < 400; step++) {
        const id = `d${next() % 60}`;
        if (next() % 5 === 0) {
          index.remove(id);
          docs.delete(id);
        } else {
          const doc = { id, text: randomText(next), ...(next() % 2 === 0 ? { title: randomText(next) } : {}) };
          index.upsert(doc);
          docs.delete(id);
          docs.set(id, doc);
        }
        // Searched at every step, so every term's denominators were computed for the previous N and avgdl.
        const query = queries[step % queries.length]!;
        expect(index.search(query, 100)).toEqual(freshOf(docs, parameters).search(query, 100));
      }
    }
  });

  it("scores as a fresh index across compactions, searched in between", () => {
    const next = seeded(5);
    const index = new Bm25Index(PLAIN);
    const docs = new Map<string, IndexableDocument>();
    for (let step = 0; step < 3_000; step++) {
      const doc = { id: `d${next() % 8}`, text: randomText(next) };
      index.upsert(doc);
      docs.set(doc.id, doc);
      if (step % 97 === 0) expect(index.search("alpha bravo", 10)).toEqual(freshOf(docs).search("alpha bravo", 10));
    }
    for (const query of queries) expect(index.search(query, 10)).toEqual(freshOf(docs).search(query, 10));
  });

  it("ranks an expanded question as an index that never saw the question alone, whichever of its kept scores remain", () => {
    const next = seeded(3);
    const docs = new Map<string, IndexableDocument>();
    for (let i = 0; i < 500; i++) docs.set(`d${i}`, { id: `d${i}`, text: randomText(next), title: randomText(next) });
    const index = freshOf(docs, DEFAULT_BM25_PARAMETERS);
    const questions = Array.from({ length: 20 }, () => randomText(next));
    const expanded = (question: string, fusion?: "rrf") => ({ text: question, expansion: { text: "golf hotel zulu", weight: 0.3, maxTerms: 5, fusion } });
    for (const fusion of ["rrf", undefined] as const) {
      // Asked alone first (its whole-text scores kept), then expanded; the first ones are expanded only
      // after more than the kept number of questions were asked, and the last ones after a change.
      for (const question of questions) index.search(question, 5);
      for (const question of questions) {
        const fresh = freshOf(docs, DEFAULT_BM25_PARAMETERS);
        expect(index.search(expanded(question, fusion), 10)).toEqual(fresh.search(expanded(question, fusion), 10));
        index.search(question, 5);
        expect(index.search(expanded(question, fusion), 10)).toEqual(fresh.search(expanded(question, fusion), 10));
      }
      index.search(questions[0]!, 5);
      const added = { id: "late", text: "golf golf alpha", title: "hotel" };
      index.upsert(added);
      docs.set(added.id, added);
      expect(index.search(expanded(questions[0]!, fusion), 10)).toEqual(freshOf(docs, DEFAULT_BM25_PARAMETERS).search(expanded(questions[0]!, fusion), 10));
    }
  });
});
