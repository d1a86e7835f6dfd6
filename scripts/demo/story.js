'use strict';
/**
 * The seed story, played against a real n8n running the examples and the sandbox standing in for WhatsApp:
 * each step acts through the sandbox's control API or an example's entry URL, waits for the n8n execution it
 * causes, prints what n8n did and what reached the user's phone (the sandbox ledger), and throws a StepError
 * naming what went wrong when the outcome is not the expected one.
 */
const { waitForRuns, nodeItems, ran, executionError } = require('./executions');
const { postForm, postJson, request } = require('./http');

class StepError extends Error {}

const EMILIA = { phone: '+54 9 11 5555 1234', waId: '5491155551234', name: 'Emilia' };
const TOMAS = { phone: '+54 9 11 5555 2345', waId: '5491155552345', name: 'Tomás' };

function check(condition, message) {
	if (!condition) throw new StepError(message);
}

function failIfError(execution, what) {
	const error = executionError(execution);
	if (error) throw new StepError(`${what}: ${error}`);
}

async function post(url, body) {
	const { status, text } = await postJson(url, body);
	if (status < 200 || status >= 300)
		throw new StepError(`POST ${url} answered ${status}: ${text.slice(0, 300)}`);
	return text;
}

async function waitUntilWaiting(n8n, executionId, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { status } = await n8n.api('GET', `/executions/${executionId}`);
		if (status === 'waiting') return;
		if (status !== 'running' && status !== 'new')
			throw new StepError(
				`the form's execution ${executionId} ended (${status}) before its completion page`,
			);
		if (Date.now() > deadline)
			throw new StepError(
				`the form's execution ${executionId} did not reach its completion page within ${timeoutMs / 1000} s`,
			);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function decodeHtml(text) {
	return text
		.replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
		.replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&');
}

/**
 * Submits an n8n form the way a browser does: a multipart POST (fields named field-0, field-1, … in form order)
 * answered with the completion page's URL, a GET that renders that page once the execution waits on it (before,
 * n8n holds the request open: the browser polls first), and the page's own POST that lets the paused execution
 * finish. Returns the completion page's title and message.
 */
async function submitForm(n8n, url, values) {
	const form = new FormData();
	values.forEach((value, index) => form.append(`field-${index}`, value));
	const submitted = await postForm(url, form);
	if (submitted.status !== 200)
		throw new StepError(
			`form POST ${url} answered ${submitted.status}: ${submitted.text.slice(0, 300)}`,
		);
	let waitingUrl;
	try {
		waitingUrl = JSON.parse(submitted.text).formWaitingUrl;
	} catch {
		// not JSON: reported just below with the body
	}
	if (!waitingUrl)
		throw new StepError(
			`form POST ${url} did not answer with the completion page's URL: ${submitted.text.slice(0, 300)}`,
		);
	await waitUntilWaiting(n8n, new URL(waitingUrl).pathname.split('/').pop());
	const page = await request(waitingUrl);
	if (page.status !== 200)
		throw new StepError(`the form's completion page ${waitingUrl} answered ${page.status}`);
	const resumed = await request(waitingUrl, { method: 'POST' });
	if (resumed.status !== 200)
		throw new StepError(
			`resuming the form's execution (POST ${waitingUrl}) answered ${resumed.status}`,
		);
	const match = /<h1>([\s\S]*?)<\/h1>\s*<p[^>]*>([\s\S]*?)<\/p>/.exec(page.text);
	return {
		title: match ? decodeHtml(match[1].trim()) : '',
		message: match ? decodeHtml(match[2].trim()) : '',
	};
}

const templatesTo = async (sandbox, waId, name) =>
	(await sandbox.ledger(waId)).filter((entry) => entry.template && entry.template.name === name);

function quote(text, max = 150) {
	const flat = String(text || '')
		.replace(/\s+/g, ' ')
		.trim();
	return `"${flat.length > max ? `${flat.slice(0, max - 1)}…` : flat}"`;
}

function hoursAgo(iso) {
	return iso ? `${((Date.now() - Date.parse(iso)) / 3_600_000).toFixed(0)} h ago` : 'never';
}

/**
 * @param {object} ctx
 * @param {import('../n8n/rest').N8nClient} ctx.n8n
 * @param {ReturnType<import('./sandbox-client').createSandboxClient>} ctx.sandbox
 * @param {Record<string, object>} ctx.workflows stored workflows by example key
 * @param {Record<string, string>} ctx.urls entry URLs: resumeNow, reminderNow, operatorForm, campaignNow
 * @param {{ step(title: string): void, line(who: string, text: string): void, ok(text: string): void }} ctx.out
 */
function createStory(ctx) {
	const { n8n, sandbox, workflows, urls, out } = ctx;
	const inbox = workflows['whatsapp-inbox'];
	const reminder = workflows['appointment-reminder'];
	const operatorForm = workflows['operator-form'];
	const campaign = workflows['promotion-campaign'];
	const state = {};

	async function emiliaWrites() {
		out.step('Emilia writes to SaludCenter asking for an agent, then goes quiet');
		const afterId = await n8n.lastExecutionId(inbox.id);
		const said = await sandbox.say(
			`contact ${EMILIA.phone} named ${EMILIA.name} says Hola, quiero que me contacte un agente por mis análisis 30 hours ago`,
		);
		out.line('sandbox', `${said.said} (backdated: the sandbox cannot wait 30 hours)`);
		const [run] = await waitForRuns(n8n, inbox.id, { afterId, startNode: 'WhatsApp HSM Trigger' });
		failIfError(run, 'the inbox workflow failed on her message');
		const [query] = nodeItems(run, 'Open or update query');
		check(
			query && query.waId === EMILIA.waId,
			`the inbox ran (execution ${run.id}) but "Open or update query" recorded no query for ${EMILIA.waId}`,
		);
		state.queryId = query.queryId;
		out.line(
			'n8n',
			`inbox execution ${run.id}: signature verified, message recorded in the store, query ${query.queryId} opened (agent ${query.agent})`,
		);
	}

	async function resumeContact() {
		out.step(
			'30 hours later the hourly resume-contact check runs — on two workers at the same moment',
		);
		const afterId = await n8n.lastExecutionId(inbox.id);
		await Promise.all([post(urls.resumeNow), post(urls.resumeNow)]);
		const runs = await waitForRuns(n8n, inbox.id, {
			afterId,
			startNode: 'Run now (demo)',
			count: 2,
		});
		for (const [index, run] of runs.entries()) {
			failIfError(run, 'the resume-contact check failed');
			const label = `check ${index + 1} (execution ${run.id})`;
			if (!ran(run, 'Check Conversation Window')) {
				out.line(
					'n8n',
					`${label}: no open query left to recontact (the other check had already marked it)`,
				);
				continue;
			}
			const closed = nodeItems(run, 'Check Conversation Window', 1).find(
				(item) => item.waId === EMILIA.waId,
			);
			const open = nodeItems(run, 'Check Conversation Window', 0).find(
				(item) => item.waId === EMILIA.waId,
			);
			check(
				!open,
				`${label}: Check Conversation Window said Emilia's window is open, but her last message is 30 hours old`,
			);
			check(
				closed,
				`${label}: Emilia's query did not reach Check Conversation Window's Closed output`,
			);
			const window = closed.window || {};
			out.line(
				'n8n',
				`${label}: window closed (last message ${hoursAgo(window.lastInboundAt)}, expired ${window.expiresAt || '?'})`,
			);
			const result = nodeItems(run, 'Send resume contact').find(
				(item) => item.wa_id === EMILIA.waId,
			);
			check(result, `${label}: "Send resume contact" produced nothing for Emilia`);
			if (result.status === 'sent')
				out.line(
					'n8n',
					`${label}: resume_contact sent (${result.wamid}) — ${quote(result.renderedText)}`,
				);
			else if (result.status === 'skipped')
				out.line('n8n', `${label}: skipped — ${result.skipped.reason}: ${result.skipped.message}`);
			else
				throw new StepError(
					`${label}: "Send resume contact" answered ${result.status}: ${result.error || JSON.stringify(result)}`,
				);
		}
		const reached = await templatesTo(sandbox, EMILIA.waId, 'resume_contact');
		check(
			reached.length === 1,
			`resume_contact reached Emilia ${reached.length} times (expected exactly once per query)`,
		);
		out.line(
			'phone',
			`Emilia received resume_contact once: ${quote(reached[0].rendered && reached[0].rendered.body)}`,
		);

		out.step('An hour later the check runs again');
		const againAfter = await n8n.lastExecutionId(inbox.id);
		await post(urls.resumeNow);
		const [again] = await waitForRuns(n8n, inbox.id, {
			afterId: againAfter,
			startNode: 'Run now (demo)',
		});
		failIfError(again, 'the second resume-contact check failed');
		const resent = nodeItems(again, 'Send resume contact').filter(
			(item) => item.wa_id === EMILIA.waId && item.status === 'sent',
		);
		check(resent.length === 0, 'the second check sent resume_contact to Emilia again');
		const stillOnce = await templatesTo(sandbox, EMILIA.waId, 'resume_contact');
		check(
			stillOnce.length === 1,
			`resume_contact reached Emilia ${stillOnce.length} times after the second check`,
		);
		const outcome = ran(again, 'Check Conversation Window')
			? `Emilia's query reached the send again and was skipped (${nodeItems(
					again,
					'Send resume contact',
				)
					.map((item) => item.skipped && item.skipped.reason)
					.join(', ')})`
			: 'no open query left to recontact';
		out.ok(
			`execution ${again.id}: ${outcome}; the sandbox ledger still shows exactly one resume_contact to Emilia for query ${state.queryId}`,
		);
	}

	async function appointmentReminder() {
		out.step('The day before her appointment, the reminders go out');
		const afterId = await n8n.lastExecutionId(reminder.id);
		await post(urls.reminderNow);
		const [run] = await waitForRuns(n8n, reminder.id, { afterId, startNode: 'Run now (demo)' });
		failIfError(run, 'the appointment-reminder workflow failed');
		const open = nodeItems(run, 'Check Conversation Window', 0).length;
		const closed = nodeItems(run, 'Check Conversation Window', 1).length;
		const results = nodeItems(run, 'Send appointment reminder');
		const sent = results.filter((item) => item.status === 'sent');
		// Skipped as already spent: the 18:00 schedule sent it a moment before (one reminder per appointment).
		const alreadySent = results.filter(
			(item) =>
				item.status === 'skipped' &&
				item.skipped &&
				item.skipped.reason === 'recontact_already_spent',
		);
		out.line(
			'n8n',
			`execution ${run.id}: ${open + closed} appointments tomorrow, windows ${open} open / ${closed} closed → ${sent.length} reminders sent (${sent.map((item) => `${item.wa_id} ${item.language}`).join(', ')})${alreadySent.length ? `, ${alreadySent.length} already sent by the schedule` : ''}`,
		);
		const notSent = results.filter((item) => item.status !== 'sent' && !alreadySent.includes(item));
		check(notSent.length === 0, `reminders not sent: ${JSON.stringify(notSent).slice(0, 400)}`);
		const reminders = await templatesTo(sandbox, EMILIA.waId, 'appointment_reminder');
		check(
			reminders.length === 1,
			`appointment_reminder reached Emilia ${reminders.length} times (expected once per appointment)`,
		);
		const [toEmilia] = reminders;
		const buttons = (toEmilia.replies || []).map((reply) => `[${reply.title}]`).join(' ');
		out.line(
			'phone',
			`Emilia: ${quote(toEmilia.rendered && toEmilia.rendered.body, 200)} ${buttons}`,
		);
	}

	async function emiliaConfirms() {
		out.step('Emilia taps Confirmar');
		const afterId = await n8n.lastExecutionId(inbox.id);
		const said = await sandbox.say('Emilia taps Confirm');
		out.line('sandbox', said.said);
		const [run] = await waitForRuns(n8n, inbox.id, { afterId, startNode: 'WhatsApp HSM Trigger' });
		failIfError(run, 'the inbox workflow failed on her answer');
		check(
			ran(run, 'Appointment confirmed'),
			`the inbox ran (execution ${run.id}) but not its "confirmed" branch`,
		);
		check(
			!ran(run, 'Appointment cancelled'),
			`execution ${run.id} also ran the "cancelled" branch`,
		);
		const [confirmed] = nodeItems(run, 'Appointment confirmed');
		const [reply] = nodeItems(run, 'Send branch location');
		check(
			reply && reply.status === 'sent',
			`the confirmed branch did not send the branch location: ${JSON.stringify(reply)}`,
		);
		out.line(
			'n8n',
			`inbox execution ${run.id}: Switch → confirmed (appointment ${confirmed.appointmentId}); branch_location sent (${reply.wamid})`,
		);
		const [location] = await templatesTo(sandbox, EMILIA.waId, 'branch_location');
		check(location, 'branch_location did not reach Emilia');
		out.line(
			'phone',
			`Emilia: [map: ${confirmed.branch.name}] ${quote(location.rendered && location.rendered.body)}`,
		);
	}

	async function operatorSends() {
		out.step('An operator sends an HSM from the Customer Service form');
		const afterId = await n8n.lastExecutionId(operatorForm.id);
		const page = await submitForm(n8n, urls.operatorForm, [
			TOMAS.phone,
			TOMAS.name,
			'payment_due',
			'$12.500',
			'15 de octubre',
			'es',
		]);
		out.line(
			'form',
			`operator submits: ${TOMAS.phone}, ${TOMAS.name}, payment_due, $12.500, 15 de octubre → page "${page.title}"`,
		);
		const [run] = await waitForRuns(n8n, operatorForm.id, { afterId, startNode: 'Operator form' });
		failIfError(run, 'the operator form workflow failed');
		const [result] = nodeItems(run, 'Send HSM Template');
		check(
			result && result.status === 'sent',
			`the form did not send payment_due to Tomás: ${JSON.stringify(result)}`,
		);
		out.line(
			'n8n',
			`execution ${run.id}: payment_due sent to ${result.to} — ${quote(result.renderedText)}`,
		);

		const badAfter = await n8n.lastExecutionId(operatorForm.id);
		const badPage = await submitForm(n8n, urls.operatorForm, [
			'15-5555',
			TOMAS.name,
			'payment_due',
			'$12.500',
			'',
			'es',
		]);
		const [bad] = await waitForRuns(n8n, operatorForm.id, {
			afterId: badAfter,
			startNode: 'Operator form',
		});
		const [refused] = nodeItems(bad, 'Send HSM Template');
		check(
			refused && refused.status === 'failed',
			`a form with a bad phone and no due date was not refused: ${JSON.stringify(refused)}`,
		);
		out.line(
			'form',
			`a second submission with phone "15-5555" and no due date → page "${badPage.title}": ${quote(badPage.message, 200)}`,
		);
		out.line('n8n', `execution ${bad.id}: refused before any call to WhatsApp`);
		const toTomas = await templatesTo(sandbox, TOMAS.waId, 'payment_due');
		check(toTomas.length === 1, `payment_due reached Tomás ${toTomas.length} times (expected 1)`);
	}

	async function promotion() {
		const count = 1000;
		out.step(
			`A promotion: taxi_discount to ${count.toLocaleString('en')} patients — dry run, send, report`,
		);
		const afterId = await n8n.lastExecutionId(campaign.id);
		await post(urls.campaignNow, { count, reportAfterSeconds: 5 });
		const [run] = await waitForRuns(n8n, campaign.id, {
			afterId,
			startNode: 'Run now (demo)',
			timeoutMs: 300_000,
		});
		failIfError(run, 'the promotion workflow failed');
		const rows = nodeItems(run, 'Recipients').length;
		const estimate = nodeItems(run, 'Dry run', 2).find((item) => item.type === 'summary');
		check(estimate, 'the dry run gave no summary item');
		const categories = Object.entries(estimate.byPriceCategory || {})
			.map(([category, line]) => `${line.count} ${category}: ${line.cost} ${estimate.currency}`)
			.join(', ');
		out.line(
			'dry run',
			`${rows} rows: ${estimate.wouldSend} would be sent, ${estimate.skipped} skipped ${JSON.stringify(estimate.byReason)}; nothing sent`,
		);
		out.line(
			'dry run',
			`estimated ${estimate.estimatedCost} ${estimate.currency} (${categories}; rate card of ${estimate.rateCard.effectiveDate}); ${estimate.outsideWindow} outside the 24-hour window (tier ${estimate.messagingLimit ? estimate.messagingLimit.tier : 'unknown'}); ~${estimate.estimatedSeconds} s at ${estimate.rateCap} msg/s`,
		);
		const [sent] = nodeItems(run, 'Campaign summary');
		check(sent, 'the send produced no summary item');
		out.line(
			'send',
			`${sent.counts.sent} sent, ${sent.total - sent.counts.sent} not sent ${JSON.stringify(sent.byReason)} in ${(sent.durationMs / 1000).toFixed(1)} s — ${sent.achievedRate} msg/s against the number's ${sent.rateCap} msg/s (${sent.stoppedBy})`,
		);
		check(
			sent.counts.sent === count,
			`the campaign sent ${sent.counts.sent} messages, expected ${count} (one per unique recipient)`,
		);
		const report = nodeItems(run, 'Report');
		out.line(
			'report',
			report
				.map((row) => `${row.step}${row.code ? ` ${row.code}` : ''} ${row.count} (${row.percent}%)`)
				.join(' → '),
		);
		const funnel = Object.fromEntries(
			report.filter((row) => !row.code).map((row) => [row.step, row.count]),
		);
		check(funnel.sent === count, `the report counts ${funnel.sent} sent, expected ${count}`);
		const ledger = await sandbox.ledger();
		const promos = ledger.filter(
			(entry) => entry.template && entry.template.name === 'taxi_discount',
		);
		const recipients = new Set(promos.map((entry) => entry.waId));
		check(
			promos.length === count && recipients.size === count,
			`the sandbox received ${promos.length} taxi_discount messages for ${recipients.size} recipients, expected ${count} each`,
		);
		const emilias = promos.filter((entry) => entry.waId === EMILIA.waId);
		out.line(
			'phone',
			`Emilia (listed twice in the rows) got it once: ${quote(emilias[0] && emilias[0].rendered && emilias[0].rendered.body)}`,
		);
		check(emilias.length === 1, `Emilia received taxi_discount ${emilias.length} times`);

		out.step('Someone runs the campaign again by mistake');
		const againAfter = await n8n.lastExecutionId(campaign.id);
		await post(urls.campaignNow, { count, reportAfterSeconds: 1 });
		const [again] = await waitForRuns(n8n, campaign.id, {
			afterId: againAfter,
			startNode: 'Run now (demo)',
			timeoutMs: 300_000,
		});
		failIfError(again, 'the second campaign run failed');
		const [second] = nodeItems(again, 'Campaign summary');
		out.line(
			'send',
			`${second.counts.sent} sent, ${second.total - second.counts.sent} not sent ${JSON.stringify(second.byReason)}`,
		);
		const promosAfter = (await sandbox.ledger()).filter(
			(entry) => entry.template && entry.template.name === 'taxi_discount',
		);
		check(
			second.counts.sent === 0 && promosAfter.length === count,
			`the rerun sent ${second.counts.sent} more (the sandbox now has ${promosAfter.length} taxi_discount messages)`,
		);
		out.ok(
			`same campaign ID, nothing sent twice: the sandbox still has ${promosAfter.length} taxi_discount messages`,
		);
	}

	async function summary() {
		out.step('What reached WhatsApp');
		const stats = await sandbox.stats();
		const duplicates = await sandbox.duplicates();
		out.line(
			'sandbox',
			`${stats.accepted} messages accepted, ${stats.rejected} refused by the API, ${duplicates.length} duplicates`,
		);
		check(
			duplicates.length === 0,
			`the sandbox ledger has duplicates: ${JSON.stringify(duplicates).slice(0, 300)}`,
		);
	}

	return [
		{ name: 'Emilia writes', run: emiliaWrites },
		{ name: 'resume contact once per query', run: resumeContact },
		{ name: 'appointment reminder', run: appointmentReminder },
		{ name: 'Emilia confirms', run: emiliaConfirms },
		{ name: 'operator form', run: operatorSends },
		{ name: 'promotion campaign', run: promotion },
		{ name: 'summary', run: summary },
	];
}

/**
 * Steps the queue-mode story leaves out, and why. The inbox example keeps its open queries in the workflow's
 * static data ($getWorkflowStaticData), and n8n 2.40.7 in queue mode runs every webhook- or schedule-started
 * execution on a worker with EMPTY static data (the execution's workflow snapshot drops staticData and the job is
 * enqueued with loadStaticData=false), so the hourly check never sees a query. Recontact Once per Query itself is
 * proven across two workers by test/e2e-queue; docs/queue-mode.md says where to keep queries instead.
 */
const QUEUE_MODE_SKIPPED_STEPS = ['resume contact once per query'];

module.exports = { createStory, StepError, EMILIA, TOMAS, QUEUE_MODE_SKIPPED_STEPS };
