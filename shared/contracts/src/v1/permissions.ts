import { KB_STREAM, ServiceNames, Subjects } from "./subjects.js";
import { CONFIG_BUCKET } from "./runtime-config.js";

/**
 * The permission matrix: who may publish and who may subscribe on every subject kbalign uses.
 * The one place it is written down; the nats-server authorization, the docs table and the test
 * that proves each cell against a real server are all derived from it. Anything not granted here
 * is denied.
 */
export const NatsRoles = ["client", "orchestrator", "retriever", "generator", "ingest", "operator"] as const;
export type NatsRole = (typeof NatsRoles)[number];

/** NatsRoles that answer requests: they may publish to the reply subject of a message they received. */
export const RespondingRoles: readonly NatsRole[] = ["orchestrator", "retriever", "generator"];

export interface SubjectRule {
  /** Subject patterns (NATS wildcards `*` and `>`) the rule covers. */
  subjects: readonly string[];
  /** A concrete subject the rule covers, which the permission test publishes and subscribes to. */
  example: string;
  /** What the subjects are for, in a few words (the docs table's first column). */
  purpose: string;
  publish: readonly NatsRole[];
  subscribe: readonly NatsRole[];
}

/** The JetStream stream behind the KV bucket `KBALIGN_CONFIG`. */
const CONFIG_STREAM = `KV_${CONFIG_BUCKET}`;

const services: readonly NatsRole[] = ["orchestrator", "retriever", "generator"];
const srv = (name: string): string[] => [`$SRV.*.${name}`, `$SRV.*.${name}.*`];

/** Read access to a JetStream stream through ordered consumers, direct gets and stream info. */
const streamReader = (stream: string): string[] => [
  `$JS.API.STREAM.INFO.${stream}`,
  `$JS.API.CONSUMER.CREATE.${stream}`,
  `$JS.API.CONSUMER.CREATE.${stream}.>`,
  `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
  `$JS.API.CONSUMER.INFO.${stream}.*`,
  `$JS.API.CONSUMER.DELETE.${stream}.*`,
  `$JS.API.DIRECT.GET.${stream}`,
  `$JS.API.DIRECT.GET.${stream}.>`,
  `$JS.API.STREAM.MSG.GET.${stream}`,
];

export const PermissionMatrix: readonly SubjectRule[] = [
  { purpose: "questions", subjects: [Subjects.query], example: Subjects.query, publish: ["client"], subscribe: ["orchestrator"] },
  { purpose: "cancelling a question", subjects: [Subjects.cancel], example: Subjects.cancel, publish: ["client"], subscribe: ["orchestrator"] },
  { purpose: "retrieval (queue group)", subjects: [Subjects.retrieve], example: Subjects.retrieve, publish: ["orchestrator"], subscribe: ["retriever"] },
  {
    purpose: "retrieval by one replica (a retry elsewhere)",
    subjects: [`${Subjects.retrieve}.instance.*`],
    example: `${Subjects.retrieve}.instance.r1`,
    publish: ["orchestrator"],
    subscribe: ["retriever"],
  },
  { purpose: "generation (queue group)", subjects: [Subjects.generate], example: Subjects.generate, publish: ["orchestrator"], subscribe: ["generator"] },
  { purpose: "cancelling a generation", subjects: [Subjects.generateCancel], example: Subjects.generateCancel, publish: ["orchestrator"], subscribe: ["generator"] },
  {
    purpose: "generation by one replica (a retry elsewhere)",
    subjects: [`${Subjects.generate}.instance.*`],
    example: `${Subjects.generate}.instance.g1`,
    publish: ["orchestrator"],
    subscribe: ["generator"],
  },
  { purpose: "services framework: any service (PING, INFO, STATS)", subjects: ["$SRV.*"], example: "$SRV.PING", publish: ["operator"], subscribe: services },
  {
    purpose: "services framework: the orchestrator",
    subjects: srv(ServiceNames.orchestrator),
    example: `$SRV.STATS.${ServiceNames.orchestrator}`,
    publish: ["operator"],
    subscribe: ["orchestrator"],
  },
  {
    purpose: "services framework: retrievers (discovery)",
    subjects: srv(ServiceNames.retriever),
    example: `$SRV.PING.${ServiceNames.retriever}`,
    publish: ["orchestrator", "operator"],
    subscribe: ["retriever"],
  },
  {
    purpose: "services framework: generators (discovery)",
    subjects: srv(ServiceNames.generator),
    example: `$SRV.INFO.${ServiceNames.generator}.g1`,
    publish: ["orchestrator", "operator"],
    subscribe: ["generator"],
  },
  { purpose: "services framework: operator tools (`nats micro`)", subjects: ["$SRV.>"], example: "$SRV.STATS.other-service", publish: ["operator"], subscribe: [] },
  { purpose: "knowledge-base documents", subjects: [`${Subjects.kbPrefix}.>`], example: `${Subjects.kbPrefix}.docs.doc1`, publish: ["ingest", "operator"], subscribe: [] },
  { purpose: "JetStream account info", subjects: ["$JS.API.INFO"], example: "$JS.API.INFO", publish: [...services, "ingest", "operator"], subscribe: [] },
  {
    purpose: `creating and reading the stream ${KB_STREAM}`,
    subjects: [`$JS.API.STREAM.INFO.${KB_STREAM}`, `$JS.API.STREAM.CREATE.${KB_STREAM}`],
    example: `$JS.API.STREAM.CREATE.${KB_STREAM}`,
    publish: ["retriever", "ingest", "operator"],
    subscribe: [],
  },
  {
    purpose: `following ${KB_STREAM} (ordered consumers)`,
    subjects: streamReader(KB_STREAM),
    example: `$JS.API.CONSUMER.CREATE.${KB_STREAM}.c1.${Subjects.kbPrefix}.>`,
    publish: ["retriever", "operator"],
    subscribe: [],
  },
  {
    purpose: "JetStream administration (purge, delete, update, any stream)",
    subjects: ["$JS.>"],
    example: `$JS.API.STREAM.PURGE.${KB_STREAM}`,
    publish: ["operator"],
    subscribe: [],
  },
  {
    purpose: `reading and watching the configuration bucket ${CONFIG_BUCKET}`,
    subjects: streamReader(CONFIG_STREAM),
    example: `$JS.API.DIRECT.GET.${CONFIG_STREAM}.$KV.${CONFIG_BUCKET}.query.defaultTopn`,
    publish: [...services, "operator"],
    subscribe: [],
  },
  { purpose: `writing configuration`, subjects: [`$KV.${CONFIG_BUCKET}.>`], example: `$KV.${CONFIG_BUCKET}.query.defaultTopn`, publish: ["operator"], subscribe: [] },
  ...NatsRoles.map(
    (role): SubjectRule => ({
      purpose: `the ${role}'s own replies`,
      subjects: [`_INBOX.${role}.>`],
      example: `_INBOX.${role}.x1`,
      publish: [],
      subscribe: [role],
    }),
  ),
];

