import type { ChatMessage } from "@kbalign/contracts";

export interface Conversation {
  systemPrompt: string | undefined;
  /** The user and assistant turns, in order. */
  history: ChatMessage[];
}

/**
 * Splits a request's messages: `system` messages set the system prompt (the last one wins, else
 * `defaultSystemPrompt`), the others are the history. The original module accepted a system
 * prompt and ignored it; here it reaches the generator.
 */
export function splitConversation(messages: readonly ChatMessage[], defaultSystemPrompt: string | undefined): Conversation {
  let systemPrompt = defaultSystemPrompt;
  const history: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") systemPrompt = message.content;
    else history.push(message);
  }
  return { systemPrompt, history };
}
