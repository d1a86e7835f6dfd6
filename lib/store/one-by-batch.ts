/**
 * The single-item calls of a ConversationStore, answered through its batched ones, so each backend writes
 * only the batches (and the two backends cannot drift apart on what one item means).
 */
import type {
	ClaimOptions,
	ClaimResult,
	ContactState,
	ConversationStore,
	RecipientClaimInput,
	RecipientRecord,
	RecontactRecord,
	ResultInput,
	StatusInput,
	StatusResult,
} from './types';
import { recontactKey } from './types';

type Batched = Pick<
	ConversationStore,
	| 'getContacts'
	| 'getRecontacts'
	| 'claimRecipients'
	| 'recordResults'
	| 'getRecipients'
	| 'recordStatuses'
>;

/** A backend's one-item calls, each one batch of one. */
export abstract class OneByBatch implements Batched {
	abstract getContacts(
		...args: Parameters<Batched['getContacts']>
	): ReturnType<Batched['getContacts']>;
	abstract getRecontacts(
		...args: Parameters<Batched['getRecontacts']>
	): ReturnType<Batched['getRecontacts']>;
	abstract claimRecipients(
		...args: Parameters<Batched['claimRecipients']>
	): ReturnType<Batched['claimRecipients']>;
	abstract recordResults(
		...args: Parameters<Batched['recordResults']>
	): ReturnType<Batched['recordResults']>;
	abstract getRecipients(
		...args: Parameters<Batched['getRecipients']>
	): ReturnType<Batched['getRecipients']>;
	abstract recordStatuses(
		...args: Parameters<Batched['recordStatuses']>
	): ReturnType<Batched['recordStatuses']>;

	async getContact(businessNumberId: string, contactId: string): Promise<ContactState | undefined> {
		return (await this.getContacts(businessNumberId, [contactId])).get(contactId);
	}

	async getRecontact(
		businessNumberId: string,
		contactId: string,
		queryId: string,
	): Promise<RecontactRecord | undefined> {
		return (await this.getRecontacts(businessNumberId, [{ contactId, queryId }])).get(
			recontactKey(contactId, queryId),
		);
	}

	async claimRecipient(
		campaignId: string,
		recipient: RecipientClaimInput,
		options: ClaimOptions = {},
	): Promise<ClaimResult> {
		return (await this.claimRecipients(campaignId, [recipient], options))[0];
	}

	async recordResult(
		campaignId: string,
		result: ResultInput,
	): Promise<RecipientRecord | undefined> {
		return (await this.recordResults(campaignId, [result]))[0];
	}

	async getRecipient(
		campaignId: string,
		recipientId: string,
	): Promise<RecipientRecord | undefined> {
		return (await this.getRecipients(campaignId, [recipientId])).get(recipientId);
	}

	async recordStatus(input: StatusInput): Promise<StatusResult> {
		return (await this.recordStatuses([input]))[0];
	}
}
