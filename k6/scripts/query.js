// k6 script: kbalign queries over NATS on nats-server's WebSocket listener, open loop.
//   k6 run k6/scripts/query.js                               # steady, 120/s for 1 min
//   k6 run -e SCENARIO=ramp -e RATE=600 k6/scripts/query.js  # or spike
// Environment: NATS_WS (default ws://127.0.0.1:8080), COLLECTION (default scifact), TOPN (5),
// QUERIES (a BEIR queries.jsonl or a .txt file, one question per line; default: a few built-in
// questions), TIMEOUT_MS (3000), SCENARIO (steady | ramp | spike), RATE, NATS_USER/NATS_PASS.
import { WebSocket } from "k6/experimental/websockets";
import { SharedArray } from "k6/data";
import { Counter, Rate, Trend } from "k6/metrics";
import { setTimeout, clearTimeout } from "k6/timers";
import { NatsWsClient, sendQuery } from "../lib/nats-ws.js";
import { optionsFor } from "../lib/scenarios.js";
import { parseQuestions } from "../lib/questions.js";

const URL = __ENV.NATS_WS || "ws://127.0.0.1:8080";
const COLLECTION = __ENV.COLLECTION || "scifact";
const TOPN = Number(__ENV.TOPN || 5);
const TIMEOUT_MS = Number(__ENV.TIMEOUT_MS || 3000);

export const options = optionsFor(__ENV.SCENARIO || "steady", __ENV.RATE ? Number(__ENV.RATE) : undefined);

const questions = new SharedArray("questions", () => parseQuestions(__ENV.QUERIES ? open(__ENV.QUERIES) : undefined, __ENV.QUERIES || ""));

// Milestones from the PUB of the query (the connection's set-up is not counted).
const recall = new Trend("kbalign_recall_ms", true);
const firstAnswer = new Trend("kbalign_first_answer_ms", true);
const firstData = new Trend("kbalign_first_data_ms", true);
const terminal = new Trend("kbalign_terminal_ms", true);
const errors = new Rate("kbalign_errors");
const answers = new Counter("kbalign_answers");
const degraded = new Counter("kbalign_degraded");
const seqProblems = new Counter("kbalign_seq_problems");

export default function () {
  const question = questions[(__VU * 7919 + __ITER) % questions.length];
  const ws = new WebSocket(URL);
  ws.binaryType = "arraybuffer";
  let ended = false;
  // A connection that fails or closes before the answer is an error too, never a query left out.
  const lost = (code) => {
    if (ended) return;
    ended = true;
    errors.add(true, { state: "error", code });
  };
  const client = new NatsWsClient(ws, { name: "kbalign-k6", user: __ENV.NATS_USER, pass: __ENV.NATS_PASS, onError: (message) => console.error(`nats: ${message}`) });
  ws.onmessage = (event) => client.receive(event.data);
  ws.onerror = (event) => {
    console.error(`websocket: ${event.error}`);
    lost("WEBSOCKET_ERROR");
    ws.close();
  };
  ws.onclose = () => lost("CONNECTION_CLOSED");
  ws.onopen = () => {
    client.connect(() => {
      let timer;
      const query = sendQuery(client, { query: question, collection: COLLECTION, topn: TOPN, timeoutMs: TIMEOUT_MS }, () => Date.now(), (result) => {
        clearTimeout(timer);
        ended = true;
        const tags = { state: result.state, code: result.code || "" };
        if (result.recallMs !== undefined) recall.add(result.recallMs);
        if (result.firstAnswerMs !== undefined) firstAnswer.add(result.firstAnswerMs);
        if (result.firstDataMs !== undefined) firstData.add(result.firstDataMs);
        terminal.add(result.terminalMs, tags);
        errors.add(result.state !== "done", tags);
        if (result.state === "done") answers.add(1);
        if (result.degraded.length > 0) degraded.add(1);
        if (result.seqProblems > 0) seqProblems.add(result.seqProblems);
        ws.close();
      });
      // The client's own deadline: a little after the request's.
      timer = setTimeout(() => query.giveUp(), TIMEOUT_MS + 1000);
    });
  };
}
