/**
 * One Bulk Campaign run: the number's throughput read from the API (capped by the user's setting), recipients
 * streamed through validation and the store's skips, claimed, paced and sent by the delivery runner, results
 * written back, and — with "at least once" — recipients left uncertain resent after their quiet period.
 * Framework-free: the n8n node, the fault-test worker and the benchmarks all run campaigns through here.
 */
import { randomUUID } from 'node:crypto';

import type { GraphApiError } from '../cloud-api/client';
import { MediaUploader, type MediaUploadApi } from '../media/upload';
import type { PhoneNumberInfo } from '../cloud-api/types';
import {
	LocalRateLimiter,
	defaultRetryPolicy,
	noCounts,
	runDeliveries,
	type DeliveryProgress,
	type InFlightOptions,
	type Job,
	type JobResult,
	type Outcome,
	type OutcomeCounts,
	type RateLimiter,
	type RetryPolicy,
	type SendFunction,
	type SendResult,
	type StopReason,
} from '../delivery';
import type { ConversationStore } from '../store/types';
import { attachMedia, type PendingMedia, type TemplateMessagePayload } from '../templates';
import {
	preparedChunks,
	type RecipientPolicy,
	type RowReader,
	type SkippedRecipient,
	type TemplateChoice,
} from './recipients';
import {
	SendWindowCounter,
	zoneFields,
	type RecipientZoneFields,
	type SendWindow,
	type SendWindowTally,
} from './send-window';
import {
	campaignDefaults,
	pausingQualityRatings,
	resolveRateCap,
	skipReasons,
} from './sending-rules';
import { StoreDeliveryHooks, TAKEN_OVER_CODE, type DeliveryGuarantee } from './store-hooks';

/** The Cloud API calls a campaign makes (CloudApiClient has them); uploadMedia only for header files. */
export interface CampaignApi extends Partial<MediaUploadApi> {
	send(
		payload: object,
		options?: { timeoutMs?: number },
	): Promise<
		{ ok: true; wamid: string; messageStatus?: string } | { ok: false; error: GraphApiError }
	>;
	getPhoneNumberInfo(fields?: string[]): Promise<PhoneNumberInfo>;
}

/** Why a recipient was not sent when its header file could not be uploaded (no template with a broken header). */
export const MEDIA_UPLOAD_FAILED = 'media_upload_failed';

/** A row's outcome, or `pending` while the runner has it. */
export type RecipientStatus = Outcome | 'pending';

/** What happened to one input row. */
export interface RecipientOutcome extends RecipientZoneFields {
	index: number;
	status: RecipientStatus;
	/** A skip reason (sending-rules.ts skipReasons), or failed / no_answer / paused / settled_by_webhook */
	reason?: string;
	message?: string;
	/** Meta error code */
	code?: number;
	/** The field at fault (invalid rows) */
	field?: string;
	details?: string;
	waId?: string;
	/** The phone as given, when it could not be read */
	phone?: string;
	wamid?: string;
	messageStatus?: string;
	language?: string;
	attempts?: number;
	notBefore?: string;
	tags?: string[];
}

/** A run's totals: what was sent, what was not and why, and how fast. */
export interface BulkCampaignSummary {
	campaignId: string;
	template: string;
	total: number;
	counts: OutcomeCounts;
	/** Not-sent recipients by reason */
	byReason: Record<string, number>;
	/** Not-sent recipients by Meta code */
	byCode: Record<string, number>;
	requests: number;
	/** Wall time of the run, quiet-period waits included */
	durationMs: number;
	/** Time spent sending (the runner's phases) */
	sendingMs: number;
	/** Messages sent per second while sending */
	achievedRate: number;
	/** The pace: the number's throughput, capped by the setting */
	rateCap: number;
	throughputLevel?: string;
	qualityRating?: string;
	guarantee: DeliveryGuarantee;
	resendRounds: number;
	stoppedBy: StopReason;
	stopDetail?: string;
	/** With a Send Window: recipients sent now and left for later, per zone */
	sendWindow?: SendWindowTally;
}

