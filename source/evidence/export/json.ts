import {type EvidenceContent, runIdOf} from './read-folder.js';

// One JSON document: manifest, integrity, every step record, an events summary and the snapshots.

export function renderJson(content: EvidenceContent): string {
	const byType: Record<string, number> = {};
	for (const event of content.events) {
		byType[event.type] = (byType[event.type] ?? 0) + 1;
	}

	const document = {
		format: 'community-runbook-evidence-export/1',
		run_id: runIdOf(content),
		folder: content.folder,
		manifest: content.manifest,
		integrity: content.integrity,
		steps: content.steps.map(step => ({file: step.file, ...step.record})),
		events: {
			count: content.events.length,
			first_at: content.events[0]?.at ?? null,
			last_at: content.events.at(-1)?.at ?? null,
			chain_head: content.events.at(-1)?.hash ?? null,
			by_type: byType,
			steps: [...new Set(content.events.map(event => event.step).filter(step => step !== null))],
		},
		snapshots: content.snapshots,
	};
	return JSON.stringify(document, null, 2) + '\n';
}
