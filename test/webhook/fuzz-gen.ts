/**
 * Seeded generator of hostile webhook requests: valid bodies mutated at the byte level and at the JSON
 * level, random bytes, and headers from correct to absurd. Deterministic for a seed, so a failure can be
 * replayed with FUZZ_SEED.
 */
import { createHmac } from 'node:crypto';
import type { WaPayload } from '../../lib/webhook';
import {
	APP_SECRET,
	conversation,
	contact,
	entry,
	envelope,
	inbound,
	messages,
	messagesChange,
	metaJson,
	otherChanges,
	pricing,
	status,
	statusPayload,
} from './fixtures';

/** mulberry32: small, fast, good enough to drive a fuzzer. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class Fuzzer {
	private readonly random: () => number;

	constructor(seed: number) {
		this.random = prng(seed);
	}

	int(max: number): number {
		return Math.floor(this.random() * max);
	}

	chance(p: number): boolean {
		return this.random() < p;
	}

	pick<T>(list: readonly T[]): T {
		return list[this.int(list.length)];
	}

	bytes(length: number): Buffer {
		const out = Buffer.alloc(length);
		for (let i = 0; i < length; i++) out[i] = this.int(256);
		return out;
	}

	unicode(length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) {
			const kind = this.int(5);
			if (kind === 0) out += String.fromCharCode(this.int(0x80));
			else if (kind === 1)
				out += String.fromCharCode(0xd800 + this.int(0x800)); // lone surrogates
			else if (kind === 2) out += String.fromCodePoint(0x1f300 + this.int(0x300));
			else out += String.fromCharCode(this.int(0xffff));
		}
		return out;
	}

	/** A JSON value meant to break assumptions: wrong types, extremes, prototype names, deep nesting. */
	value(depth = 0): unknown {
		switch (this.int(depth > 3 ? 12 : 15)) {
			case 0:
				return null;
			case 1:
				return this.chance(0.5);
			case 2:
				return this.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 99999999999999, 1749505183]);
			case 3:
				return this.pick([
					'',
					' ',
					'0',
					'NaN',
					'1e999',
					'-1',
					'99999999999999',
					'wamid.X',
					'STOP',
					'baja.',
					'__proto__',
					'constructor',
					'toString',
				]);
			case 4:
				return this.unicode(this.int(40));
			case 5:
				return 'x'.repeat(this.int(5_000));
			case 6:
				return this.pick([
					'text',
					'button',
					'interactive',
					'image',
					'reaction',
					'order',
					'system',
					'unsupported',
					'messages',
					'user_preferences',
					'failed',
					'read',
				]);
			case 7:
				return 'v1;c=' + this.pick(['%', '%E0%A4%A', 'ok', ';;', '=']);
			case 8:
				return { __proto__: null, constructor: this.value(depth + 1), toString: 1 } as unknown;
			case 9: {
				const n = 1 + this.int(800);
				return JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown;
			}
			case 10:
				return {};
			case 11:
				return [];
			case 12:
				return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
			default: {
				const out: Record<string, unknown> = {};
				const keys = [
					'id',
					'type',
					'text',
					'body',
					'from',
					'timestamp',
					'status',
					'errors',
					'code',
					'field',
					'value',
					'messages',
					'statuses',
					'contacts',
					'wa_id',
					'user_id',
					'metadata',
					'interactive',
					'button_reply',
					'payload',
					'biz_opaque_callback_data',
					'user_preferences',
					'entry',
					'changes',
				];
				for (let i = this.int(5); i > 0; i--) out[this.pick(keys)] = this.value(depth + 1);
				return out;
			}
		}
	}

	/** Replaces, deletes or retypes one random node of a parsed payload. */
	mutateJson(root: unknown): unknown {
		const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
		const walk = (node: unknown, depth: number): void => {
			if (depth > 12 || node === null || typeof node !== 'object') return;
			if (Array.isArray(node)) {
				node.forEach((child, i) => {
					nodes.push({ parent: node, key: i });
					walk(child, depth + 1);
				});
			} else {
				for (const [key, child] of Object.entries(node)) {
					nodes.push({ parent: node as Record<string, unknown>, key });
					walk(child, depth + 1);
				}
			}
		};
		walk(root, 0);
		for (let n = 1 + this.int(3); n > 0 && nodes.length > 0; n--) {
			const { parent, key } = this.pick(nodes);
			const action = this.int(4);
			if (action === 0 && !Array.isArray(parent)) delete parent[key as string];
			else if (action === 1 && Array.isArray(parent)) parent.push(parent[key as number]);
			else (parent as Record<string | number, unknown>)[key] = this.value();
		}
		return root;
	}

	/** Byte-level damage: flips, insertions, deletions, truncation, JSON-ish tokens. */
	mutateBytes(body: Buffer): Buffer {
		let out = Buffer.from(body);
		for (let n = 1 + this.int(4); n > 0; n--) {
			const at = out.length === 0 ? 0 : this.int(out.length);
			switch (this.int(6)) {
				case 0:
					if (out.length > 0) out[at] ^= 1 << this.int(8);
					break;
				case 1:
					out = Buffer.concat([out.subarray(0, at), this.bytes(1 + this.int(8)), out.subarray(at)]);
					break;
				case 2:
					out = Buffer.concat([
						out.subarray(0, at),
						out.subarray(Math.min(out.length, at + 1 + this.int(64))),
					]);
					break;
				case 3:
					out = out.subarray(0, at);
					break;
				case 4: {
					const token = this.pick([
						'{',
						'}',
						'[',
						']',
						'"',
						',',
						':',
						'\\u',
						'\\ud800',
						'null',
						'1e999',
						'-0',
						'true',
						'"__proto__":{}',
						'\u0000',
					]);
					out = Buffer.concat([out.subarray(0, at), Buffer.from(token), out.subarray(at)]);
					break;
				}
				default:
					out = Buffer.concat([
						out.subarray(0, at),
						out.subarray(this.int(Math.max(1, out.length))),
					]);
			}
		}
		return out;
	}

	/** The X-Hub-Signature-256 header to send with `body`: mostly right (to reach the parser), else anything. */
	signatureHeader(body: Buffer, original: Buffer): unknown {
		const hmac = (data: Buffer, secret = APP_SECRET): string =>
			createHmac('sha256', secret).update(data).digest('hex');
		switch (this.int(12)) {
			case 0:
				return undefined;
			case 1:
				return `sha256=${hmac(original)}`; // signature of the body before it was damaged
			case 2:
				return `sha256=${hmac(body, 'other-secret')}`;
			case 3:
				return this.unicode(this.int(100));
			case 4:
				return [`sha256=${hmac(body)}`, `sha256=${hmac(body)}`];
			case 5:
				return this.pick([
					42,
					null,
					{},
					['x'],
					'',
					'sha256=',
					`sha1=${hmac(body)}`,
					`sha256=${hmac(body).toUpperCase()}`,
					`sha256=${'z'.repeat(64)}`,
					`sha256=${'a'.repeat(100_000)}`,
				]);
			default:
				return `sha256=${hmac(body)}`;
		}
	}
}