/** What onProgress is told every progressIntervalMs while the run sends. */
export interface CampaignProgressReport {
	campaignId: string;
	sent: number;
	notSent: number;
	remaining: number;
	/** The allowed rate now (AIMD), messages/s */
	rate: number;
	/** Sent per second since the previous report */
	achievedRate: number;
	etaMs?: number;
	inFlight: number;
	retrying: number;
	elapsedMs: number;
}

/** One campaign: whom (rows), what (template), through which number, store and pace, with which guarantee. */
export interface BulkCampaignOptions {
	campaignId: string;
	/** The sending phone number ID (the store's business number) */
	businessNumberId: string;
	store: ConversationStore;
	api: CampaignApi;
	template: TemplateChoice;
	/** Number of input rows */
	total: number;
	read: RowReader;
	defaultCountry?: string;
	policy?: RecipientPolicy;
	/** Messages per second at most; the number's throughput (from the API) when lower or when this is unset */
	rateCap?: number;
	/** The limiter for a cap (default: one in this process). Queue mode passes a RedisRateLimiter per number. */
	limiter?: (capMps: number) => RateLimiter;
	guarantee?: DeliveryGuarantee;
	/** at-least-once: at least the request timeout + 5 s */
	quietPeriodMs?: number;
	staleClaimMs?: number;
	requestTimeoutMs?: number;
	qualityCheckIntervalMs?: number;
	retryFailed?: boolean;
	resendRounds?: number;
	/** This run's identity in the store (default: random) */
	owner?: string;
	chunkSize?: number;
	onProgress?: (progress: CampaignProgressReport) => void;
	progressIntervalMs?: number;
	/** Each final outcome as soon as it is known (resent ones may be reported twice: the last one counts) */
	onOutcome?: (outcome: RecipientOutcome) => void;
	/**
	 * Which outcomes the report holds: every row's (default), or only the rows not sent ('notSent': a 100,000-row
	 * campaign that outputs a summary keeps a byte per sent row instead of its outcome). The summary is the same.
	 */
	keepOutcomes?: 'all' | 'notSent';
	signal?: AbortSignal;
	concurrency?: Partial<InFlightOptions>;
	retryPolicy?: RetryPolicy;
	now?: () => number;
	/**
	 * Send only inside each recipient's local window (see send-window.ts); `window.waitMs` bounds the wait for
	 * openings
	 */
	sendWindow?: { window: SendWindow; workflowZone: string };
	/** Told before each wait for windows to open */
	onWindowWait?: (wait: { untilMs: number; recipients: number }) => void;
	/** The clock's sleep (tests pass a virtual one with `now`) */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A run's result: one outcome per input row and the summary. */
export interface BulkCampaignReport {
	/** By input index: every row's, or with keepOutcomes 'notSent' only the rows not sent */
	outcomes: RecipientOutcome[];
	summary: BulkCampaignSummary;
	phoneInfo?: PhoneNumberInfo;
}

interface Payload {
	key: string;
	body: TemplateMessagePayload;
	/** Header files still to upload; emptied once their IDs are in `body` (a retry does not upload again) */
	media?: PendingMedia[];
}

/** The cloud client's answer in the runner's terms: a send that never left is retryable, a lost answer is uncertain. */
export function toSendResult(answer: Awaited<ReturnType<CampaignApi['send']>>): SendResult {
	if (answer.ok) return { ok: true, wamid: answer.wamid, messageStatus: answer.messageStatus };
	const error = answer.error;
	if (error.timedOut) return { ok: false, timedOut: true, details: error.message };
	if (!error.httpStatus) return { ok: false, details: error.message };
	return {
		ok: false,
		code: error.code,
		httpStatus: error.httpStatus,
		details: error.details ?? error.message,
	};
}

/**
 * Runs one Bulk Campaign: reads the pace, sends every row through the delivery runner, then waits for send
 * windows and resends what stayed uncertain (at least once), and reports one outcome per input row.
 *
 * @throws RangeError when `total`, `rateCap` or the quiet period is out of range; Error when the number's
 * throughput cannot be read and no `rateCap` is set.
 */
export async function runBulkCampaign(options: BulkCampaignOptions): Promise<BulkCampaignReport> {
	return new CampaignRun(options).run();
}

/** Where a run holds its outcomes: every row's, or (keepOutcomes 'notSent') only the ones not sent. */
interface OutcomeBook {
	get(index: number): RecipientOutcome | undefined;
	put(outcome: RecipientOutcome): void;
	/** Whether the row has its final outcome (not pending, not unreached) */
	isFinal(index: number): boolean;
	/** Final outcomes of rows not sent, in input order */
	notSent(): RecipientOutcome[];
	/** The report's outcomes */
	outcomes(): RecipientOutcome[];
	/** The time zones of the sent rows (for the send-window tally) */
	sentZones(): Iterable<string>;
}

class KeptOutcomes implements OutcomeBook {
	private readonly kept: RecipientOutcome[];
	constructor(total: number) {
		this.kept = new Array<RecipientOutcome>(total);
	}
	get(index: number): RecipientOutcome | undefined {
		return this.kept[index];
	}
	put(outcome: RecipientOutcome): void {
		this.kept[outcome.index] = outcome;
	}
	isFinal(index: number): boolean {
		const status = this.kept[index]?.status;
		return status !== undefined && status !== 'pending';
	}
	notSent(): RecipientOutcome[] {
		return this.kept.filter((outcome) => outcome && outcome.status !== 'sent');
	}
	outcomes(): RecipientOutcome[] {
		return this.kept;
	}
	*sentZones(): Iterable<string> {
		for (const outcome of this.kept)
			if (outcome?.status === 'sent' && outcome.timeZone) yield outcome.timeZone;
	}
}

/** A sent row's outcome is final (nothing replaces it), so only that it was sent, and its zone, are kept. */
class NotSentOutcomes implements OutcomeBook {
	private readonly held = new Map<number, RecipientOutcome>();
	private readonly sent: Uint8Array;
	private readonly zones = new Map<string, number>();
	constructor(total: number) {
		this.sent = new Uint8Array(total);
	}
	get(index: number): RecipientOutcome | undefined {
		return this.held.get(index);
	}
	put(outcome: RecipientOutcome): void {
		if (outcome.status !== 'sent') {
			this.held.set(outcome.index, outcome);
			return;
		}
		this.held.delete(outcome.index);
		this.sent[outcome.index] = 1;
		if (outcome.timeZone)
			this.zones.set(outcome.timeZone, (this.zones.get(outcome.timeZone) ?? 0) + 1);
	}
	isFinal(index: number): boolean {
		if (this.sent[index] === 1) return true;
		const status = this.held.get(index)?.status;
		return status !== undefined && status !== 'pending';
	}
	notSent(): RecipientOutcome[] {
		return [...this.held.values()]
			.filter((outcome) => outcome.status !== 'pending')
			.sort((a, b) => a.index - b.index);
	}
	outcomes(): RecipientOutcome[] {
		return this.notSent();
	}
	*sentZones(): Iterable<string> {
		for (const [zone, count] of this.zones) for (let i = 0; i < count; i++) yield zone;
	}
}

/**
 * One campaign run as named phases (see run()). Per recipient: jobs() prepares it and holds it pending, send()
 * uploads its header files, fences and sends, record() turns the runner's result into its outcome, decide()
 * counts and reports that outcome.
 */
class CampaignRun {
	private readonly now: () => number;
	private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
	private readonly startedAt: number;
	private readonly guarantee: DeliveryGuarantee;
	private readonly requestTimeoutMs: number;
	private readonly quietPeriodMs: number;
	private readonly hooks: StoreDeliveryHooks;
	private readonly retry: RetryPolicy;
	/** One uploader per run: a file shared by many recipients is uploaded once, each recipient's own file once. */
	private readonly uploader?: MediaUploader;
	private readonly book: OutcomeBook;
	private readonly counts = noCounts();
	/** Rows with a final outcome */
	private decided = 0;
	/** A pause outcome was seen: the recipient reader stops between chunks */
	private stopped = false;
	/** at-least-once: uncertain rows → when their quiet period ends */
	private readonly deferred = new Map<number, number>();
	/** Send Window: rows whose window opens within the wait bound → when */
	private readonly opening = new Map<number, number>();
	private readonly waitUntil: number;
	/** Recipients whose last attempt failed at the upload: the reason to report if that is their final result */
	private readonly uploadFailures = new Map<string, string>();
	/** In a resend round (a refusal because the store settled the row is then this run's answer) */
	private resending = false;

