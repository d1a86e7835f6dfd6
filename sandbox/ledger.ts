/**
 * What reached the sandbox: every accepted message per recipient with its payload and delivery status,
 * and every refusal with its code, so a test can prove "exactly one template reached each recipient".
 */
import type { TemplateCategory } from '../lib/cloud-api/types';

export type DeliveryStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface LedgerEntry {
	/** The wamid answered to the sender */
	id: string;
	/** `to` as the request gave it */
	to: string;
	waId: string;
	type: string;
	provider: 'meta' | '360dialog';
	at: Date;
	template?: { name: string; language: string; category: TemplateCategory };
	/** The template or text as the user would read it */
	rendered?: { header?: string; body?: string };
	bizOpaqueCallbackData?: string;
	/** The request body as received */
	payload: Record<string, unknown>;
	/** Latest status the sandbox reported (or would have reported, with no webhook URL) */
	status: DeliveryStatus;
	/** Error code when status is failed */
	errorCode?: number;
	/** Buttons the user can tap in answer: template quick replies (payload sent or the text) or interactive reply buttons (id) */
	replies?: Array<{ kind: 'button' | 'interactive'; title: string; payload: string }>;
}

export interface Rejection {
	at: Date;
	code: number;
	http: number;
	provider: 'meta' | '360dialog';
	to?: string;
	template?: string;
	details?: string;
}

export interface DuplicateGroup {
	waId: string;
	/** Template name, or the message type for free-form messages */
	key: string;
	count: number;
	ids: string[];
}

export class Ledger {
	private entries: LedgerEntry[] = [];
	private byId = new Map<string, LedgerEntry>();
	private byRecipient = new Map<string, LedgerEntry[]>();
	private refusals: Rejection[] = [];

	/** Every accepted message, oldest first */
	all(): LedgerEntry[] {
		return this.entries.slice();
	}

	count(): number {
		return this.entries.length;
	}

	get(id: string): LedgerEntry | undefined {
		return this.byId.get(id);
	}

	/** Accepted messages to one recipient (wa_id digits; a leading + or spaces are ignored) */
	forRecipient(waId: string): LedgerEntry[] {
		return (this.byRecipient.get(waId.replace(/\D/g, '')) ?? []).slice();
	}

	/** Accepted messages per recipient wa_id */
	countsByRecipient(): Record<string, number> {
		const counts: Record<string, number> = {};
		for (const [waId, list] of this.byRecipient) counts[waId] = list.length;
		return counts;
	}

	/** Recipients who received the same template (or free-form type) more than once */
	duplicates(): DuplicateGroup[] {
		const groups: DuplicateGroup[] = [];
		for (const [waId, list] of this.byRecipient) {
			if (list.length < 2) continue;
			const byKey = new Map<string, string[]>();
			for (const entry of list) {
				const key = entry.template?.name ?? entry.type;
				const ids = byKey.get(key);
				if (ids) ids.push(entry.id);
				else byKey.set(key, [entry.id]);
			}
			for (const [key, ids] of byKey)
				if (ids.length > 1) groups.push({ waId, key, count: ids.length, ids });
		}
		return groups;
	}

	/** Refused send requests, oldest first */
	rejections(): Rejection[] {
		return this.refusals.slice();
	}

	stats(): {
		accepted: number;
		rejected: number;
		rejectedByCode: Record<string, number>;
		byStatus: Record<string, number>;
	} {
		const rejectedByCode: Record<string, number> = {};
		for (const refusal of this.refusals)
			rejectedByCode[refusal.code] = (rejectedByCode[refusal.code] ?? 0) + 1;
		const byStatus: Record<string, number> = {};
		for (const entry of this.entries) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
		return {
			accepted: this.entries.length,
			rejected: this.refusals.length,
			rejectedByCode,
			byStatus,
		};
	}

	record(entry: LedgerEntry): void {
		this.entries.push(entry);
		this.byId.set(entry.id, entry);
		const list = this.byRecipient.get(entry.waId);
		if (list) list.push(entry);
		else this.byRecipient.set(entry.waId, [entry]);
	}

	reject(refusal: Rejection): void {
		// Bounded: a load test against a throttled number can produce millions of 130429s.
		if (this.refusals.length >= 100_000) this.refusals.splice(0, 50_000);
		this.refusals.push(refusal);
	}

	clear(): void {
		this.entries = [];
		this.byId = new Map();
		this.byRecipient = new Map();
		this.refusals = [];
	}
}
