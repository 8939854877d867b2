/** Milliseconds since the Unix epoch; every timestamp in the model is one. A leaf: it imports nothing. */
export type EpochMs = number;
