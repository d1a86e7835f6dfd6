import { SqliteStore } from '../../lib/store/sqlite';
import { checkContacts, type CheckOptions } from '../../lib/window/check';

const HOUR = 3600_000;
const now = Date.UTC(2026, 5, 10, 12, 0, 0);
const bn = 'pn-check';

describe('checkContacts', () => {
	let store: SqliteStore;
	const base: CheckOptions = { businessNumberId: bn, source: 'store', channel: 'whatsapp', now };

	beforeAll(async () => {
		store = new SqliteStore({ path: ':memory:' });
		await store.recordInbounds([
			{ businessNumberId: bn, waId: '5491155551234', at: now - 2 * HOUR, profileName: 'Emilia' },
			{ businessNumberId: bn, waId: '5491155550000', at: now - 30 * HOUR },
			{ businessNumberId: bn, waId: '4915112345678', at: now - HOUR },
			{ businessNumberId: bn, waId: '5491166667777', userId: 'AR.42', at: now - 3 * HOUR },
		]);
		await store.claimRecontact(bn, '5491155551234', 'ticket-9', { at: now - HOUR });
	});

	afterAll(() => store.close());

	it('routes by the store, reading wa_ids, formatted numbers, national numbers and user_ids in one call', async () => {
		const spy = jest.spyOn(store, 'getWindowFacts');
		const outcomes = await checkContacts(
			store,
			[
				{ contact: '5491155551234' },
				{ contact: '+54 9 11 5555-0000' },
				{ contact: '015112345678' },
				{ contact: 'AR.42' },
				{ contact: 'whatsapp:+5491155559999' },
				{ contact: 5491155551234 },
			],
			{ ...base, defaultCountry: 'de' },
		);
		expect(outcomes.map((o) => (o.ok ? o.route : o.message))).toEqual([
			'open',
			'closed',
			'open',
			'open',
			'closed',
			'open',
		]);
		const first = outcomes[0].ok ? outcomes[0].window : undefined;
		expect(first).toMatchObject({
			contactId: '5491155551234',
			waId: '5491155551234',
			profileName: 'Emilia',
			source: 'store',
			remainingSeconds: 22 * 3600,
			lastInboundAt: new Date(now - 2 * HOUR).toISOString(),
		});
		expect(outcomes[2].ok && outcomes[2].window.contactId).toBe('4915112345678');
		expect(outcomes[3].ok && outcomes[3].window).toMatchObject({
			contactId: '5491166667777',
			waId: '5491166667777',
			userId: 'AR.42',
		});
		expect(outcomes[4].ok && outcomes[4].window).toMatchObject({
			contactId: '5491155559999',
			source: 'none',
			lastInboundAt: null,
			needsTemplate: true,
		});
		// One read for everything, one more for the national number that normalisation changed.
		expect(spy).toHaveBeenCalledTimes(2);
		spy.mockRestore();
	});

	it('names the field of bad input instead of routing it', async () => {
		const outcomes = await checkContacts(
			store,
			[
				{ contact: '' },
				{ contact: 'not a phone' },
				{ contact: '12345678' },
				{ contact: { id: 1 } },
			],
			base,
		);
		expect(outcomes).toEqual([
			{ ok: false, field: 'contact', message: expect.stringMatching(/empty/) },
			{
				ok: false,
				field: 'contact',
				message: expect.stringMatching(/"not a phone" is not a valid phone number/),
			},
			{
				ok: false,
				field: 'contact',
				message: expect.stringMatching(/"12345678" is not a valid phone number/),
			},
			{ ok: false, field: 'contact', message: expect.stringMatching(/object/) },
		]);
	});

	it('reads CRM timestamps (field source), saying which format it detected', async () => {
		const outcomes = await checkContacts(
			store,
			[
				{ contact: '5491155550000', lastInbound: (now - 23 * HOUR) / 1000 },
				{ contact: '5491155550000', lastInbound: new Date(now - 25 * HOUR).toISOString() },
				{ contact: '5491155550000', lastInbound: now + HOUR },
				{ contact: '5491155550000', lastInbound: '' },
				{ contact: '5491155550000', lastInbound: 'last tuesday' },
			],
			{ ...base, source: 'field' },
		);
		expect(outcomes[0]).toMatchObject({
			ok: true,
			route: 'open',
			window: { source: 'field', timestampFormat: 'unix-seconds' },
		});
		expect(outcomes[1]).toMatchObject({
			ok: true,
			route: 'closed',
			window: { source: 'field', timestampFormat: 'iso' },
		});
		expect(outcomes[2]).toMatchObject({
			ok: false,
			field: 'lastInbound',
			message: expect.stringMatching(/in the future/),
		});
		expect(outcomes[3]).toMatchObject({
			ok: false,
			field: 'lastInbound',
			message: expect.stringMatching(/empty.*Empty Timestamp Means Never Wrote/),
		});
		expect(outcomes[4]).toMatchObject({
			ok: false,
			field: 'lastInbound',
			message: expect.stringMatching(/not a date/),
		});
		const never = await checkContacts(store, [{ contact: '5491155550000', lastInbound: null }], {
			...base,
			source: 'field',
			emptyTimestampIsNever: true,
		});
		expect(never[0]).toMatchObject({ ok: true, route: 'closed', window: { source: 'none' } });
		await expect(checkContacts(undefined, [{ contact: '1' }], base)).rejects.toThrow(
			/needs a store/,
		);
		expect(
			(
				await checkContacts(undefined, [{ contact: '5491155550000', lastInbound: now }], {
					...base,
					source: 'field',
				})
			)[0].ok,
		).toBe(true);
	});

	it('later of both: the newer of the store and the field wins; an empty field leaves the store', async () => {
		const outcomes = await checkContacts(
			store,
			[
				{ contact: '5491155550000', lastInbound: now - HOUR }, // CRM newer than the store's 30 h
				{ contact: '5491155551234', lastInbound: now - 40 * HOUR }, // store newer
				{ contact: '5491155551234', lastInbound: undefined },
				{ contact: '5491155559999', lastInbound: now - 5 * HOUR }, // unknown to the store
			],
			{ ...base, source: 'latest' },
		);
		expect(outcomes.map((o) => o.ok && [o.route, o.window.source])).toEqual([
			['open', 'field'],
			['open', 'store'],
			['open', 'store'],
			['open', 'field'],
		]);
	});

	it('routes a closed contact whose recontact is spent to "spent", keeps open ones open, and needs a query ID', async () => {
		const outcomes = await checkContacts(
			store,
			[
				{ contact: '5491155551234', queryId: 'ticket-9' },
				{ contact: '5491155551234', queryId: 'ticket-10' },
				{ contact: '5491155550000', queryId: 'ticket-9' },
				{ contact: '5491155551234', queryId: '' },
			],
			{ ...base, recontact: true },
		);
		// Emilia wrote an hour ago: answering her is not a recontact, even with this query's recontact spent.
		expect(outcomes[0]).toMatchObject({
			ok: true,
			route: 'open',
			window: {
				state: 'open',
				recontact: {
					queryId: 'ticket-9',
					spent: true,
					spentAt: new Date(now - HOUR).toISOString(),
				},
			},
		});
		expect(outcomes[1]).toMatchObject({
			ok: true,
			route: 'open',
			window: { recontact: { queryId: 'ticket-10', spent: false, spentAt: null } },
		});
		expect(outcomes[2]).toMatchObject({
			ok: true,
			route: 'closed',
			window: { needsTemplate: true, action: 'send_template', recontact: { spent: false } },
		});
		expect(outcomes[3]).toMatchObject({ ok: false, field: 'queryId' });
		await store.claimRecontact(bn, '5491155550000', 'ticket-9');
		const spentClosed = await checkContacts(
			store,
			[{ contact: '5491155550000', queryId: 'ticket-9' }],
			{ ...base, recontact: true },
		);
		expect(spentClosed[0]).toMatchObject({
			ok: true,
			route: 'spent',
			window: {
				state: 'closed',
				needsTemplate: false,
				action: 'wait_for_user',
				recontact: { spent: true },
			},
		});
	});

	it('takes Messenger / Instagram IDs as they are, without phone normalisation', async () => {
		await store.recordInbound({
			businessNumberId: 'page-1',
			waId: 'psid.not-a-phone',
			at: now - 30 * HOUR,
			channel: 'messenger',
		});
		const [outcome] = await checkContacts(store, [{ contact: 'psid.not-a-phone' }], {
			...base,
			businessNumberId: 'page-1',
			channel: 'messenger',
		});
		expect(outcome).toMatchObject({
			ok: true,
			route: 'closed',
			window: { contactId: 'psid.not-a-phone', waId: null, action: 'send_with_human_agent_tag' },
		});
	});

	it('evaluates at a given instant and with given lengths', async () => {
		const at = (checkAt: number, serviceWindowHours?: number) =>
			checkContacts(store, [{ contact: '5491155551234' }], {
				...base,
				checkAt,
				lengths: serviceWindowHours ? { serviceWindowHours } : undefined,
			}).then((o) => o[0].ok && o[0].route);
		expect(await at(now - 2 * HOUR + 24 * HOUR - 1000)).toBe('open');
		expect(await at(now - 2 * HOUR + 24 * HOUR + 1000)).toBe('closed');
		expect(await at(now, 1)).toBe('closed');
	});
});