	// Set by readPace().
	private phoneInfo?: PhoneNumberInfo;
	private rateCap = 0;
	private limiter?: RateLimiter;

	// The delivery runner's rounds, added up.
	private requests = 0;
	private sendingMs = 0;
	private stoppedBy: StopReason = 'completed';
	private stopDetail?: string;
	private resendRounds = 0;

	private readonly sendJob: SendFunction<Payload> = (payload) => this.send(payload);
	private readonly onResult = (result: JobResult) => this.record(result);
	private readonly shouldPause = () => this.qualityPause();
	private readonly onProgress?: (progress: DeliveryProgress) => void;

	constructor(private readonly options: BulkCampaignOptions) {
		this.now = options.now ?? Date.now;
		this.wait = options.sleep ?? sleep;
		this.startedAt = this.now();
		this.guarantee = options.guarantee ?? 'at-most-once';
		this.requestTimeoutMs = options.requestTimeoutMs ?? campaignDefaults.requestTimeoutMs;
		this.quietPeriodMs = options.quietPeriodMs ?? campaignDefaults.quietPeriodMs;
		checkOptions(options, this.requestTimeoutMs, this.quietPeriodMs);
		this.waitUntil = this.startedAt + (options.sendWindow?.window.waitMs ?? 0);
		this.book =
			options.keepOutcomes === 'notSent'
				? new NotSentOutcomes(options.total)
				: new KeptOutcomes(options.total);
		this.hooks = new StoreDeliveryHooks({
			store: options.store,
			campaignId: options.campaignId,
			businessNumberId: options.businessNumberId,
			owner: options.owner ?? randomUUID(),
			guarantee: this.guarantee,
			quietPeriodMs: this.quietPeriodMs,
			staleClaimMs: options.staleClaimMs ?? campaignDefaults.staleClaimMs,
			retryFailed: options.retryFailed,
			marketing: options.template.translations.some(
				(template) => template.category === 'MARKETING',
			),
			now: this.now,
		});
		const policy = options.retryPolicy ?? defaultRetryPolicy;
		this.retry = {
			...policy,
			byCode: { ...policy.byCode, [TAKEN_OVER_CODE]: { action: 'terminal' } },
		};
		const api = options.api;
		if (api.uploadMedia)
			this.uploader = new MediaUploader(
				{ uploadMedia: api.uploadMedia.bind(api) },
				{ timeoutMs: this.requestTimeoutMs * 4 },
			);
		if (options.onProgress) this.onProgress = (progress) => this.reportProgress(progress);
	}

