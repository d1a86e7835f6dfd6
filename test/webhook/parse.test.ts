import { parseWebhook } from '../../lib/webhook';
import { inbound, messages, metaJson } from './fixtures';

describe('parseWebhook', () => {
	const good = metaJson(inbound(messages.text('hola')));

	it('accepts a WhatsApp payload from a Buffer, a Uint8Array view or a string', () => {
		const buffer = Buffer.from(good);
		for (const input of [
			buffer,
			new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
			good,
		]) {
			const result = parseWebhook(input);
			expect(result.ok).toBe(true);
			if (result.ok) expect(result.payload.entry).toHaveLength(1);
		}
	});

	it('reads a view into a larger buffer without the bytes around it', () => {
		const pool = Buffer.from(`XXXX${good}YYYY`);
		expect(parseWebhook(pool.subarray(4, 4 + good.length)).ok).toBe(true);
	});

	it('tolerates a UTF-8 byte order mark', () => {
		expect(
			parseWebhook(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)])).ok,
		).toBe(true);
	});

	it('accepts an empty entry list (nothing to do, still a WhatsApp webhook)', () => {
		expect(parseWebhook(Buffer.from('{"object":"whatsapp_business_account","entry":[]}')).ok).toBe(
			true,
		);
	});

	it.each([
		['', 'empty'],
		['   \n', 'empty'],
		['not json', 'not-json'],
		[good.slice(0, -1), 'not-json'],
		['{"object":"whatsapp_business_account","entry":[]}x', 'not-json'],
		['null', 'not-whatsapp'],
		['[]', 'not-whatsapp'],
		['"whatsapp_business_account"', 'not-whatsapp'],
		['{"object":"page","entry":[]}', 'not-whatsapp'],
		['{"object":"whatsapp_business_account"}', 'not-whatsapp'],
		['{"object":"whatsapp_business_account","entry":{}}', 'not-whatsapp'],
		['{"object":"WHATSAPP_BUSINESS_ACCOUNT","entry":[]}', 'not-whatsapp'],
	])('refuses %j as %s, with a message', (body, reason) => {
		const result = parseWebhook(Buffer.from(body));
		expect(result).toMatchObject({ ok: false, reason });
		if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
	});

	it('refuses inputs that are not bytes instead of throwing', () => {
		expect(parseWebhook(undefined as unknown as Buffer)).toMatchObject({
			ok: false,
			reason: 'empty',
		});
		expect(parseWebhook({} as unknown as Buffer)).toMatchObject({ ok: false, reason: 'empty' });
	});

	it('decodes invalid UTF-8 inside strings as U+FFFD rather than failing', () => {
		const bytes = Buffer.concat([
			Buffer.from('{"object":"whatsapp_business_account","entry":[],"x":"'),
			Buffer.from([0xff, 0xfe]),
			Buffer.from('"}'),
		]);
		const result = parseWebhook(bytes);
		expect(result.ok).toBe(true);
		if (result.ok) expect(result.payload.x).toBe('\ufffd\ufffd');
	});
});
