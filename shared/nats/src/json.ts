const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const encodeJson = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** Parses a payload; throws SyntaxError for malformed JSON (callers map it to BAD_REQUEST). */
export const decodeJson = (data: Uint8Array): unknown => JSON.parse(decoder.decode(data));