	async run(): Promise<BulkCampaignReport> {
		await this.readPace();
		await this.sendRound(allIndexes(this.options.total));
		await this.sendAsWindowsOpen();
		await this.resendUncertain();
		await this.settleFromStatusWebhooks();
		this.pauseUnreached();
		return this.report();
	}

	/** The pace: the number's throughput level, capped by the user's setting. */
	private async readPace(): Promise<void> {
		const { api, rateCap } = this.options;
		try {
			this.phoneInfo = await transientRetries(() => api.getPhoneNumberInfo());
		} catch (error) {
			if (rateCap === undefined) {
				throw new Error(
					`Reading the number's throughput failed (${(error as Error).message}): check the credential, or set "Max Messages per Second"`,
				);
			}
		}
		this.rateCap = resolveRateCap(rateCap, this.phoneInfo);
		this.limiter = this.options.limiter
			? this.options.limiter(this.rateCap)
			: new LocalRateLimiter({ ratePerSecond: this.rateCap });
	}

	/** One pass of the delivery runner over these rows: claimed, paced, sent, retried and settled. */
	private async sendRound(indexes: Iterable<number>): Promise<void> {
		const { options } = this;
		const { summary } = await runDeliveries<Payload>({
			jobs: this.jobs(indexes),
			send: this.sendJob,
			limiter: this.limiter as RateLimiter,
			hooks: this.hooks,
			policy: this.retry,
			concurrency: options.concurrency,
			requestTimeoutMs: this.requestTimeoutMs,
			// Claims are batched into one store transaction: more at once, fewer transactions.
			claimConcurrency: 64,
			total: options.total,
			onProgress: this.onProgress,
			progressIntervalMs: options.progressIntervalMs ?? campaignDefaults.progressIntervalMs,
			shouldPause: this.shouldPause,
			pauseCheckIntervalMs:
				options.qualityCheckIntervalMs ?? campaignDefaults.qualityCheckIntervalMs,
			onResult: this.onResult,
			collectResults: false,
			signal: options.signal,
		});
		this.requests += summary.requests;
		this.sendingMs += summary.durationMs;
		this.stoppedBy = summary.stoppedBy;
		this.stopDetail = summary.stopDetail;
	}

