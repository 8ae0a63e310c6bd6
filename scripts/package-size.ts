/**
 * Prints the size of each function package after `sls package`, and fails
 * when one exceeds the budget (Lambda cold starts grow with the bundle).
 * Usage: tsx scripts/package-size.ts [directory] [--max-kib N]
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_MAX_KIB = 1536;

const args = process.argv.slice(2);
const maxFlag = args.indexOf('--max-kib');
const maxKib = maxFlag >= 0 ? Number(args[maxFlag + 1]) : DEFAULT_MAX_KIB;
const directory =
  args.find((arg, index) => !arg.startsWith('--') && index !== maxFlag + 1) ?? '.serverless';

let zips: string[];
try {
  zips = readdirSync(directory)
    .filter((name) => name.endsWith('.zip'))
    .sort();
} catch {
  console.error(`No ${directory} directory: run \`sls package\` first.`);
  process.exit(2);
}
if (zips.length === 0) {
  console.error(`No function packages in ${directory}: run \`sls package\` first.`);
  process.exit(2);
}

let over = 0;
const width = Math.max(...zips.map((name) => name.length));
for (const name of zips) {
  const kib = statSync(join(directory, name)).size / 1024;
  const flag = kib > maxKib ? `  over the ${maxKib} KiB budget` : '';
  if (flag) over += 1;
  console.log(`${name.padEnd(width)}  ${kib.toFixed(1).padStart(8)} KiB${flag}`);
}
process.exit(over > 0 ? 1 : 0);
