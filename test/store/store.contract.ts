/**
 * The conversation store's contract, run against every backend (sqlite.test.ts, redis.test.ts): both must
 * behave identically, because nodes switch between them with one parameter.
 */
import { randomUUID } from 'node:crypto';

import type { ConversationStore, RecipientRecord } from '../../lib/store/types';

export interface ContractHarness {
	/** A new connection / handle on the same data (a second execution, process or worker) */
	open(): Promise<ConversationStore>;
	/** The fake clock every store of the harness reads for default times */
	clock: { now: number };
	/** Lets `ms` pass for TTLs (SQLite: the fake clock; Redis: the server's real clock too) */
	advance(ms: number): Promise<void>;
	close(): Promise<void>;
}

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const HOUR = 3600_000;

export function describeStoreContract(
	name: string,
	makeHarness: () => Promise<ContractHarness>,
): void {
	describe(`ConversationStore contract: ${name}`, () => {
		let harness: ContractHarness;
		let store: ConversationStore;
		const extra: ConversationStore[] = [];
		let bn: string;

		const connections = async (count: number): Promise<ConversationStore[]> => {
			const opened = await Promise.all(Array.from({ length: count }, () => harness.open()));
			extra.push(...opened);
			return opened;
		};

		beforeAll(async () => {
			harness = await makeHarness();
			store = await harness.open();
		});

		beforeEach(() => {
			bn = `pn-${randomUUID().slice(0, 8)}`; // a fresh business number per test: tests never see each other's data
			harness.clock.now = T0 + 1000 * HOUR;
		});

		afterAll(async () => {
			await Promise.all(extra.map((s) => s.close()));
			await store.close();
			await harness.close();
		});

		describe('contacts', () => {
			it('records an inbound and reads it back', async () => {
				const { advanced, contact } = await store.recordInbound({
					businessNumberId: bn,
					waId: '5491155551234',
					at: T0,
					messageId: 'wamid.A',
					profileName: 'Emilia',
				});
				expect(advanced).toBe(true);
				expect(contact).toMatchObject({
					businessNumberId: bn,
					contactId: '5491155551234',
					waId: '5491155551234',
					lastInboundAt: T0,
					lastInboundMessageId: 'wamid.A',
					channel: 'whatsapp',
					profileName: 'Emilia',
				});
				const read = await store.getContact(bn, '5491155551234');
				expect(read).toMatchObject({
					lastInboundAt: T0,
					lastInboundMessageId: 'wamid.A',
					profileName: 'Emilia',
					channel: 'whatsapp',
				});
				expect(await store.getContact(bn, '5491100000000')).toBeUndefined();
				expect(await store.getContact(`${bn}-other`, '5491155551234')).toBeUndefined();
			});

			it('never rewinds the last inbound: an old or duplicate webhook changes nothing', async () => {
				await store.recordInbound({
					businessNumberId: bn,
					waId: '1',
					at: T0 + HOUR,
					messageId: 'wamid.new',
					profileName: 'New name',
				});
				const old = await store.recordInbound({
					businessNumberId: bn,
					waId: '1',
					at: T0,
					messageId: 'wamid.old',
					profileName: 'Old name',
					channel: 'whatsapp',
				});
				expect(old.advanced).toBe(false);
				const duplicate = await store.recordInbound({
					businessNumberId: bn,
					waId: '1',
					at: T0 + HOUR,
					messageId: 'wamid.new',
				});
				expect(duplicate.advanced).toBe(false);
				const contact = await store.getContact(bn, '1');
				expect(contact).toMatchObject({
					lastInboundAt: T0 + HOUR,
					lastInboundMessageId: 'wamid.new',
					profileName: 'New name',
				});
				const newer = await store.recordInbound({
					businessNumberId: bn,
					waId: '1',
					at: T0 + 2 * HOUR,
					messageId: 'wamid.newer',
					channel: 'whatsapp',
				});
				expect(newer.advanced).toBe(true);
				expect(newer.contact).toMatchObject({
					lastInboundAt: T0 + 2 * HOUR,
					lastInboundMessageId: 'wamid.newer',
					profileName: 'New name',
				});
			});

			it('records batches in order and keeps the newest per contact whatever the batch order', async () => {
				const results = await store.recordInbounds([
					{ businessNumberId: bn, waId: 'a', at: T0 + 5 },
					{ businessNumberId: bn, waId: 'b', at: T0 },
					{ businessNumberId: bn, waId: 'a', at: T0 + 1 },
				]);
				expect(results.map((r) => r.advanced)).toEqual([true, true, false]);
				expect((await store.getContact(bn, 'a'))?.lastInboundAt).toBe(T0 + 5);
			});

			it('tracks the free entry point: referral, first business reply, a newer referral starting again', async () => {
				await store.recordInbound({
					businessNumberId: bn,
					waId: '2',
					at: T0,
					referral: { sourceType: 'ad', sourceId: '1202' },
				});
				await store.recordBusinessReply(bn, '2', T0 - 1); // before the referral: not a reply to it
				expect((await store.getContact(bn, '2'))?.firstReplyAfterReferralAt).toBeUndefined();
				await store.recordBusinessReply(bn, '2', T0 + 2 * HOUR);
				await store.recordBusinessReply(bn, '2', T0 + 3 * HOUR); // later: the first one stays
				await store.recordBusinessReply(bn, '2', T0 + HOUR); // earlier, arriving late: it was the first
				expect(await store.getContact(bn, '2')).toMatchObject({
					referralAt: T0,
					referralSource: 'ad:1202',
					firstReplyAfterReferralAt: T0 + HOUR,
				});
				await store.recordInbound({
					businessNumberId: bn,
					waId: '2',
					at: T0 + 100 * HOUR,
					referral: true,
				});
				const contact = await store.getContact(bn, '2');
				expect(contact?.referralAt).toBe(T0 + 100 * HOUR);
				expect(contact?.firstReplyAfterReferralAt).toBeUndefined();
				await store.recordBusinessReply(bn, 'never-wrote', T0);
				expect(await store.getContact(bn, 'never-wrote')).toBeUndefined();
			});

			it('finds a contact by user_id and folds a user_id-only record into its wa_id record', async () => {
				await store.recordInbound({
					businessNumberId: bn,
					userId: 'AR.777',
					at: T0 + 2 * HOUR,
					messageId: 'm-uid',
					profileName: 'Username user',
				});
				await store.setOptState(bn, 'AR.777', {
					optedOut: true,
					at: T0 + HOUR,
					reason: 'keyword',
					detail: 'BAJA',
				});
				expect(await store.getContact(bn, 'AR.777')).toMatchObject({
					contactId: 'AR.777',
					userId: 'AR.777',
					lastInboundAt: T0 + 2 * HOUR,
				});
				await store.recordInbound({
					businessNumberId: bn,
					waId: '5491166667777',
					userId: 'AR.777',
					at: T0 + HOUR,
				});
				const byWa = await store.getContact(bn, '5491166667777');
				const byUser = await store.getContact(bn, 'AR.777');
				expect(byUser).toEqual(byWa);
				expect(byWa).toMatchObject({
					contactId: '5491166667777',
					waId: '5491166667777',
					userId: 'AR.777',
					lastInboundAt: T0 + 2 * HOUR,
					lastInboundMessageId: 'm-uid',
					profileName: 'Username user',
					optOut: { optedOut: true, reason: 'keyword', detail: 'BAJA' },
				});
				// A later message carrying only the user_id lands on the wa_id record.
				await store.recordInbound({ businessNumberId: bn, userId: 'AR.777', at: T0 + 3 * HOUR });
				expect((await store.getContact(bn, '5491166667777'))?.lastInboundAt).toBe(T0 + 3 * HOUR);
				const bulk = await store.getContacts(bn, ['AR.777', '5491166667777']);
				expect(bulk.get('AR.777')?.contactId).toBe('5491166667777');
			});

			it('reads many contacts in one call (several chunks), keyed by the IDs asked', async () => {
				const ids = Array.from({ length: 1234 }, (_, i) => String(5491100000000 + i));
				await store.recordInbounds(
					ids.map((waId, i) => ({ businessNumberId: bn, waId, at: T0 + i })),
				);
				const asked = [...ids, 'unknown-1', ids[7], '', 'unknown-2'];
				const found = await store.getContacts(bn, asked);
				expect(found.size).toBe(ids.length);
				expect(found.get(ids[1000])?.lastInboundAt).toBe(T0 + 1000);
				expect(found.has('unknown-1')).toBe(false);
				expect((await store.getContacts(bn, [])).size).toBe(0);
			});

			it('reads window facts in bulk: the same identity and times as the full records, also through user_id aliases', async () => {
				await store.recordInbounds([
					{
						businessNumberId: bn,
						waId: 'w1',
						at: T0,
						profileName: 'One',
						referral: { sourceType: 'ad', sourceId: '9' },
					},
					{ businessNumberId: bn, waId: 'w2', userId: 'BR.22', at: T0 + 1 },
					{ businessNumberId: bn, userId: 'US.33', at: T0 + 2, channel: 'whatsapp' },
				]);
				await store.recordBusinessReply(bn, 'w1', T0 + 5);
				const ids = ['w1', 'w2', 'BR.22', 'US.33', 'nobody'];
				const facts = await store.getWindowFacts(bn, ids);
				const full = await store.getContacts(bn, ids);
				expect([...facts.keys()].sort()).toEqual(['BR.22', 'US.33', 'w1', 'w2']);
				for (const [id, fact] of facts) {
					const contact = full.get(id);
					expect(fact).toEqual({
						businessNumberId: bn,
						contactId: contact?.contactId,
						waId: contact?.waId,
						userId: contact?.userId,
						profileName: contact?.profileName,
						channel: contact?.channel,
						lastInboundAt: contact?.lastInboundAt,
						referralAt: contact?.referralAt,
						firstReplyAfterReferralAt: contact?.firstReplyAfterReferralAt,
					});
				}
				expect(facts.get('w1')).toMatchObject({
					waId: 'w1',
					profileName: 'One',
					referralAt: T0,
					firstReplyAfterReferralAt: T0 + 5,
					channel: 'whatsapp',
				});
				expect(facts.get('BR.22')).toMatchObject({ contactId: 'w2', waId: 'w2', userId: 'BR.22' });
				expect(facts.get('US.33')?.waId).toBeUndefined();
			});

			it('rejects calls without an ID', async () => {
				await expect(store.recordInbound({ businessNumberId: bn, at: T0 })).rejects.toThrow(
					/waId or userId/,
				);
				await expect(
					store.recordInbound({ businessNumberId: '', waId: '1', at: T0 }),
				).rejects.toThrow(/businessNumberId/);
				await expect(
					store.recordInbound({ businessNumberId: bn, waId: '1', at: Number.NaN }),
				).rejects.toThrow(/at must be/);
			});
		});

		describe('opt-out, opt-in and marketing holds', () => {
			it('applies opt changes in event time order, opt-out winning ties', async () => {
				const out = await store.setOptState(bn, '3', {
					optedOut: true,
					at: T0 + HOUR,
					reason: 'keyword',
					scope: 'all',
					detail: 'STOP',
				});
				expect(out.applied).toBe(true);
				expect(out.contact.optOut).toEqual({
					optedOut: true,
					at: T0 + HOUR,
					reason: 'keyword',
					scope: 'all',
					detail: 'STOP',
				});
				expect(
					(await store.setOptState(bn, '3', { optedOut: false, at: T0, reason: 'keyword' }))
						.applied,
				).toBe(false);
				expect(
					(await store.setOptState(bn, '3', { optedOut: false, at: T0 + HOUR, reason: 'button' }))
						.applied,
				).toBe(false);
				const back = await store.setOptState(bn, '3', {
					optedOut: false,
					at: T0 + 2 * HOUR,
					reason: 'keyword',
					detail: 'ALTA',
				});
				expect(back.applied).toBe(true);
				expect((await store.getContact(bn, '3'))?.optOut).toEqual({
					optedOut: false,
					at: T0 + 2 * HOUR,
					reason: 'keyword',
					scope: 'all',
					detail: 'ALTA',
				});
				const marketing = await store.setOptState(bn, '3', {
					optedOut: true,
					at: T0 + 3 * HOUR,
					reason: 'error-131050',
					scope: 'marketing',
				});
				expect(marketing.contact.optOut).toEqual({
					optedOut: true,
					at: T0 + 3 * HOUR,
					reason: 'error-131050',
					scope: 'marketing',
				});
			});

			it('keeps the later 131049 hold', async () => {
				await store.markMarketingHold(bn, '4', T0 + 24 * HOUR);
				await store.markMarketingHold(bn, '4', T0 + 10 * HOUR);
				expect((await store.getContact(bn, '4'))?.marketingHoldUntil).toBe(T0 + 24 * HOUR);
				await store.markMarketingHold(bn, '4', T0 + 48 * HOUR);
				expect((await store.getContact(bn, '4'))?.marketingHoldUntil).toBe(T0 + 48 * HOUR);
			});
		});

		describe('recontact once per query', () => {
			it('claims once, reads, releases only with the winner token, then can be claimed again', async () => {
				const first = await store.claimRecontact(bn, '5', 'query-1', { at: T0, ref: 'exec-1' });
				expect(first.won).toBe(true);
				expect(first.record).toMatchObject({
					businessNumberId: bn,
					contactId: '5',
					queryId: 'query-1',
					spentAt: T0,
					ref: 'exec-1',
				});
				const second = await store.claimRecontact(bn, '5', 'query-1', {
					at: T0 + 1,
					ref: 'exec-2',
				});
				expect(second.won).toBe(false);
				expect(second.record).toEqual(first.record);
				expect((await store.claimRecontact(bn, '5', 'query-2')).won).toBe(true);
				expect(await store.getRecontact(bn, '5', 'query-1')).toEqual(first.record);
				expect(await store.getRecontact(bn, '5', 'query-3')).toBeUndefined();
				const many = await store.getRecontacts(bn, [
					{ contactId: '5', queryId: 'query-1' },
					{ contactId: '5', queryId: 'query-3' },
					{ contactId: '6', queryId: 'query-1' },
				]);
				expect([...many.keys()]).toEqual(['5\nquery-1']);
				expect(await store.releaseRecontact(bn, '5', 'query-1', 'not-the-token')).toBe(false);
				expect(await store.releaseRecontact(bn, '5', 'query-1', first.record.token)).toBe(true);
				expect(await store.getRecontact(bn, '5', 'query-1')).toBeUndefined();
				expect((await store.claimRecontact(bn, '5', 'query-1')).won).toBe(true);
			});

			it('has exactly one winner among concurrent claimers on separate connections', async () => {
				const claimers = await connections(6);
				for (let round = 0; round < 5; round++) {
					const results = await Promise.all(
						claimers.flatMap((s, i) => [
							s.claimRecontact(bn, '7', `q-${round}`, { ref: `c${i}a` }),
							s.claimRecontact(bn, '7', `q-${round}`, { ref: `c${i}b` }),
						]),
					);
					const winners = results.filter((r) => r.won);
					expect(winners).toHaveLength(1);
					for (const r of results) expect(r.record.token).toBe(winners[0].record.token);
				}
			});
		});

		describe('seen webhook events', () => {
			it('says which keys are new, once per key, also within one batch', async () => {
				const k = (s: string) => `${bn}:message:${s}`;
				expect(await store.markSeen([k('a'), k('b'), k('a')])).toEqual([true, true, false]);
				expect(await store.markSeen([k('b'), k('c')])).toEqual([false, true]);
				expect(await store.markSeen([])).toEqual([]);
				await expect(store.markSeen([k('d')], 0)).rejects.toThrow(/ttlSeconds/);
			});

			it("answers a 1,000-status POST's 700 keys (with repeats) in order, each new once", async () => {
				const keys = Array.from({ length: 700 }, (_, i) => `${bn}:status:wamid.M${i % 650}:read`);
				const first = await store.markSeen(keys);
				expect(first.filter(Boolean)).toHaveLength(650);
				expect(first.slice(650)).toEqual(keys.slice(650).map(() => false));
				expect(first.slice(0, 650).every(Boolean)).toBe(true);
				expect((await store.markSeen(keys)).some(Boolean)).toBe(false);
			});

			it('forgets the keys it is told to (a webhook that could not be recorded), and only those', async () => {
				const k = (s: string) => `${bn}:status:wamid.F${s}:read`;
				expect(await store.markSeen([k('1'), k('2'), k('3')])).toEqual([true, true, true]);
				await store.forgetSeen([k('1'), k('3'), k('never-seen')]);
				await store.forgetSeen([]);
				expect(await store.markSeen([k('1'), k('2'), k('3')])).toEqual([true, false, true]);
			});

			it('forgets keys after their TTL, not before', async () => {
				const key = `${bn}:status:wamid.X:read`;
				expect(await store.markSeen([key], 0.5)).toEqual([true]);
				expect(await store.markSeen([key], 0.5)).toEqual([false]);
				await harness.advance(700);
				expect(await store.markSeen([key], 60)).toEqual([true]);
				expect(await store.markSeen([key], 60)).toEqual([false]);
			});

			it('has exactly one first sight among concurrent callers', async () => {
				const callers = await connections(4);
				const keys = Array.from({ length: 50 }, (_, i) => `${bn}:message:${i}`);
				const results = await Promise.all(
					callers.map((s, i) => s.markSeen(i % 2 ? [...keys].reverse() : keys)),
				);
				for (let i = 0; i < keys.length; i++) {
					const firsts = results.filter((r, c) => r[c % 2 ? keys.length - 1 - i : i]).length;
					expect(firsts).toBe(1);
				}
			});
		});

		describe('campaign recipients', () => {
			const camp = () => `camp:${bn}`; // a colon inside the ID on purpose

			it('claims each recipient once, duplicates in one call included, and reruns claim nothing new', async () => {
				const first = await store.claimRecipients(
					camp(),
					[{ recipientId: 'r1' }, { recipientId: 'r2', contactId: 'c2' }, { recipientId: 'r1' }],
					{
						businessNumberId: bn,
						owner: 'w1',
						at: T0,
					},
				);
				expect(first.map((r) => r.won)).toEqual([true, true, false]);
				expect(first[1].record).toMatchObject({
					campaignId: camp(),
					recipientId: 'r2',
					contactId: 'c2',
					businessNumberId: bn,
					state: 'claimed',
					attempts: 1,
					owner: 'w1',
					claimedAt: T0,
				});
				expect(first[2].record.recipientId).toBe('r1');
				const rerun = await store.claimRecipients(
					camp(),
					[{ recipientId: 'r1' }, { recipientId: 'r3' }],
					{ owner: 'w2', at: T0 + 1 },
				);
				expect(rerun.map((r) => r.won)).toEqual([false, true]);
				expect(rerun[0].record.owner).toBe('w1');
				expect((await store.claimRecipient(camp(), { recipientId: 'r3' })).won).toBe(false);
			});

			it('reclaims only what the options allow: listed states, stale claims', async () => {
				await store.claimRecipients(
					camp(),
					[{ recipientId: 'p' }, { recipientId: 's' }, { recipientId: 'x' }],
					{ at: T0, owner: 'w1' },
				);
				await store.recordResult(camp(), {
					recipientId: 'p',
					state: 'paused',
					at: T0 + 1,
					reason: 'template paused',
				});
				await store.recordResult(camp(), {
					recipientId: 'x',
					state: 'sent',
					wamid: 'wamid.x',
					at: T0 + 1,
				});
				const resume = await store.claimRecipients(
					camp(),
					[{ recipientId: 'p' }, { recipientId: 's' }, { recipientId: 'x' }],
					{
						owner: 'w2',
						at: T0 + 10,
						reclaim: { states: ['paused'], claimedBefore: T0 + 5 },
					},
				);
				expect(resume.map((r) => r.won)).toEqual([true, true, false]);
				expect(resume[0].record).toMatchObject({
					state: 'claimed',
					attempts: 2,
					owner: 'w2',
					claimedAt: T0 + 10,
				});
				const again = await store.claimRecipients(
					camp(),
					[{ recipientId: 'p' }, { recipientId: 's' }],
					{ at: T0 + 11, reclaim: { states: ['paused'], claimedBefore: T0 + 5 } },
				);
				expect(again.map((r) => r.won)).toEqual([false, false]);
				await expect(
					store.claimRecipients(camp(), [{ recipientId: 'p' }], {
						reclaim: { states: ['claimed'] },
					}),
				).rejects.toThrow(/claimedBefore/);
			});

			it('gives each recipient to exactly one of many concurrent claimers', async () => {
				const workers = await connections(5);
				const ids = Array.from({ length: 300 }, (_, i) => ({ recipientId: `r${i}` }));
				const results = await Promise.all(
					workers.map(async (s, w) => {
						const order = w % 2 ? [...ids].reverse() : ids;
						const won: string[] = [];
						for (let i = 0; i < order.length; i += 25) {
							const batch = await s.claimRecipients(camp(), order.slice(i, i + 25), {
								owner: `w${w}`,
							});
							won.push(...batch.filter((r) => r.won).map((r) => r.recipientId));
						}
						return won;
					}),
				);
				const all = results.flat();
				expect(all).toHaveLength(ids.length);
				expect(new Set(all).size).toBe(ids.length);
				const records = await store.getRecipients(
					camp(),
					ids.map((r) => r.recipientId),
				);
				results.forEach((won, w) => {
					for (const id of won) expect(records.get(id)?.owner).toBe(`w${w}`);
				});
			});

			it('records results (owner-checked) and finds recipients by wamid', async () => {
				await store.claimRecipients(camp(), [{ recipientId: 'a' }, { recipientId: 'b' }], {
					owner: 'w1',
					businessNumberId: bn,
					at: T0,
				});
				expect(
					await store.recordResult(camp(), {
						recipientId: 'a',
						state: 'sent',
						wamid: 'wamid.a',
						owner: 'someone-else',
					}),
				).toBeUndefined();
				expect(
					await store.recordResult(camp(), { recipientId: 'nobody', state: 'sent' }),
				).toBeUndefined();
				const [a, b] = await store.recordResults(camp(), [
					{ recipientId: 'a', state: 'sent', wamid: `wamid.${bn}.a`, owner: 'w1', at: T0 + 5 },
					{
						recipientId: 'b',
						state: 'failed',
						code: 131026,
						reason: 'Message undeliverable',
						at: T0 + 6,
					},
				]);
				expect(a).toMatchObject({
					state: 'sent',
					wamid: `wamid.${bn}.a`,
					sentAt: T0 + 5,
					updatedAt: T0 + 5,
				});
				expect(b).toMatchObject({ state: 'failed', code: 131026, reason: 'Message undeliverable' });
				expect(await store.findRecipientByWamid(`wamid.${bn}.a`)).toEqual(a);
				expect(await store.findRecipientByWamid('wamid.unknown')).toBeUndefined();
				await expect(
					store.recordResult(camp(), { recipientId: 'a', state: 'claimed' as 'sent' }),
				).rejects.toThrow(/state must be/);
			});

			it('records a batch of results as one at a time would: owners checked per row, aliases, repeats in order', async () => {
				const c = `${camp()}:batch`;
				const ids = Array.from({ length: 341 }, (_, i) => `54977${String(i).padStart(5, '0')}`); // 256 + 64 + 16 + 4 + 1
				await store.recordInbound({
					businessNumberId: bn,
					waId: '549888',
					userId: 'AR.888',
					at: T0,
				});
				await store.claimRecipients(
					c,
					[...ids, 'AR.888', 'theirs'].map((recipientId) => ({ recipientId })),
					{ businessNumberId: bn, owner: 'w1', at: T0 },
				);
				await store.claimRecipients(c, [{ recipientId: 'other-owner' }], {
					businessNumberId: bn,
					owner: 'w2',
					at: T0,
				});
				const records = await store.recordResults(c, [
					...ids.map((recipientId, i) => ({
						recipientId,
						state: i % 2 ? ('failed' as const) : ('sent' as const),
						wamid: i % 2 ? undefined : `w.${c}.${recipientId}`,
						code: i % 2 ? 131026 : undefined,
						owner: 'w1',
						at: T0 + i,
					})),
					{
						recipientId: 'AR.888',
						state: 'sent',
						wamid: `w.${c}.alias`,
						owner: 'w1',
						at: T0 + 1000,
					},
					{ recipientId: 'other-owner', state: 'sent', wamid: `w.${c}.x`, owner: 'w1', at: T0 },
					{ recipientId: 'never-claimed', state: 'sent', at: T0 },
				]);
				expect(records).toHaveLength(ids.length + 3);
				expect(records[0]).toMatchObject({ state: 'sent', sentAt: T0, wamid: `w.${c}.${ids[0]}` });
				expect(records[1]).toMatchObject({ state: 'failed', code: 131026 });
				expect(records[1]?.sentAt).toBeUndefined();
				expect(records.slice(-2)).toEqual([undefined, undefined]);
				expect(await store.getRecipient(c, 'other-owner')).toMatchObject({ state: 'claimed' });
				expect(await store.findRecipientByWamid(`w.${c}.${ids[340]}`)).toEqual(records[340]);
				expect(await store.findRecipientByWamid(`w.${c}.x`)).toBeUndefined();
				expect((await store.getContact(bn, ids[338]))?.lastCampaign).toEqual({
					campaignId: c,
					recipientId: ids[338],
					sentAt: T0 + 338,
				});
				expect((await store.getContact(bn, ids[339]))?.lastCampaign).toBeUndefined();
				expect((await store.getContact(bn, '549888'))?.lastCampaign).toEqual({
					campaignId: c,
					recipientId: 'AR.888',
					sentAt: T0 + 1000,
				});
				// The same recipient twice in one call: applied in order, the second builds on the first.
				const [first, second] = await store.recordResults(c, [
					{
						recipientId: 'theirs',
						state: 'uncertain',
						wamid: `w.${c}.t1`,
						owner: 'w1',
						at: T0 + 1,
					},
					{ recipientId: 'theirs', state: 'sent', owner: 'w1', at: T0 + 2 },
				]);
				expect(first).toMatchObject({ state: 'uncertain', wamid: `w.${c}.t1` });
				expect(second).toMatchObject({ state: 'sent', wamid: `w.${c}.t1`, sentAt: T0 + 2 });
			});

			it('never lets a status regress, keeps first-seen times, and settles uncertain sends', async () => {
				await store.claimRecipients(
					camp(),
					[{ recipientId: 'k' }, { recipientId: 'u' }, { recipientId: 'f' }],
					{ businessNumberId: bn, at: T0 },
				);
				await store.recordResult(camp(), {
					recipientId: 'k',
					state: 'sent',
					wamid: `w.${bn}.k`,
					at: T0,
				});
				const read = await store.recordStatus({ wamid: `w.${bn}.k`, status: 'read', at: T0 + 30 });
				expect(read).toMatchObject({ matched: true, advanced: true, settled: false });
				const lateDelivered = await store.recordStatus({
					wamid: `w.${bn}.k`,
					status: 'delivered',
					at: T0 + 20,
				});
				expect(lateDelivered.advanced).toBe(false);
				const lateSent = await store.recordStatus({
					wamid: `w.${bn}.k`,
					status: 'sent',
					at: T0 + 10,
				});
				expect(lateSent.record).toMatchObject({
					status: 'read',
					statusTimes: { sent: T0 + 10, delivered: T0 + 20, read: T0 + 30 },
				});
				const lateFailed = await store.recordStatus({
					wamid: `w.${bn}.k`,
					status: 'failed',
					at: T0 + 40,
					errorCode: 131000,
				});
				expect(lateFailed.record?.status).toBe('read');
				expect(lateFailed.record?.state).toBe('sent');

				// Uncertain (timed out after it may have reached Meta): the status webhook, matched by callback data, settles it.
				await store.recordResult(camp(), {
					recipientId: 'u',
					state: 'uncertain',
					reason: 'timeout',
					at: T0 + 1,
				});
				const settled = await store.recordStatus({
					wamid: `w.${bn}.u`,
					status: 'delivered',
					at: T0 + 50,
					campaignId: camp(),
					recipientId: 'u',
				});
				expect(settled).toMatchObject({ matched: true, settled: true });
				expect(settled.record).toMatchObject({
					state: 'sent',
					wamid: `w.${bn}.u`,
					sentAt: T0 + 50,
					status: 'delivered',
				});
				expect((await store.findRecipientByWamid(`w.${bn}.u`))?.recipientId).toBe('u');

				await store.recordResult(camp(), { recipientId: 'f', state: 'uncertain', at: T0 + 1 });
				const failed = await store.recordStatus({
					wamid: `w.${bn}.f`,
					status: 'failed',
					at: T0 + 60,
					campaignId: camp(),
					recipientId: 'f',
					errorCode: 131049,
					errorTitle: 'Per-user marketing limit',
				});
				expect(failed.record).toMatchObject({
					state: 'failed',
					code: 131049,
					reason: 'Per-user marketing limit',
					status: 'failed',
					statusCode: 131049,
				});
				const recovered = await store.recordStatus({
					wamid: `w.${bn}.f`,
					status: 'delivered',
					at: T0 + 70,
				});
				expect(recovered.record).toMatchObject({ status: 'delivered', state: 'failed' });

				expect(await store.recordStatus({ wamid: 'wamid.nobody', status: 'read', at: T0 })).toEqual(
					{ matched: false, advanced: false, settled: false },
				);
				await expect(
					store.recordStatus({ wamid: 'x', status: 'bogus' as 'read', at: T0 }),
				).rejects.toThrow(/status must be/);
			});

			it('records one POST of statuses as one batch, in order, matching what one-by-one gives', async () => {
				await store.claimRecipients(
					camp(),
					[{ recipientId: 'b1' }, { recipientId: 'b2' }, { recipientId: 'b3' }],
					{ businessNumberId: bn, at: T0 },
				);
				for (const id of ['b1', 'b2'])
					await store.recordResult(camp(), {
						recipientId: id,
						state: 'sent',
						wamid: `w.${bn}.${id}`,
						at: T0,
					});
				await store.recordResult(camp(), { recipientId: 'b3', state: 'uncertain', at: T0 + 1 });
				const results = await store.recordStatuses([
					{ wamid: `w.${bn}.b1`, status: 'sent', at: T0 + 10 },
					{ wamid: `w.${bn}.b1`, status: 'delivered', at: T0 + 20 },
					{ wamid: 'wamid.nobody', status: 'read', at: T0 },
					{ wamid: `w.${bn}.b2`, status: 'read', at: T0 + 30 },
					{ wamid: `w.${bn}.b2`, status: 'delivered', at: T0 + 25 },
					{
						wamid: `w.${bn}.b3`,
						status: 'delivered',
						at: T0 + 40,
						campaignId: camp(),
						recipientId: 'b3',
					},
				]);
				expect(results.map((r) => [r.matched, r.advanced, r.settled])).toEqual([
					[true, true, false],
					[true, true, false],
					[false, false, false],
					[true, true, false],
					[true, false, false],
					[true, true, true],
				]);
				// The second status of a message sees the first one's write (same transaction / pipeline).
				expect(results[1].record).toMatchObject({
					status: 'delivered',
					statusTimes: { sent: T0 + 10, delivered: T0 + 20 },
				});
				expect(await store.getRecipient(camp(), 'b2')).toMatchObject({
					status: 'read',
					statusTimes: { delivered: T0 + 25, read: T0 + 30 },
				});
				expect(await store.getRecipient(camp(), 'b3')).toMatchObject({
					state: 'sent',
					wamid: `w.${bn}.b3`,
				});
				expect(await store.recordStatuses([])).toEqual([]);
				// One bad status refuses the whole batch before anything is written.
				await expect(
					store.recordStatuses([
						{ wamid: `w.${bn}.b1`, status: 'read', at: T0 + 50 },
						{ wamid: 'x', status: 'bogus' as 'read', at: T0 },
					]),
				).rejects.toThrow(/status must be/);
				expect((await store.getRecipient(camp(), 'b1'))?.status).toBe('delivered');
			});

			it('marks a recipient replied on the first inbound after its send', async () => {
				await store.recordInbound({ businessNumberId: bn, waId: '549111', at: T0 - HOUR });
				await store.claimRecipients(camp(), [{ recipientId: '549111' }], {
					businessNumberId: bn,
					at: T0,
				});
				await store.recordResult(camp(), {
					recipientId: '549111',
					state: 'sent',
					wamid: `w.${bn}.r`,
					at: T0,
				});
				expect((await store.getContact(bn, '549111'))?.lastCampaign).toEqual({
					campaignId: camp(),
					recipientId: '549111',
					sentAt: T0,
				});
				await store.recordInbound({ businessNumberId: bn, waId: '549111', at: T0 - 1 }); // older than the send
				expect((await store.getRecipient(camp(), '549111'))?.repliedAt).toBeUndefined();
				await store.recordInbound({ businessNumberId: bn, waId: '549111', at: T0 + 3 * HOUR });
				await store.recordInbound({ businessNumberId: bn, waId: '549111', at: T0 + 2 * HOUR }); // earlier reply arriving late
				await store.recordInbound({ businessNumberId: bn, waId: '549111', at: T0 + 4 * HOUR });
				expect((await store.getRecipient(camp(), '549111'))?.repliedAt).toBe(T0 + 2 * HOUR);
				// A recipient that never wrote before: the send creates the contact, its first message is the reply.
				await store.claimRecipients(camp(), [{ recipientId: '549222' }], {
					businessNumberId: bn,
					at: T0,
				});
				await store.recordResult(camp(), { recipientId: '549222', state: 'sent', at: T0 });
				await store.recordInbound({ businessNumberId: bn, waId: '549222', at: T0 + HOUR });
				expect((await store.getRecipient(camp(), '549222'))?.repliedAt).toBe(T0 + HOUR);
			});

			it("points the contact's last campaign at its latest send, also through a user_id alias", async () => {
				const send = async (campaignId: string, recipientId: string, at: number) => {
					await store.claimRecipients(campaignId, [{ recipientId }], { businessNumberId: bn, at });
					return store.recordResult(campaignId, {
						recipientId,
						state: 'sent',
						wamid: `w.${campaignId}.${at}`,
						at,
					});
				};
				await send(`${camp()}:a`, '549333', T0);
				await send(`${camp()}:b`, '549333', T0 - HOUR); // an older send recorded later does not move it
				expect((await store.getContact(bn, '549333'))?.lastCampaign).toEqual({
					campaignId: `${camp()}:a`,
					recipientId: '549333',
					sentAt: T0,
				});
				await send(`${camp()}:c`, '549333', T0 + HOUR);
				expect((await store.getContact(bn, '549333'))?.lastCampaign?.campaignId).toBe(
					`${camp()}:c`,
				);
				// A recipient named by the contact's user_id points the wa_id's record.
				await store.recordInbound({
					businessNumberId: bn,
					waId: '549444',
					userId: 'AR.444',
					at: T0 - HOUR,
				});
				await send(`${camp()}:d`, 'AR.444', T0);
				expect((await store.getContact(bn, '549444'))?.lastCampaign).toEqual({
					campaignId: `${camp()}:d`,
					recipientId: 'AR.444',
					sentAt: T0,
				});
				// A result the claim's owner does not hold is not recorded, and moves nothing.
				await store.claimRecipients(`${camp()}:e`, [{ recipientId: '549555' }], {
					businessNumberId: bn,
					owner: 'run-1',
					at: T0,
				});
				expect(
					await store.recordResult(`${camp()}:e`, {
						recipientId: '549555',
						state: 'sent',
						owner: 'run-2',
						at: T0,
					}),
				).toBeUndefined();
				expect(await store.getRecipient(`${camp()}:e`, '549555')).toMatchObject({
					state: 'claimed',
				});
				expect((await store.getContact(bn, '549555'))?.lastCampaign).toBeUndefined();
				expect(
					await store.recordResult(`${camp()}:e`, {
						recipientId: '549555',
						state: 'sent',
						owner: 'run-1',
						at: T0 + 5,
					}),
				).toMatchObject({ state: 'sent', sentAt: T0 + 5, owner: 'run-1' });
			});

			it('lists recipients in ID order page by page, filtered by state, summarises the funnel and deletes', async () => {
				const ids = Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, '0')}`);
				await store.claimRecipients(
					camp(),
					ids.map((recipientId) => ({ recipientId })),
					{ businessNumberId: bn, at: T0 },
				);
				for (let i = 0; i < 20; i++)
					await store.recordResult(camp(), {
						recipientId: ids[i],
						state: 'sent',
						wamid: `w.${bn}.${i}`,
						at: T0 + i * 60_000,
					});
				await store.recordResult(camp(), {
					recipientId: ids[20],
					state: 'failed',
					code: 131026,
					at: T0,
				});
				await store.recordResult(camp(), {
					recipientId: ids[21],
					state: 'failed',
					code: 131026,
					at: T0,
				});
				await store.recordResult(camp(), {
					recipientId: ids[22],
					state: 'skipped',
					reason: 'opted out',
					at: T0,
				});
				for (let i = 0; i < 15; i++)
					await store.recordStatus({
						wamid: `w.${bn}.${i}`,
						status: 'delivered',
						at: T0 + i * 60_000 + 1000,
					});
				for (let i = 0; i < 8; i++)
					await store.recordStatus({
						wamid: `w.${bn}.${i}`,
						status: 'read',
						at: T0 + i * 60_000 + 2000,
					});
				await store.recordStatus({
					wamid: `w.${bn}.19`,
					status: 'failed',
					at: T0 + 30 * 60_000,
					errorCode: 131049,
				});
				await store.recordInbound({ businessNumberId: bn, waId: ids[0], at: T0 + 5000 });
				await store.recordInbound({ businessNumberId: bn, waId: ids[1], at: T0 + 65_000 });

				const pages: RecipientRecord[][] = [];
				let after: string | undefined;
				do {
					const page = await store.listRecipients(camp(), { limit: 10, after });
					pages.push(page.recipients);
					after = page.next;
				} while (after);
				expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
				expect(pages.flat().map((r) => r.recipientId)).toEqual(ids);
				const failed = await store.listRecipients(camp(), {
					states: ['failed', 'skipped'],
					limit: 2,
				});
				expect(failed.recipients.map((r) => r.recipientId)).toEqual([ids[20], ids[21]]);
				expect(
					(
						await store.listRecipients(camp(), {
							states: ['failed', 'skipped'],
							after: failed.next,
						})
					).recipients.map((r) => r.recipientId),
				).toEqual([ids[22]]);

				const summary = await store.summariseCampaign(camp(), { bucketMs: 10 * 60_000 });
				expect(summary).toMatchObject({
					campaignId: camp(),
					total: 25,
					states: { claimed: 2, sent: 20, failed: 2, skipped: 1, uncertain: 0, paused: 0 },
					funnel: { sent: 20, delivered: 15, read: 8, replied: 2, failed: 3 },
					failedByCode: { 131026: 2, 131049: 1 },
					firstAt: T0,
				});
				const totals = summary.timeline.reduce(
					(sum, b) => ({ sent: sum.sent + b.sent, read: sum.read + b.read }),
					{ sent: 0, read: 0 },
				);
				expect(totals).toEqual({ sent: 20, read: 8 });
				expect(summary.timeline[0]).toMatchObject({
					from: T0,
					sent: 10,
					delivered: 10,
					read: 8,
					replied: 2,
				});

				expect(await store.deleteCampaign(camp())).toBe(25);
				expect((await store.listRecipients(camp())).recipients).toEqual([]);
				expect(await store.findRecipientByWamid(`w.${bn}.1`)).toBeUndefined();
				expect((await store.claimRecipient(camp(), { recipientId: ids[0] })).won).toBe(true);
			});
		});

		describe('marketing frequency', () => {
			it('counts marketing sends per contact since a time, once per ref', async () => {
				await store.recordMarketingSend(bn, 'm1', 'wamid.1', T0);
				await store.recordMarketingSend(bn, 'm1', 'wamid.1', T0); // retried record: same ref
				await store.recordMarketingSend(bn, 'm1', 'wamid.2', T0 + 2 * HOUR);
				await store.recordMarketingSend(bn, 'm2', 'wamid.3', T0 + 3 * HOUR);
				const counts = await store.countMarketingSince(bn, ['m1', 'm2', 'm3'], T0 + HOUR);
				expect(Object.fromEntries(counts)).toEqual({ m1: 1, m2: 1 });
				expect(Object.fromEntries(await store.countMarketingSince(bn, ['m1'], T0))).toEqual({
					m1: 2,
				});
			});
		});
	});
}
