/** The users the sandbox knows: their name, last inbound message (the 24-hour window), ad referral, opt-out. */

/** Meta's windows, as data (docs/meta-cloud-api.md §4) */
export const WINDOWS = {
	/** Customer service window: free-form messages allowed this long after the user's last message */
	customerServiceMs: 24 * 60 * 60 * 1000,
	/** Free entry point: everything is free this long after a click-to-WhatsApp ad conversation starts */
	freeEntryPointMs: 72 * 60 * 60 * 1000,
} as const;

export interface ContactState {
	waId: string;
	name?: string;
	/** Epoch ms of the user's latest message */
	lastInboundAt?: number;
	/** Epoch ms of the latest message that came from an ad (referral) */
	referralAt?: number;
	/** The user stopped marketing messages (131050) */
	optedOut: boolean;
	/** The number has no WhatsApp account (131026) */
	notOnWhatsApp: boolean;
}

export class Contacts {
	private readonly byWaId = new Map<string, ContactState>();

	get(waId: string): ContactState | undefined {
		return this.byWaId.get(waId);
	}

	ensure(waId: string): ContactState {
		let contact = this.byWaId.get(waId);
		if (!contact) {
			contact = { waId, optedOut: false, notOnWhatsApp: false };
			this.byWaId.set(waId, contact);
		}
		return contact;
	}

	/** Case- and accent-insensitive lookup by profile name */
	byName(name: string): ContactState | undefined {
		const wanted = foldText(name);
		for (const contact of this.byWaId.values())
			if (contact.name && foldText(contact.name) === wanted) return contact;
		return undefined;
	}

	names(): string[] {
		const names: string[] = [];
		for (const contact of this.byWaId.values()) if (contact.name) names.push(contact.name);
		return names;
	}

	all(): ContactState[] {
		return [...this.byWaId.values()].map((contact) => ({ ...contact }));
	}

	clear(): void {
		this.byWaId.clear();
	}
}

/** Lowercase without accents, so "Emilia taps confirmar" matches "Confirmar" and "Pérez" matches "perez". */
export function foldText(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.trim();
}
