import type { NatsConnection } from "@kbalign/nats";
import { measureRequest, type MeasureOptions, type RequestPosition, type RequestSample } from "./measure-request.js";
import type { BenchQuestion } from "./questions.js";

/** Asks one question and times its events: over NATS, or to a pipeline in this process. */
export type QuerySender = (question: BenchQuestion, position: RequestPosition) => Promise<RequestSample>;

/** The public contract over NATS: `kbalign.v1.query`, stage events on the reply inbox. */
export const natsQuerySender =
  (nc: NatsConnection, options: MeasureOptions): QuerySender =>
  (question, position) =>
    measureRequest(nc, question, options, position);
