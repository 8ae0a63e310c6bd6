/**
 * Serves an AWS SDK v3 client's commands from inside the process: the real
 * client, its paginators and its command types stay in use, but no request,
 * credential or network is involved. Offline audits (a snapshot of
 * `aws rds describe-*` output) and the local demo use it as their AWS.
 */
export type InProcessResponder = (
  commandName: string,
  input: unknown,
) => unknown | Promise<unknown>;

interface StackClient {
  middlewareStack: {
    add(
      middleware: (
        next: unknown,
        context: { commandName?: string },
      ) => (args: { input: unknown }) => Promise<{ output: unknown; response: unknown }>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

/** Answers every command the client sends with `respond`; a thrown error reaches the caller as the SDK's would. */
export function serveInProcess<C>(client: C, respond: InProcessResponder): C {
  (client as unknown as StackClient).middlewareStack.add(
    (_next, context) => async (args) => ({
      output: {
        $metadata: {},
        ...((await respond(context.commandName ?? '', args.input)) as object),
      },
      response: {},
    }),
    { step: 'initialize', name: 'rdsTlsGuardInProcess', priority: 'high' },
  );
  return client;
}

/** An error shaped like the SDK's service exceptions (name, `$fault`), for responders. */
export function serviceError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
  return error;
}
