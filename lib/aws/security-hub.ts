/**
 * The parts of the Security Hub SDK the findings sink uses, for a dynamic
 * import: importing the package itself dynamically would bundle every command.
 */
export {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
