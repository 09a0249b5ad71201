/**
 * The API contract: every input and output schema of the tRPC procedures, imported by the server
 * to validate and by the UI for its types and forms. See API.md for the procedure table.
 */
export * from "./enums";
export * from "./limits";
export * from "./text";
export * from "./auth";
export * from "./bot";
export * from "./chat";
