/* metrics.h: request counters by route and status, a latency histogram and the number of
 * open connections, rendered in the Prometheus text format at /metrics. Lock-free. */
#ifndef POLIS_HTTP_METRICS_H
#define POLIS_HTTP_METRICS_H

#include "core/buf.h"

#include <stdint.h>

/* Records one finished request; route_index -1 for unmatched paths. */
void metrics_observe(int route_index, int status, int64_t duration_ns);
void metrics_connection_opened(void);
void metrics_connection_closed(void);
/* Appends the exposition text to out. */
void metrics_render(buf *out);

#endif
