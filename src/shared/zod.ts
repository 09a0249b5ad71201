import { z } from "zod";

/**
 * Zod as every schema here uses it. Building an object schema probes `new Function` to decide
 * whether to compile its parser; a page's CSP forbids eval and the browser reports the probe as a
 * violation even though Zod catches it. So in the browser Zod runs without compiling, set before
 * any schema is built (each schema module imports z from here); the server keeps compiled parsers.
 */
if (typeof window !== "undefined") z.config({ jitless: true });

export { z };