	/** Send Window: waits for the windows that open within the bound, then sends those rows (earliest first). */
	private async sendAsWindowsOpen(): Promise<void> {
		const { opening } = this;
		const signal = this.options.signal;
		while (opening.size > 0 && this.stoppedBy === 'completed' && !signal?.aborted) {
			let next = Number.POSITIVE_INFINITY;
			for (const at of opening.values()) next = Math.min(next, at);
			this.options.onWindowWait?.({ untilMs: next, recipients: opening.size });
			await this.wait(next - this.now(), signal);
			if (signal?.aborted) break;
			const at = this.now();
			const due = [...opening]
				.filter(([, opensAt]) => opensAt <= at)
				.map(([index]) => index)
				.sort((a, b) => a - b);
			for (const index of due) opening.delete(index);
			if (due.length > 0) await this.sendRound(due);
		}
	}

	/** at-least-once: waits out the quiet period of what is still uncertain, then claims and sends it again. */
	private async resendUncertain(): Promise<void> {
		const { deferred } = this;
		const signal = this.options.signal;
		const maxRounds = this.options.resendRounds ?? campaignDefaults.resendRounds;
		while (
			this.guarantee === 'at-least-once' &&
			this.stoppedBy === 'completed' &&
			deferred.size > 0 &&
			this.resendRounds < maxRounds &&
			!signal?.aborted
		) {
			this.resendRounds++;
			let wakeAt = 0;
			for (const at of deferred.values()) wakeAt = Math.max(wakeAt, at);
			await this.wait(wakeAt - this.now(), signal);
			if (signal?.aborted) break;
			const indexes = [...deferred.keys()].sort((a, b) => a - b);
			deferred.clear();
			this.resending = true;
			await this.sendRound(indexes);
		}
	}

	/**
	 * This run's uncertain rows that a status webhook settled while it was sending. Only its own requests
	 * without an answer: a row refused because another run's request was uncertain is that run's to report.
	 */
	private async settleFromStatusWebhooks(): Promise<void> {
		const uncertain = this.book
			.notSent()
			.filter(
				(outcome) =>
					outcome.status === 'uncertain' && outcome.reason === 'no_answer' && outcome.waId,
			);
		const { store, campaignId } = this.options;
		for (let i = 0; i < uncertain.length; i += 500) {
			const part = uncertain.slice(i, i + 500);
			const records = await store.getRecipients(
				campaignId,
				part.map((outcome) => outcome.waId as string),
			);
			for (const outcome of part) {
				const record = records.get(outcome.waId as string);
				if (!record || (record.state !== 'sent' && record.state !== 'failed')) continue;
				const sent = record.state === 'sent';
				this.decide(
					{
						...outcome,
						status: record.state,
						reason: sent ? 'settled_by_webhook' : 'failed',
						message: sent
							? 'Sent: its status webhook confirmed the request that had no answer'
							: (record.reason ?? 'Meta reported the message as failed'),
						code: sent ? undefined : record.code,
						wamid: record.wamid,
					},
					'uncertain',
				);
			}
		}
	}

	/** Rows never reached (a pause, an abort, a store failure): not sent, resumable, each with an outcome. */
	private pauseUnreached(): void {
		const why = this.stopDetail ?? 'the campaign stopped';
		for (let index = 0; index < this.options.total; index++) {
			if (this.book.isFinal(index)) continue;
			const outcome = this.book.get(index);
			this.decide(
				{
					...(outcome ?? { index }),
					index,
					status: 'paused',
					reason: 'paused',
					message: `Not sent, resumable: run the campaign again to send it. Stopped because: ${why}`,
				},
				outcome?.status,
			);
		}
	}

