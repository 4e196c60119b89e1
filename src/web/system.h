/* system.h: operational endpoints: /healthz for load balancers, /metrics for Prometheus
 * and /api/v1/openapi.json for API clients. None reveals anything about users or records. */
#ifndef POLIS_SYSTEM_H
#define POLIS_SYSTEM_H

/* Registers GET /healthz, GET /metrics and GET /api/v1/openapi.json (computing the
 * description's ETag). Call once at start-up. */
void system_register_routes(void);

#endif
