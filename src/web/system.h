/* system.h: operational endpoints: /healthz for load balancers and /metrics for
 * Prometheus. Neither reveals anything about users or records. */
#ifndef POLIS_SYSTEM_H
#define POLIS_SYSTEM_H

void system_register_routes(void);

#endif
