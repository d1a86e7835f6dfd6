/**
 * `npm run bench [name...]`: runs every scripts/bench/*.bench.ts (or the named ones) one after another
 * in this process. Each bench exports `default async function bench(): Promise<void>` and prints its own
 * figures, always as ratios measured side by side in the same run (never against a fixed wall-clock
 * number), because the machine is small and noisy. A bench that misses its target throws, so the
 * runner exits non-zero.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
	const wanted = process.argv.slice(2);
	const files = readdirSync(__dirname)
		.filter((file) => file.endsWith('.bench.ts'))
		.filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
		.sort();
	let failed = 0;
	for (const file of files) {
		console.log(`\n=== ${file.replace('.bench.ts', '')} ===`);
		try {
			const bench = (await import(join(__dirname, file))) as { default: () => Promise<void> };
			await bench.default();
		} catch (error) {
			failed++;
			console.error(`FAILED ${file}: ${(error as Error).message}`);
		}
	}
	if (files.length === 0) console.log('no benchmarks matched');
	if (failed > 0) process.exit(1);
	process.exit(0);
}

void main();
