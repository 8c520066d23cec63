import { RetrieveResponse, Subjects } from "@kbalign/contracts";
import { requestJson, type NatsConnection } from "@kbalign/nats";
import type { RetrieverPort } from "@kbalign/pipeline";

/**
 * RetrieverPort over `kbalign.v1.retrieve`. Each call is one NATS request to the retrievers' queue
 * group, so a retry lands on a replica picked afresh. Failures arrive as kbalign errors (no
 * responders: UNAVAILABLE, no reply in time: TIMEOUT, an error envelope: its own class). The
 * pipeline stops waiting when the signal aborts; the request itself then times out unheard.
 */
export function createRetrieverClient(nc: NatsConnection): RetrieverPort {
  return {
    async retrieve(req, { timeoutMs }) {
      const res = await requestJson(nc, Subjects.retrieve, req, { response: RetrieveResponse, timeoutMs });
      return res.kbVersion === undefined ? res.docs : { docs: res.docs, kbVersion: res.kbVersion };
    },
  };
}
