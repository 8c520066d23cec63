import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ServiceNames } from "@kbalign/contracts";
import { CliError } from "../errors.js";

/** The three services `kbalign up` runs, in start order (and the order their ops ports follow). */
export const SERVICES = ["retriever", "generator", "orchestrator"] as const;
export type ServiceKey = (typeof SERVICES)[number];

/** The micro service name each one registers (what a PING addresses). */
export const serviceName = (key: ServiceKey): string => ServiceNames[key];

/**
 * The built entry point of a service, found through its package's `./main` export (so it works
 * from this checkout and from an installed package alike).
 */
export function resolveServiceMain(key: ServiceKey): string {
  const specifier = `@kbalign/${key}/main`;
  let path: string;
  try {
    path = fileURLToPath(import.meta.resolve(specifier));
  } catch (err) {
    throw new CliError(`cannot find ${specifier}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!existsSync(path)) throw new CliError(`the ${key} service is not built (${path} is missing): run \`npm run build\` first`);
  return path;
}

/** Every service's entry point, or the first one missing as a CliError. */
export const resolveServiceMains = (): Record<ServiceKey, string> => ({
  retriever: resolveServiceMain("retriever"),
  generator: resolveServiceMain("generator"),
  orchestrator: resolveServiceMain("orchestrator"),
});

/**
 * The node arguments that run a service: its main behind the tracing preload, which loads the
 * OpenTelemetry SDK before the service's modules when OTEL_* asks for traces (and nothing otherwise).
 */
export function serviceNodeArgs(main: string): string[] {
  let preload: string;
  try {
    preload = import.meta.resolve("@kbalign/telemetry/preload");
  } catch (err) {
    throw new CliError(`cannot find @kbalign/telemetry/preload: ${err instanceof Error ? err.message : String(err)}`);
  }
  return ["--import", preload, main];
}
