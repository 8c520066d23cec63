import { instanceSubject, RetrieveResponse, Subjects } from "@kbalign/contracts";
import { requestJson, type NatsConnection } from "@kbalign/nats";
import type { RetrieverPort } from "@kbalign/pipeline";
import { callReplica, type ReplicaDirectory } from "./replica-directory.js";

/**
 * RetrieverPort over `kbalign.v1.retrieve`. Each call goes to the replica the directory picks (its
 * own subject), in turn, so a retry lands on another replica than the one that failed; with no
 * directory or no replica known, to the retrievers' queue group. Failures arrive as kbalign errors
 * (no responders: UNAVAILABLE, no reply in time: TIMEOUT, an error envelope: its own class). The
 * pipeline stops waiting when the signal aborts; the request itself then times out unheard.
 */
export function createRetrieverClient(nc: NatsConnection, replicas?: ReplicaDirectory): RetrieverPort {
  return {
    async retrieve(req, { timeoutMs }) {
      const res = await callReplica(
        replicas,
        Subjects.retrieve,
        (instance) => instanceSubject(Subjects.retrieve, instance),
        (subject) => requestJson(nc, subject, req, { response: RetrieveResponse, timeoutMs }),
      );
      return res.docs;
    },
  };
}