	private report(): BulkCampaignReport {
		const { options, counts, sendingMs, phoneInfo, book } = this;
		const notSent = book.notSent();
		const byReason: Record<string, number> = {};
		const byCode: Record<string, number> = {};
		for (const outcome of notSent) {
			if (outcome.reason) byReason[outcome.reason] = (byReason[outcome.reason] ?? 0) + 1;
			if (outcome.code !== undefined) byCode[outcome.code] = (byCode[outcome.code] ?? 0) + 1;
		}
		return {
			outcomes: book.outcomes(),
			phoneInfo,
			summary: {
				campaignId: options.campaignId,
				template: options.template.name,
				total: options.total,
				counts: { ...counts },
				byReason,
				byCode,
				requests: this.requests,
				durationMs: this.now() - this.startedAt,
				sendingMs,
				achievedRate:
					sendingMs > 0 ? Math.round(((counts.sent * 1000) / sendingMs) * 100) / 100 : 0,
				rateCap: this.rateCap,
				throughputLevel: phoneInfo?.throughput?.level,
				qualityRating: phoneInfo?.quality_rating,
				guarantee: this.guarantee,
				resendRounds: this.resendRounds,
				stoppedBy: this.stoppedBy,
				stopDetail: this.stopDetail,
				sendWindow: options.sendWindow
					? tallyWindow(options.sendWindow.window, notSent, book.sentZones())
					: undefined,
			},
		};
	}

	/** The rows as runner jobs: validated, deduplicated and checked against the store; skips decided here. */
	private async *jobs(indexes: Iterable<number>): AsyncGenerator<Job<Payload>> {
		const { options } = this;
		const chunks = preparedChunks({
			read: options.read,
			indexes,
			template: options.template,
			campaignId: options.campaignId,
			businessNumberId: options.businessNumberId,
			store: options.store,
			defaultCountry: options.defaultCountry,
			policy: options.policy,
			seen: new Map(),
			chunkSize: options.chunkSize,
			now: this.now,
			stopped: () => this.stopped,
			sendWindow: options.sendWindow,
			retryFailed: options.retryFailed,
		});
		for await (const chunk of chunks) {
			for (const row of chunk) {
				const previous = this.book.get(row.index)?.status;
				if (row.kind === 'skipped') {
					if (row.sendWindowOpensAt !== undefined && row.sendWindowOpensAt <= this.waitUntil)
						this.opening.set(row.index, row.sendWindowOpensAt);
					this.decide(skippedOutcome(row), previous);
					continue;
				}
				if (row.contact?.referralAt !== undefined) this.hooks.referralContacts.add(row.waId);
				if (previous && previous !== 'pending') {
					// Sent again (a window that opened, a resend): its earlier outcome no longer counts.
					this.counts[previous]--;
					this.decided--;
				}
				this.book.put({
					index: row.index,
					status: 'pending',
					waId: row.waId,
					language: row.template.language,
					tags: row.tags,
					...zoneFields(row.zone, row.localTime),
				});
				yield {
					key: row.waId,
					payload: { key: row.waId, body: row.payload, ...(row.media ? { media: row.media } : {}) },
					ref: row.index,
				};
			}
		}
	}

	/** One recipient's turn: its header files, the pre-send fence, then the message. */
	private async send(payload: Payload): Promise<SendResult> {
		const refused = await this.uploadFor(payload);
		if (refused) return refused;
		if (!(await this.hooks.markSending(payload.key)))
			return {
				ok: false,
				code: TAKEN_OVER_CODE,
				details: 'The claim was taken over by another execution',
			};
		return toSendResult(
			await this.options.api.send(payload.body, { timeoutMs: this.requestTimeoutMs + 1_000 }),
		);
	}

