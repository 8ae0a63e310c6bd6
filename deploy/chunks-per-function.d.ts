import type { Plugin } from 'esbuild';

/** See chunks-per-function.js. */
declare const plugins: Plugin[];
export default plugins;
