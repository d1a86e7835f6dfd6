import {
	CALLBACK_DATA_MAX_LENGTH,
	canonicalJson,
	decodeCallbackData,
	dedupKey,
	encodeCallbackData,
	normaliseEvents,
	parseWebhook,
	type WaPayload,
	type WebhookEvent,
} from '../../lib/webhook';
import {
	entry,
	envelope,
	inbound,
	messages,
	metaJson,
	otherChanges,
	status,
	statusPayload,
	WABA_ID,
} from './fixtures';

function eventsOf(body: string | WaPayload): WebhookEvent[] {
	const parsed = parseWebhook(Buffer.from(typeof body === 'string' ? body : metaJson(body)));
	if (!parsed.ok) throw new Error(parsed.message);
	return normaliseEvents(parsed.payload);
}

describe('dedupKey', () => {
	it('messages: the wamid, so a retried or duplicated delivery has the same key', () => {
		const message = messages.text('hola');
		const [first] = eventsOf(inbound(message));
		const [retry] = eventsOf(inbound(message));
		expect(dedupKey(first)).toBe(`message:${message.id}`);
		expect(dedupKey(retry)).toBe(dedupKey(first));
		expect(dedupKey(eventsOf(inbound(messages.text('hola')))[0])).not.toBe(dedupKey(first)); // another wamid
	});

	it('statuses: wamid + status, so sent, delivered and read of one message are three events', () => {
		const keys = ['sent', 'delivered', 'read', 'failed'].map((value) =>
			dedupKey(eventsOf(statusPayload(status(value)))[0]),
		);
		expect(keys).toEqual([
			'status:wamid.OUTBOUND_CAMPAIGN_1:sent',
			'status:wamid.OUTBOUND_CAMPAIGN_1:delivered',
			'status:wamid.OUTBOUND_CAMPAIGN_1:read',
			'status:wamid.OUTBOUND_CAMPAIGN_1:failed',
		]);
		// the same status delivered again (Meta retry) keeps its key even with a later pricing update in the body
		const again = eventsOf(statusPayload(status('read', { pricing: { billable: false } })))[0];
		expect(dedupKey(again)).toBe(keys[2]);
	});

	it('other events: a stable hash that ignores key order and whitespace but not content', () => {
		const payload = envelope(entry([otherChanges.templateStatus()], WABA_ID, 1751247548));
		const key = dedupKey(eventsOf(payload)[0]);
		expect(key).toMatch(/^other:message_template_status_update:[A-Za-z0-9_-]{32}$/);
		// same content, keys reordered and pretty-printed, as a different serialiser would send it
		const reordered = JSON.stringify(
			JSON.parse(metaJson(payload), (_k, v: unknown) =>
				v && typeof v === 'object' && !Array.isArray(v)
					? Object.fromEntries(Object.entries(v).reverse())
					: v,
			),
			null,
			2,
		);
		expect(dedupKey(eventsOf(reordered)[0])).toBe(key);
		// a later event of the same template (another time) or another status is a different event
		expect(
			dedupKey(eventsOf(envelope(entry([otherChanges.templateStatus()], WABA_ID, 1751247999)))[0]),
		).not.toBe(key);
		const approved = otherChanges.templateStatus();
		(approved.value as Record<string, unknown>).event = 'APPROVED';
		expect(dedupKey(eventsOf(envelope(entry([approved], WABA_ID, 1751247548)))[0])).not.toBe(key);
	});

	it('user preferences: one key per preference change', () => {
		const stop = dedupKey(eventsOf(envelope(entry([otherChanges.userPreferences('stop')])))[0]);
		const resume = dedupKey(eventsOf(envelope(entry([otherChanges.userPreferences('resume')])))[0]);
		expect(stop).toMatch(/^other:user_preferences:/);
		expect(stop).not.toBe(resume);
	});

	it('IDs that are long or not printable are hashed, keeping keys bounded', () => {
		const [event] = normaliseEvents({
			object: 'whatsapp_business_account',
			entry: [
				{
					changes: [
						{
							field: 'messages',
							value: {
								messages: [
									{ id: 'x'.repeat(5000), type: 'text' },
									{ id: 'a b\u0000', type: 'text' },
								],
							},
						},
					],
				},
			],
		});
		expect(dedupKey(event)).toMatch(/^message:#[A-Za-z0-9_-]{32}$/);
	});

	it('messages without an ID fall back to a content hash', () => {
		const list = normaliseEvents({
			object: 'whatsapp_business_account',
			entry: [
				{
					changes: [
						{
							field: 'messages',
							value: {
								messages: [
									{ type: 'text', text: { body: 'a' } },
									{ type: 'text', text: { body: 'b' } },
								],
							},
						},
					],
				},
			],
		});
		const [a, b] = list.map(dedupKey);
		expect(a).toMatch(/^message:messages:/);
		expect(a).not.toBe(b);
	});
});

describe('canonicalJson', () => {
	it('sorts keys at every level and matches JSON.stringify otherwise', () => {
		expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: true, u: undefined })).toBe(
			'{"a":true,"b":[1,{"c":null,"d":"x"}]}',
		);
		const sample = [1.5, 'é"\\\n', [], {}, [null], false, -0, 1e21];
		expect(canonicalJson(sample)).toBe(JSON.stringify(sample));
	});

	it('handles nesting far deeper than the call stack', () => {
		const depth = 200_000;
		const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
		expect(() => JSON.stringify(deep)).toThrow(RangeError); // what a recursive walk would do
		expect(canonicalJson(deep)).toHaveLength(depth * 2);
	});
});

describe('callback data', () => {
	it('round-trips campaign, recipient and reference, escaping separators and Unicode', () => {
		const data = { campaignId: 'spring;sale=25%', recipient: 'Núñez, row 7', ref: 'q/17' };
		const encoded = encodeCallbackData(data);
		expect(encoded).toBe('v1;c=spring%3Bsale%3D25%25;r=N%C3%BA%C3%B1ez%2C%20row%207;ref=q%2F17');
		expect(decodeCallbackData(encoded)).toEqual(data);
		expect(encodeCallbackData({ campaignId: 'c1' })).toBe('v1;c=c1');
		expect(decodeCallbackData('v1;c=c1')).toEqual({ campaignId: 'c1' });
		expect(encodeCallbackData({})).toBe('v1');
		expect(decodeCallbackData('v1')).toEqual({});
	});

	it('refuses more than 512 characters, naming what to shorten', () => {
		expect(() =>
			encodeCallbackData({ campaignId: 'c', recipient: 'x'.repeat(CALLBACK_DATA_MAX_LENGTH) }),
		).toThrow(/512.*shorten/);
		expect(
			encodeCallbackData({ campaignId: 'c'.repeat(CALLBACK_DATA_MAX_LENGTH - 5) }),
		).toHaveLength(CALLBACK_DATA_MAX_LENGTH);
		// escaping counts: 100 "ñ" become 600 characters
		expect(() => encodeCallbackData({ ref: 'ñ'.repeat(100) })).toThrow(RangeError);
	});

	it('ignores strings that are not ours, broken escapes and unknown keys', () => {
		for (const other of [
			'crm-order-991',
			'',
			'v2;c=x',
			'{"c":"x"}',
			'v1;c',
			'v1;=x',
			'v1;c=%E0%A4%A',
			42,
			null,
			undefined,
			'v1;c=' + 'x'.repeat(600),
		]) {
			expect(decodeCallbackData(other)).toBeUndefined();
		}
		expect(decodeCallbackData('v1;c=a;z=later-version;r=b')).toEqual({
			campaignId: 'a',
			recipient: 'b',
		});
	});
});
