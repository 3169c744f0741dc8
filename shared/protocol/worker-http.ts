/**
 * The gateway ↔ worker HTTP contract (besides the Bokeh protocol the gateway proxies through untouched).
 * The gateway always overwrites these headers on proxied requests, so a client cannot set them.
 */

/** Where plothost is mounted in the site (e.g. `/viz`), "" at the root; pages build their static URLs from it. */
export const MOUNT_HEADER = "x-plothost-mount";

/** The worker's health endpoint, on its socket only (the gateway proxies `/<app>/...` and nothing else). */
export const HEALTH_PATH = "/__plothost/health";

/** A mount path as the gateway may send it: "" or `/segment[/segment...]`. */
export const MOUNT_PATTERN = /^(\/[A-Za-z0-9._~-]+)*$/;
