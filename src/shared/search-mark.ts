/**
 * Where a search snippet's highlighted words start and end: control characters that a snippet's
 * text never contains (the server strips them from it), so a client splits on them and renders
 * the runs between as highlighted text, never parsing markup. (A module of its own, without Zod,
 * so that the UI takes the constant without the schemas.)
 */
export const SEARCH_MARK = { start: "\u0002", end: "\u0003" } as const;
