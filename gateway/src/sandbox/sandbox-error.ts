/**
 * Stable codes for sandbox failures. They happen at gateway start (`sandbox_unavailable`) or are programming
 * errors in a spawn spec (`sandbox_spec_invalid`); neither reaches a client, so they are not in the HTTP catalogue.
 */
export type SandboxErrorCode = "sandbox_unavailable" | "sandbox_spec_invalid";

/** A sandbox failure whose message says what is wrong and what to do about it. */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;

  constructor(code: SandboxErrorCode, message: string) {
    super(message);
    this.name = "SandboxError";
    this.code = code;
  }
}
