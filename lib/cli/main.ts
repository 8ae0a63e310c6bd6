/**
 * The `rds-tls-guard` command: on-demand audits for people and CI gates.
 * It runs the same pipeline as the Lambdas, with the RDS API (or an offline
 * snapshot of `aws rds describe-*` output) as the source and a report as the
 * sink.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { errorMessage } from '../errors.js';
import { EXIT_CODES } from '../report/summary.js';
import { runDemo } from './demo.js';
import { writeLine } from './output.js';
import { runScanCommand, type ScanCommandOptions } from './scan-command.js';
import { UsageError, usageLine } from './usage.js';

const FORMATS = ['table', 'json', 'csv', 'html', 'sarif', 'asff'] as const;

export const VERSION: string = packageJson.version;

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return parsed;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((part) => part.length > 0)];
}

export interface ProgramStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Where a command's action leaves its exit code. */
export interface ExitCodeHolder {
  exitCode: number;
}

export function buildProgram(
  streams: ProgramStreams = { stdout: process.stdout, stderr: process.stderr },
  outcome: ExitCodeHolder = { exitCode: EXIT_CODES.ok },
): Command {
  const { stdout, stderr } = streams;
  // Set before the subcommands are added: commander copies these settings to them.
  const program = new Command()
    .name('rds-tls-guard')
    .description('Prove that Amazon RDS and Aurora databases accept only TLS connections.')
    .version(VERSION, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      // One line and a pointer, not the whole help: the mistake stays visible.
      outputError: (text, write) => write(`${usageLine(text)}\n`),
    });

  program
    .command('scan')
    .description('scan RDS DB instances and clusters and report their TLS compliance')
    .option('-r, --region <region>', 'AWS region to scan (repeatable or comma separated)', collect)
    .option('--engine <engine>', 'only these engines (repeatable)', collect)
    .option(
      '--id <identifier>',
      'only these DB instance or cluster identifiers (repeatable)',
      collect,
    )
    .option('--tag <key=value>', 'only databases with this tag (repeatable)', collect)
    .option(
      '--snapshot <dir>',
      'offline audit: read `aws rds describe-*` JSON output from this folder instead of AWS',
    )
    .option('--no-probe', 'read configuration only; make no database connection')
    .option('--require-probe', 'without a live proof a database is at best INSUFFICIENT_DATA')
    .option(
      '--mysql-plaintext-login',
      'MySQL/MariaDB: also log in over plaintext with the real credentials (sends a password scramble unencrypted)',
    )
    .option('--min-tls <version>', 'lowest TLS version a database may accept', 'TLSv1.2')
    .option('--ca-expiry-days <days>', 'flag CAs expiring within this many days', positiveInteger)
    .option('--ca-bundle <file>', 'PEM bundle to verify servers with (default: the RDS CA bundle)')
    .option('--secret <id=arn>', 'secret to probe a database with (repeatable)', collect)
    .option('--iam-auth', 'use IAM database authentication where the database enables it')
    .option(
      '--accept-native-encryption',
      'Oracle: count native network encryption (SQLNET.ENCRYPTION_SERVER=REQUIRED) as compliant',
    )
    .option('-c, --concurrency <n>', 'databases evaluated at once', positiveInteger, 8)
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option(
      '--allow-insufficient',
      'exit 0, not 3, when something is INSUFFICIENT_DATA or a group could not be read',
    )
    .option('--fail-on-insufficient', 'exit 3 when anything is INSUFFICIENT_DATA (the default)')
    .option('--allow-empty', 'exit 0, not 4, when no database matched (an empty account is fine)')
    .action(async (options: ScanCommandOptions) => {
      outcome.exitCode = await runScanCommand(options, stdout, stderr);
    });

  program
    .command('demo')
    .description(
      'start local PostgreSQL and MariaDB servers configured like RDS, scan them, write an HTML report',
    )
    .option('--html <file>', 'where to write the HTML report', 'reports/demo.html')
    .option('--keep-servers', 'leave the servers running after the scan (Ctrl-C stops them)')
    .action(async (options: { html: string; keepServers?: boolean }) => {
      outcome.exitCode = await runDemo(options, stdout, stderr);
    });

  return program;
}

/** Runs the command line; resolves to the process exit code. */
export async function main(
  argv: string[],
  streams: ProgramStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const outcome: ExitCodeHolder = { exitCode: EXIT_CODES.ok };
  try {
    await buildProgram(streams, outcome).parseAsync(argv);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander already wrote them.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (error instanceof UsageError) {
      streams.stderr.write(`${usageLine(error.message)}\n`);
      return EXIT_CODES.usage;
    }
    writeLine(streams.stderr, `rds-tls-guard: ${errorMessage(error)}`);
    return EXIT_CODES.error;
  }
}
