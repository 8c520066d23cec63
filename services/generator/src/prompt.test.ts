import { describe, expect, it } from "vitest";
import { GenerateRequest, type GenerateRequestInput } from "@kbalign/contracts";
import { buildPrompt, fillTemplate, formatDocuments, formatHistory, prompts } from "./prompt.js";

const request = (overrides: Partial<GenerateRequestInput> = {}): GenerateRequest =>
  GenerateRequest.parse({
    streamId: "s1",
    purpose: "final_answer",
    query: "How do bees tell where flowers are?",
    documents: [
      { id: "a", score: 2, title: "Honey bees", text: "Bees dance to show the way." },
      { id: "b", score: 1, text: "Flowers make nectar." },
    ],
    deadline: Date.now() + 10_000,
    ...overrides,
  });

describe("buildPrompt", () => {
  it("builds an English system + user prompt with numbered document text, never objects", () => {
    const messages = buildPrompt(request());
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[0]?.content).toBe(prompts.en.system);
    const user = messages[1]?.content ?? "";
    expect(user).toContain("[1] Honey bees\nBees dance to show the way.");
    expect(user).toContain("[2] Flowers make nectar.");
    expect(user).toContain("Question: How do bees tell where flowers are?");
    expect(user).not.toContain("[object Object]");
    expect(user).not.toMatch(/\{(query|history|documents)\}/);
    expect(user.indexOf("[1]")).toBeLessThan(user.indexOf("[2]"));
  });

  it("builds a Chinese prompt for a Chinese query, with Chinese history labels", () => {
    const messages = buildPrompt(
      request({
        query: "大熊猫吃什么？",
        documents: [{ id: "p", score: 1, title: "大熊猫", text: "大熊猫的食物几乎全部是竹子。" }],
        messages: [
          { role: "user", content: "你好" },
          { role: "assistant", content: "你好，请问有什么可以帮你？" },
        ],
      }),
    );
    expect(messages[0]?.content).toBe(prompts.zh.system);
    const user = messages[1]?.content ?? "";
    expect(user).toContain("参考文档：\n[1] 大熊猫\n大熊猫的食物几乎全部是竹子。");
    expect(user).toContain("用户：你好\n助手：你好，请问有什么可以帮你？");
    expect(user).toContain("用户问题：大熊猫吃什么？");
    expect(user).toContain("不要编造");
  });

  it("follows an explicit language over the detected one", () => {
    const user = buildPrompt(request({ language: "zh" }))[1]?.content ?? "";
    expect(user).toContain("用户问题：How do bees tell where flowers are?");
  });

  it("formats the history as User:/Assistant: lines and says when there is none", () => {
    const user = buildPrompt(
      request({
        messages: [
          { role: "user", content: "What do bees eat?" },
          { role: "assistant", content: "Nectar and pollen." },
        ],
      }),
    )[1]?.content;
    expect(user).toContain("Conversation so far:\nUser: What do bees eat?\nAssistant: Nectar and pollen.\n");
    expect(buildPrompt(request())[1]?.content).toContain("Conversation so far:\n(none)");
  });

  it("asks for a short direct answer for the first answer and a grounded, cited one for the final", () => {
    const first = buildPrompt(request({ purpose: "first_answer" }))[1]?.content ?? "";
    const final = buildPrompt(request({ purpose: "final_answer" }))[1]?.content ?? "";
    expect(first).toContain("one or two sentences");
    expect(final).toContain("Cite the documents");
    expect(buildPrompt(request({ purpose: "first_answer", query: "长城在哪里？" }))[1]?.content).toContain("一到两句话");
  });

  it("uses the request's system prompt as the system message", () => {
    const messages = buildPrompt(request({ systemPrompt: "You are a pirate. Answer like one." }));
    expect(messages[0]).toEqual({ role: "system", content: "You are a pirate. Answer like one." });
  });

  it("sends no system message when the request's system prompt is empty", () => {
    expect(buildPrompt(request({ systemPrompt: "" })).map((m) => m.role)).toEqual(["user"]);
  });

  it("fills a custom template", () => {
    const messages = buildPrompt(request({ promptTemplate: "Q={query}\nD={documents}\nH={history}" }));
    expect(messages[1]?.content).toBe(
      "Q=How do bees tell where flowers are?\nD=[1] Honey bees\nBees dance to show the way.\n\n[2] Flowers make nectar.\nH=(none)",
    );
  });

  it("accepts a custom template missing placeholders, or with unknown ones, without crashing", () => {
    expect(buildPrompt(request({ promptTemplate: "Just answer: {query}" }))[1]?.content).toBe(
      "Just answer: How do bees tell where flowers are?",
    );
    expect(buildPrompt(request({ promptTemplate: "No placeholders {at} {all}" }))[1]?.content).toBe("No placeholders {at} {all}");
  });
});

describe("fillTemplate", () => {
  it("substitutes once, so placeholder-like text inside values stays as it is", () => {
    expect(fillTemplate("{documents} / {query}", { query: "q {documents}", documents: "d {query}", history: "" })).toBe("d {query} / q {documents}");
  });
});

describe("formatDocuments / formatHistory", () => {
  it("says so when there are no documents", () => {
    expect(formatDocuments([], "en")).toBe("(no documents were found)");
    expect(formatDocuments([], "zh")).toBe("（未找到相关文档）");
  });

  it("numbers documents from 1 in the given order", () => {
    const docs = Array.from({ length: 12 }, (_, i) => ({ id: String(i), score: 12 - i, text: `text ${i}` }));
    const text = formatDocuments(docs, "en");
    expect(text.split("\n\n").map((block) => block.slice(0, block.indexOf("]") + 1))).toEqual(docs.map((_, i) => `[${i + 1}]`));
  });

  it("labels every role", () => {
    expect(formatHistory([{ role: "system", content: "be brief" }], "zh")).toBe("系统：be brief");
  });
});
