/**
 * The one source of the current time. Every rule, record and timer that speaks of "now" gets a `Clock` from the
 * composition root; tests give a fake one and move it, so a suite that passes today passes next year too. This module
 * is the only reader of the system clock.
 */

/** Milliseconds since the epoch, now. */
export type Clock = () => number;

/** The system's clock. */
export const systemClock: Clock = () => Date.now();
