import {useCallback, useState} from 'react';

export type EvidenceView = {readonly stepId: string | null; readonly text: string | null; readonly error: string | null};

/** Opens a step's evidence summary (key `e`): loads it through the session's reader, keeps it until closed. */
export function useEvidenceViewer(read?: (stepId: string) => Promise<string>) {
	const [view, setView] = useState<EvidenceView | null>(null);
	const open = useCallback((stepId: string | null) => {
		if (stepId === null) {
			setView({stepId, text: 'No step has started yet, so there is no evidence to show.', error: null});
			return;
		}

		if (!read) {
			setView({stepId, text: 'This session has no evidence reader; the files are in the evidence folder shown above.', error: null});
			return;
		}

		setView({stepId, text: null, error: null});
		read(stepId).then(
			text => setView(current => (current?.stepId === stepId ? {...current, text} : current)),
			(error: unknown) => setView(current => (current?.stepId === stepId ? {...current, error: error instanceof Error ? error.message : String(error)} : current)),
		);
	}, [read]);
	const close = useCallback(() => setView(null), []);
	return {view, open, close};
}
