/** What the server process tells whoever started it (the launcher keeps its code cache by them). */
export interface Milestones {
  /** Start-up is over: the transport is listening. */
  ready?(): void;
  /** A tool call was answered (successfully or not). */
  answered?(): void;
}
