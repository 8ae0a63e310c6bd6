import { defineConfig } from 'vitest/config';

/**
 * Tests that start database servers (the global setup's PostgreSQL and
 * MariaDB, or their own) or a browser: the `integration` project.
 * Everything else is `unit` and runs on a machine without PostgreSQL,
 * MariaDB or chromium installed.
 */
const INTEGRATION = [
  'test/report/html.browser.test.ts',
  'test/probe/**/*.test.ts',
  'test/fanout/worker-deadline.test.ts',
  'test/reliability/network-faults.test.ts',
  'test/reliability/secrets-canary.test.ts',
  'test/config-rule.live.test.ts',
  'test/demo.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Each project runs it; only `integration` starts the servers.
    globalSetup: ['test/fixtures/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION } },
    ],
  },
});
