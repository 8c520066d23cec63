// wink-bm25-text-search and wink-nlp-utils ship no types: the parts of their documented API used here.

declare module "wink-bm25-text-search" {
  /** A text preparation step: the first takes the raw string, the last returns the tokens. */
  type PrepTask = (input: never) => unknown;

  interface Bm25Engine {
    defineConfig(config: { fldWeights: Record<string, number>; bm25Params?: { k1?: number; b?: number; k?: number } }): void;
    definePrepTasks(tasks: PrepTask[], field?: string): number;
    addDoc(doc: Record<string, string>, uniqueId: string | number): number;
    consolidate(fp?: number): void;
    /** `[id, score]` pairs, best first; `limit` defaults to 10. */
    search(text: string, limit?: number): [string, number][];
  }

  function bm25(): Bm25Engine;
  export = bm25;
}

declare module "wink-nlp-utils" {
  const nlp: {
    string: {
      lowerCase(text: string): string;
      tokenize0(text: string): string[];
    };
    tokens: {
      removeWords(tokens: string[]): string[];
      stem(tokens: string[]): string[];
      propagateNegations(tokens: string[]): string[];
    };
  };
  export = nlp;
}