/** Valid bodies to start from: every fixture shape, as Meta-escaped, raw UTF-8 and pretty JSON. */
export function corpus(): Buffer[] {
	const payloads: WaPayload[] = [
		...Object.values(messages).map((make) => inbound(make())),
		...['sent', 'delivered', 'read', 'played'].map((value) =>
			statusPayload(
				status(value, {
					conversation,
					pricing,
					biz_opaque_callback_data: 'v1;c=camp;r=5491155551234',
				}),
			),
		),
		statusPayload(status('failed', { errors: [{ code: 131050, title: 'opted out' }] })),
		...Object.values(otherChanges).map((make) => envelope(entry([make()], undefined, 1751247548))),
		envelope(
			entry([
				messagesChange({
					contacts: [contact(), contact('5491100000002', 'Beto', 'AR.9')],
					messages: [messages.text('STOP'), messages.buttonReply()],
					statuses: [status('read')],
				}),
			]),
			entry([otherChanges.templateStatus(), otherChanges.userPreferences('stop')], '999'),
		),
	];
	return payloads.flatMap((payload) => [
		Buffer.from(metaJson(payload)),
		Buffer.from(JSON.stringify(payload)),
		Buffer.from(JSON.stringify(payload, null, 2)),
	]);
}

/** One fuzz case: a body and its headers. */
export function fuzzCase(
	fuzzer: Fuzzer,
	seeds: readonly Buffer[],
): { body: Buffer; headers: Record<string, unknown> } {
	const original = fuzzer.pick(seeds);
	let body: Buffer;
	switch (fuzzer.int(6)) {
		case 0:
			body = fuzzer.mutateBytes(original);
			break;
		case 1:
			body = fuzzer.bytes(fuzzer.int(2048));
			break;
		case 2:
			body = Buffer.concat([
				original.subarray(0, fuzzer.int(original.length)),
				fuzzer.pick(seeds).subarray(fuzzer.int(200)),
			]);
			break;
		default:
			body = Buffer.from(JSON.stringify(fuzzer.mutateJson(JSON.parse(original.toString('utf8')))));
	}
	const headers: Record<string, unknown> = {};
	const signature = fuzzer.signatureHeader(body, original);
	if (signature !== undefined)
		headers[fuzzer.chance(0.9) ? 'x-hub-signature-256' : 'X-Hub-Signature-256'] = signature;
	if (fuzzer.chance(0.1)) headers['content-type'] = fuzzer.unicode(10);
	return { body, headers };
}