	/** Uploads the recipient's header files, paced and retried as the send itself (it runs inside the send's turn). */
	private async uploadFor(payload: Payload): Promise<SendResult | undefined> {
		if (!payload.media || payload.media.length === 0) return undefined;
		if (!this.uploader)
			return {
				ok: false,
				code: 131053,
				httpStatus: 400,
				details: 'This campaign cannot upload header files (no upload endpoint)',
			};
		for (const pending of payload.media) {
			const uploaded = await this.uploader.upload(pending.label, pending.mediaType, pending.file);
			if (!uploaded.ok) {
				const error = uploaded.error;
				if (error.name !== 'GraphApiError') {
					this.uploadFailures.set(payload.key, `Not sent: ${error.message}`);
					return { ok: false, code: 131053, httpStatus: 400, details: error.message };
				}
				const graph = error as GraphApiError;
				this.uploadFailures.set(
					payload.key,
					`Not sent: uploading ${pending.label} failed — WhatsApp error ${graph.code}: ${graph.message}${graph.details ? ` (${graph.details})` : ''}`,
				);
				// A lost answer to an upload sent no message: retry it like a send that never left.
				return graph.timedOut
					? { ok: false, details: graph.message }
					: toSendResult({ ok: false, error: graph });
			}
			attachMedia(pending, uploaded.id);
		}
		payload.media = undefined;
		this.uploadFailures.delete(payload.key);
		return undefined;
	}

	/** The runner's final result for a row → its outcome (and, for uncertain ones, when to resend). */
	private record(result: JobResult): void {
		const index = result.ref as number;
		const outcome = this.book.get(index) ?? {
			index,
			status: 'pending' as RecipientStatus,
			waId: result.key,
		};
		const next: RecipientOutcome = {
			...outcome,
			attempts: result.attempts,
			status: result.outcome,
			code: result.code,
			message: result.reason,
			details: result.details,
		};
		switch (result.outcome) {
			case 'sent':
				next.reason = undefined;
				next.message = undefined;
				next.wamid = result.wamid;
				next.messageStatus = result.messageStatus;
				break;
			case 'failed':
				this.explainFailure(next, result);
				break;
			case 'uncertain':
				next.reason = 'no_answer';
				if (this.guarantee === 'at-least-once')
					this.deferred.set(index, this.now() + this.quietPeriodMs);
				break;
			case 'paused':
				next.reason = 'paused';
				this.stopped = true;
				break;
			case 'skipped':
				this.explainRefusal(next, result);
				break;
		}
		this.decide(next, outcome.status);
	}

	/** A failure's reason: taken over by another run, a header upload, or the send itself. */
	private explainFailure(next: RecipientOutcome, result: JobResult): void {
		const uploadFailure = this.uploadFailures.get(result.key);
		if (result.code === TAKEN_OVER_CODE) {
			next.status = 'skipped';
			next.reason = skipReasons.takenOver;
			next.code = undefined;
			next.message = 'Another execution took this recipient over before it was sent: it sends it';
		} else if (uploadFailure !== undefined) {
			next.reason = MEDIA_UPLOAD_FAILED;
			next.message = uploadFailure;
			next.field = 'header';
		} else {
			next.reason = 'failed';
			next.notBefore = result.notBefore;
		}
	}

	/** A claim the store refused: why (its record), and in a resend round what the store settled meanwhile. */
	private explainRefusal(next: RecipientOutcome, result: JobResult): void {
		const refusal = this.hooks.refusals.get(result.key);
		this.hooks.refusals.delete(result.key);
		next.reason = refusal?.reason ?? skipReasons.inProgress;
		next.message = refusal?.message ?? result.reason;
		next.code = refusal?.code;
		if (refusal?.state === 'uncertain') {
			next.status = 'uncertain';
			if (refusal.resendAt !== undefined) this.deferred.set(next.index, refusal.resendAt);
		} else if (this.resending && refusal?.state === 'sent') {
			// Resend round: a status webhook confirmed the earlier request.
			next.status = 'sent';
			next.reason = 'settled_by_webhook';
			next.message = 'Sent: its status webhook confirmed the earlier request';
			next.wamid = refusal.wamid;
		} else if (this.resending && refusal?.state === 'failed') {
			next.status = 'failed';
		}
	}

	/** Counts a row's final outcome (replacing its earlier one, if any), holds it and tells onOutcome. */
	private decide(outcome: RecipientOutcome, previous?: RecipientStatus): void {
		if (previous && previous !== 'pending') this.counts[previous]--;
		else this.decided++;
		this.counts[outcome.status as Outcome]++;
		this.book.put(outcome);
		this.options.onOutcome?.(outcome);
	}

