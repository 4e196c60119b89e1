/* assets.h: the CSS, JavaScript and images embedded in the binary, served under
 * /assets/ with a content hash as ETag and long-lived caching. */
#ifndef POLIS_HTTP_ASSETS_H
#define POLIS_HTTP_ASSETS_H

/* Computes the ETags and registers GET /assets/{name}. Call once at start-up. */
void assets_register(void);

/* The versioned URL of an asset ("/assets/app.css?v=ETAG"), or NULL if there is none. */
const char *assets_url(const char *name);

#endif
