import type { ChatMessage, Document, GenerateRequest, Language, Purpose } from "@kbalign/contracts";
import { detectLanguage } from "@kbalign/text";

/** One message of an OpenAI chat-completions request. */
export interface ChatCompletionMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What a prompt is built from: the parts of a generate request that shape it. */
export type PromptInput = Pick<GenerateRequest, "purpose" | "query" | "messages" | "documents" | "systemPrompt" | "promptTemplate" | "language">;

/** The prompt texts of one language. Templates take the placeholders {query}, {history} and {documents}. */
export interface LanguagePrompts {
  system: string;
  templates: Record<Purpose, string>;
  /** Speaker labels of the history lines. */
  roles: Record<ChatMessage["role"], string>;
  /** Separator between a label and what was said ("User: …" / "用户：…"). */
  colon: string;
  noHistory: string;
  noDocuments: string;
}

// The first answer only feeds query expansion (HyDE-style: its words retrieve better documents),
// so it asks for a short, direct answer in the documents' own terms, and a best guess beats none.
// The final answer is what the user reads, so it must stay grounded and cite its sources.
export const prompts: Record<Language, LanguagePrompts> = {
  en: {
    system:
      "You are a knowledge-base question-answering assistant. You ground your answers in the reference documents provided with each question.",
    templates: {
      first_answer: `Answer the user's question briefly, based on the reference documents below.

Instructions:
- Reply with one or two sentences that directly answer the question: no preamble, no citations, no caveats.
- Use the wording and key terms of the documents where you can.
- If the documents do not contain the answer, still give your best short answer.

Reference documents:
{documents}

Conversation so far:
{history}

Question: {query}`,
      final_answer: `Answer the user's question using the reference documents below.

Instructions:
- Use only information from the reference documents. If they do not contain the answer, say that the available documents do not answer the question; do not make anything up.
- Cite the documents you use by their numbers in square brackets, e.g. [1].
- Be accurate, clear and concise, and answer in English.
- Read the question in the light of the conversation so far (e.g. what "it" refers to).

Reference documents:
{documents}

Conversation so far:
{history}

Question: {query}`,
    },
    roles: { user: "User", assistant: "Assistant", system: "System" },
    colon: ": ",
    noHistory: "(none)",
    noDocuments: "(no documents were found)",
  },
  zh: {
    system: "你是一个基于知识库的问答助手。你依据每个问题所附的参考文档作答。",
    templates: {
      first_answer: `请根据下面的参考文档，简短地回答用户的问题。

要求：
1. 用一到两句话直接给出答案，不要开场白、引用编号或解释。
2. 尽量使用参考文档中的原词和关键术语。
3. 如果参考文档中没有答案，也请给出你认为最可能的简短回答。

参考文档：
{documents}

历史对话：
{history}

用户问题：{query}`,
      final_answer: `请根据下面的参考文档回答用户的问题。

要求：
1. 只使用参考文档中的信息作答；如果参考文档中没有答案，请直接说明“根据现有资料无法回答该问题”，不要编造。
2. 引用文档时，用方括号标注文档编号，例如 [1]。
3. 回答要准确、清晰、简洁，并使用中文。
4. 结合历史对话理解问题（例如代词指的是什么）。

参考文档：
{documents}

历史对话：
{history}

用户问题：{query}`,
    },
    roles: { user: "用户", assistant: "助手", system: "系统" },
    colon: "：",
    noHistory: "（无）",
    noDocuments: "（未找到相关文档）",
  },
};

/** The request's language, else the query's detected one. */
export function promptLanguage(input: Pick<PromptInput, "language" | "query">): Language {
  return input.language ?? detectLanguage(input.query);
}

/** Documents as numbered text blocks, "[1] <title>\n<text>", separated by blank lines. */
export function formatDocuments(documents: readonly Document[], language: Language): string {
  if (documents.length === 0) return prompts[language].noDocuments;
  return documents
    .map((doc, i) => {
      const title = doc.title?.trim();
      const text = doc.text.trim();
      return title ? `[${i + 1}] ${title}\n${text}` : `[${i + 1}] ${text}`;
    })
    .join("\n\n");
}

/** The chat history as "User: …" / "Assistant: …" lines (Chinese: "用户：…" / "助手：…"). */
export function formatHistory(messages: readonly ChatMessage[], language: Language): string {
  const p = prompts[language];
  if (messages.length === 0) return p.noHistory;
  return messages.map((m) => `${p.roles[m.role]}${p.colon}${m.content.trim()}`).join("\n");
}

const PLACEHOLDER = /\{(query|history|documents)\}/g;

/**
 * Fills {query}, {history} and {documents} in one pass, so placeholder-like text inside a document
 * or the query is never substituted again. A template may leave any placeholder out.
 */
export function fillTemplate(template: string, values: Record<"query" | "history" | "documents", string>): string {
  return template.replace(PLACEHOLDER, (_match, name: "query" | "history" | "documents") => values[name]);
}

/**
 * The chat messages for one generation: the system prompt (the request's own when it has one), then
 * the filled template as the user turn. An empty `systemPrompt` means "no system message".
 */
export function buildPrompt(input: PromptInput): ChatCompletionMessage[] {
  const language = promptLanguage(input);
  const p = prompts[language];
  const template = input.promptTemplate ?? p.templates[input.purpose];
  const user = fillTemplate(template, {
    query: input.query.trim(),
    history: formatHistory(input.messages, language),
    documents: formatDocuments(input.documents, language),
  });
  const system = input.systemPrompt ?? p.system;
  const userTurn: ChatCompletionMessage = { role: "user", content: user };
  return system.trim() === "" ? [userTurn] : [{ role: "system", content: system }, userTurn];
}