	/** Pauses the campaign when the number's quality rating turns to one that risks a restriction. */
	private async qualityPause(): Promise<string | false> {
		try {
			const info = await this.options.api.getPhoneNumberInfo(['quality_rating']);
			const rating = String(info.quality_rating ?? '').toUpperCase();
			if (pausingQualityRatings.includes(rating)) {
				return `The number's quality rating is ${rating}: sending more would risk a restriction. Improve the template or audience, then run the campaign again`;
			}
		} catch {
			// A failed check is not a reason to stop spending correctly; the next check tries again.
		}
		return false;
	}

	private reportProgress(progress: DeliveryProgress): void {
		const { total, campaignId } = this.options;
		const remaining = Math.max(0, total - this.decided);
		this.options.onProgress?.({
			campaignId,
			sent: this.counts.sent,
			notSent: this.decided - this.counts.sent,
			remaining,
			rate: progress.rate,
			achievedRate: progress.achievedRate,
			etaMs:
				progress.achievedRate > 0
					? Math.round((remaining * 1000) / progress.achievedRate)
					: undefined,
			inFlight: progress.inFlight,
			retrying: progress.retrying,
			elapsedMs: this.now() - this.startedAt,
		});
	}
}

/** Settings that would make the run wrong, refused before any call. */
function checkOptions(
	options: BulkCampaignOptions,
	requestTimeoutMs: number,
	quietPeriodMs: number,
): void {
	if (!Number.isInteger(options.total) || options.total < 0)
		throw new RangeError(`total must be the number of input rows (got ${options.total})`);
	if (options.rateCap !== undefined && !(options.rateCap > 0))
		throw new RangeError(
			`rateCap must be a number of messages per second above 0 (got ${options.rateCap})`,
		);
	if (options.guarantee === 'at-least-once' && quietPeriodMs < requestTimeoutMs + 5_000) {
		throw new RangeError(
			`The quiet period (${Math.round(quietPeriodMs / 1000)} s) must be at least the request timeout + 5 s (${Math.round((requestTimeoutMs + 5_000) / 1000)} s): a request still on its way could otherwise be resent`,
		);
	}
}

function* allIndexes(total: number): Generator<number> {
	for (let i = 0; i < total; i++) yield i;
}

function skippedOutcome(row: SkippedRecipient): RecipientOutcome {
	return {
		index: row.index,
		status: 'skipped',
		reason: row.reason,
		message: row.message,
		code: row.code,
		field: row.field,
		waId: row.waId,
		phone: row.waId ? undefined : row.phone,
		language: row.language,
		notBefore: row.notBefore,
		tags: row.tags,
		...zoneFields(row.zone, row.localTime, row.sendWindowOpensAt),
	};
}

/** Sent now (every recipient the window let through) and left for later (outside_send_window), per zone. */
function tallyWindow(
	window: SendWindow,
	notSent: RecipientOutcome[],
	sentZones: Iterable<string>,
): SendWindowTally {
	const counter = new SendWindowCounter(window);
	for (const zone of sentZones) counter.add(zone, undefined);
	for (const outcome of notSent) {
		if (!outcome.timeZone) continue;
		if (outcome.reason === skipReasons.outsideSendWindow)
			counter.add(outcome.timeZone, Date.parse(outcome.sendWindowOpensAt as string));
		else if (outcome.status !== 'skipped') counter.add(outcome.timeZone, undefined);
	}
	return counter.result();
}

/** A read that a 5xx or a lost answer should not fail at once: a few tries with backoff. */
export async function transientRetries<T>(
	call: () => Promise<T>,
	attempts = 4,
	baseMs = 250,
): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await call();
		} catch (error) {
			const graph = error as Partial<GraphApiError>;
			const transient =
				graph.timedOut === true || graph.entry?.retry === 'retry' || (graph.httpStatus ?? 0) >= 500;
			if (!transient || attempt >= attempts) throw error;
			await sleep(baseMs * 2 ** (attempt - 1));
		}
	}
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (ms <= 0 || signal?.aborted) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		}
		signal?.addEventListener('abort', done, { once: true });
	});
}
