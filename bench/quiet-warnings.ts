/**
 * Imported first by the benchmark entry points: the AWS SDK's notice about
 * future Node versions would otherwise interleave with the figures. Every
 * other warning is still printed.
 */
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const text = `${warning.name}: ${warning.message}`;
  if (!text.includes('NodeVersionSupportWarning')) console.error(`warning: ${text}`);
});
