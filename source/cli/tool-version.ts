/** The code version runs record; a resume refuses a run started by another version (DESIGN.md §6). */
export const toolVersion = '0.1.0';
