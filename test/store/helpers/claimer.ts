/**
 * A separate OS process racing the test process on one SQLite file (test/store/sqlite.test.ts): waits for the
 * start signal on stdin, then claims the same recipients and recontacts, and prints what it won as JSON.
 * argv: file, campaignId, owner, recipient count, business number
 */
import { SqliteStore } from '../../../lib/store/sqlite';

async function main(): Promise<void> {
	const [file, campaignId, owner, countText, business] = process.argv.slice(2);
	const store = new SqliteStore({ path: file });
	const count = Number(countText);
	process.stdout.write('ready\n');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
	const won: string[] = [];
	const recontacts: string[] = [];
	const ids = Array.from({ length: count }, (_, i) => `r${i}`);
	if (Number(owner.replace(/\D/g, '')) % 2) ids.reverse();
	for (let i = 0; i < ids.length; i += 10) {
		const batch = await store.claimRecipients(
			campaignId,
			ids.slice(i, i + 10).map((recipientId) => ({ recipientId })),
			{ owner },
		);
		won.push(...batch.filter((r) => r.won).map((r) => r.recipientId));
		const claim = await store.claimRecontact(business, 'contact', `q${i}`, { ref: owner });
		if (claim.won) recontacts.push(`q${i}`);
	}
	await store.close();
	process.stdout.write(`${JSON.stringify({ owner, won, recontacts })}\n`);
}

main().catch((error) => {
	process.stderr.write(String(error?.stack ?? error));
	process.exit(1);
});