/** True when `subject` (no wildcards) matches the NATS subject `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** What one role may publish and subscribe to, and whether it may answer requests. */
export interface RolePermissions {
  publish: string[];
  subscribe: string[];
  allowResponses: boolean;
}

export function permissionsOf(role: NatsRole): RolePermissions {
  const collect = (op: "publish" | "subscribe") => [...new Set(PermissionMatrix.filter((rule) => rule[op].includes(role)).flatMap((rule) => rule.subjects))];
  return { publish: collect("publish"), subscribe: collect("subscribe"), allowResponses: RespondingRoles.includes(role) };
}

/** Whether `role` may `op` on the concrete `subject` under the matrix (anything not granted is denied). */
export function isAllowed(role: NatsRole, op: "publish" | "subscribe", subject: string): boolean {
  return permissionsOf(role)[op].some((pattern) => subjectMatches(pattern, subject));
}

/** The matrix as the Markdown table of docs/security.md (a test keeps the two equal). */
export function permissionTable(): string {
  const cell = (rule: SubjectRule, role: NatsRole) =>
    [rule.publish.includes(role) ? "pub" : "", rule.subscribe.includes(role) ? "sub" : ""].filter(Boolean).join(" + ") || "—";
  return [
    `| subjects | purpose | ${NatsRoles.join(" | ")} |`,
    `| --- | --- | ${NatsRoles.map(() => "---").join(" | ")} |`,
    ...PermissionMatrix.map((rule) => `| ${rule.subjects.map((s) => `\`${s}\``).join("<br>")} | ${rule.purpose} | ${NatsRoles.map((role) => cell(rule, role)).join(" | ")} |`),
  ].join("\n");
}
