/**
 * A real RDSClient whose calls are answered in process by the synthetic
 * fleet after a fixed delay, standing in for the network round trip to the
 * RDS API. Every call is counted by operation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RDSClient } from '@aws-sdk/client-rds';
import { serveInProcess } from '../lib/aws/in-process.js';
import { REGION, type SyntheticFleet } from './fleet.js';

export class CallLog {
  readonly byOperation = new Map<string, number>();
  inFlight = 0;
  peakInFlight = 0;

  get total(): number {
    let sum = 0;
    for (const count of this.byOperation.values()) sum += count;
    return sum;
  }

  count(operation: string): number {
    return this.byOperation.get(operation) ?? 0;
  }
}

export interface LatencyRds {
  client: RDSClient;
  calls: CallLog;
}

export function latencyRdsClient(fleet: SyntheticFleet, latencyMs: number): LatencyRds {
  const calls = new CallLog();
  const client = serveInProcess(
    new RDSClient({
      region: REGION,
      credentials: { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'benchmark' },
      maxAttempts: 1,
    }),
    async (commandName, input) => {
      const operation = commandName.replace(/Command$/, '');
      calls.byOperation.set(operation, calls.count(operation) + 1);
      calls.inFlight += 1;
      calls.peakInFlight = Math.max(calls.peakInFlight, calls.inFlight);
      try {
        if (latencyMs > 0) await sleep(latencyMs);
        return fleet.respond(operation, input);
      } finally {
        calls.inFlight -= 1;
      }
    },
  );
  return { client, calls };
}
