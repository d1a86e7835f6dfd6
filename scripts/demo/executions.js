'use strict';
/**
 * Reading what n8n did: executions of a workflow that started at a given node (a workflow with several
 * triggers — the inbox has a WhatsApp trigger, a schedule and a webhook — has executions of each kind), and the
 * items a node produced.
 */

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `count` finished executions of the workflow with an id above `afterId` ran `startNode`, and
 * returns them (with data), oldest first. Executions started by other triggers are ignored.
 * @param {import('../n8n/rest').N8nClient} client
 */
async function waitForRuns(
	client,
	workflowId,
	{ afterId = 0, startNode, count = 1, timeoutMs = 90_000, intervalMs = 250 } = {},
) {
	const deadline = Date.now() + timeoutMs;
	const seen = new Map();
	for (;;) {
		const executions = await client.listExecutions(workflowId, { limit: 100 });
		for (const execution of executions) {
			const id = Number(execution.id);
			if (id <= afterId || seen.has(id) || !FINISHED.has(execution.status)) continue;
			seen.set(id, await client.getExecution(execution.id));
		}
		const matching = [...seen.values()]
			.filter((execution) => !startNode || runData(execution)[startNode])
			.sort((a, b) => Number(a.id) - Number(b.id));
		if (matching.length >= count) return matching.slice(0, count);
		if (Date.now() > deadline) {
			const states =
				executions.map((execution) => `${execution.id}:${execution.status}`).join(', ') || 'none';
			throw new Error(
				`waited ${Math.round(timeoutMs / 1000)} s for ${count} finished execution(s) of workflow ${workflowId} started by "${startNode}" after execution ${afterId}; got ${matching.length} (executions: ${states})`,
			);
		}
		await sleep(intervalMs);
	}
}

function runData(execution) {
	return (execution.data && execution.data.resultData && execution.data.resultData.runData) || {};
}

/** Items (their json) a node put on one output, over all its runs in the execution. */
function nodeItems(execution, nodeName, output = 0) {
	const runs = runData(execution)[nodeName] || [];
	const items = [];
	for (const run of runs) {
		const main = (run.data && run.data.main) || [];
		for (const item of main[output] || []) items.push(item.json);
	}
	return items;
}

function ran(execution, nodeName) {
	return Boolean(runData(execution)[nodeName]);
}

/** The execution's error with the node it came from, or undefined when it succeeded. */
function executionError(execution) {
	const resultData = (execution.data && execution.data.resultData) || {};
	if (execution.status === 'success' && !resultData.error) return undefined;
	const error = resultData.error || {};
	const node = resultData.lastNodeExecuted ? ` in node "${resultData.lastNodeExecuted}"` : '';
	const description = error.description ? ` (${error.description})` : '';
	return `execution ${execution.id} ${execution.status}${node}: ${error.message || 'no error message'}${description}`;
}

module.exports = { waitForRuns, nodeItems, ran, runData, executionError };
