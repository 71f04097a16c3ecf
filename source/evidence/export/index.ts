import {renderHtml} from './html.js';
import {renderJson} from './json.js';
import {renderMarkdown} from './markdown.js';
import {readEvidence} from './read-folder.js';

// `evidence export` (DESIGN.md §9): one folder → Markdown, one JSON document, or one self-contained HTML file.

export type ExportFormat = 'md' | 'json' | 'html';
export const exportFormats: readonly ExportFormat[] = ['md', 'json', 'html'];

export async function exportEvidence(dir: string, format: ExportFormat): Promise<string> {
	const content = await readEvidence(dir);
	switch (format) {
		case 'md': {
			return renderMarkdown(content);
		}

		case 'json': {
			return renderJson(content);
		}

		case 'html': {
			return renderHtml(content);
		}
	}
}
