/* metrics.c: fixed-size atomic counters; no allocation on the request path. */
#include "http/metrics.h"
#include "http/router.h"

#include <stdatomic.h>
#include <stdio.h>

static const int tracked_status[] = {200, 201, 204, 301, 303, 304, 400, 401, 403, 404,
                                     405, 409, 413, 415, 422, 429, 431, 500, 503};
#define N_STATUS (sizeof tracked_status / sizeof tracked_status[0] + 1) /* +1: other */
#define N_SLOTS  (ROUTER_MAX_ROUTES + 1)                                /* +1: unmatched */

static const double bucket_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                  0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define N_BUCKETS (sizeof bucket_s / sizeof bucket_s[0])

static atomic_uint_fast64_t requests[N_SLOTS][N_STATUS];
static atomic_uint_fast64_t latency_buckets[N_BUCKETS + 1];
static atomic_uint_fast64_t latency_sum_us;
static atomic_uint_fast64_t latency_count;
static atomic_int open_connections;

static size_t status_slot(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (tracked_status[i] == status) return i;
    return N_STATUS - 1;
}

void metrics_observe(int route_index, int status, int64_t duration_ns)
{
    size_t slot = (route_index >= 0 && route_index < ROUTER_MAX_ROUTES) ? (size_t)route_index
                                                                        : ROUTER_MAX_ROUTES;
    atomic_fetch_add_explicit(&requests[slot][status_slot(status)], 1, memory_order_relaxed);
    double s = (double)duration_ns / 1e9;
    size_t b = 0;
    while (b < N_BUCKETS && s > bucket_s[b])
        b++;
    atomic_fetch_add_explicit(&latency_buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_sum_us, (uint_fast64_t)(duration_ns / 1000),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_count, 1, memory_order_relaxed);
}

void metrics_connection_opened(void)
{
    atomic_fetch_add(&open_connections, 1);
}

void metrics_connection_closed(void)
{
    atomic_fetch_sub(&open_connections, 1);
}

static void render_requests(buf *out)
{
    buf_puts(out, "# HELP polis_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE polis_http_requests_total counter\n");
    for (size_t r = 0; r < N_SLOTS; r++) {
        const struct route *route = router_at((int)r);
        const char *name = route ? route->name : "unmatched";
        if (!route && r != ROUTER_MAX_ROUTES) continue;
        char labels[256]; /* method (for routed requests) and route */
        if (route) {
            char methods[64];
            http_methods_text(route->methods, "|", methods, sizeof methods);
            snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\"", methods, name);
        } else {
            snprintf(labels, sizeof labels, "route=\"%s\"", name);
        }
        for (size_t s = 0; s < N_STATUS; s++) {
            uint64_t v = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
            if (!v) continue;
            if (s == N_STATUS - 1)
                buf_printf(out, "polis_http_requests_total{%s,status=\"other\"} %llu\n", labels,
                           (unsigned long long)v);
            else
                buf_printf(out, "polis_http_requests_total{%s,status=\"%d\"} %llu\n", labels,
                           tracked_status[s], (unsigned long long)v);
        }
    }
}

static void render_latency(buf *out)
{
    buf_puts(out, "# HELP polis_http_request_duration_seconds Time from first byte to reply.\n"
                  "# TYPE polis_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cumulative += atomic_load_explicit(&latency_buckets[b], memory_order_relaxed);
        buf_printf(out, "polis_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n", bucket_s[b],
                   (unsigned long long)cumulative);
    }
    cumulative += atomic_load_explicit(&latency_buckets[N_BUCKETS], memory_order_relaxed);
    buf_printf(out, "polis_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
               (unsigned long long)cumulative);
    buf_printf(out, "polis_http_request_duration_seconds_sum %.6f\n",
               (double)atomic_load(&latency_sum_us) / 1e6);
    buf_printf(out, "polis_http_request_duration_seconds_count %llu\n",
               (unsigned long long)atomic_load(&latency_count));
}

void metrics_render(buf *out)
{
    render_requests(out);
    render_latency(out);
    buf_printf(out,
               "# HELP polis_http_open_connections Connections currently open.\n"
               "# TYPE polis_http_open_connections gauge\n"
               "polis_http_open_connections %d\n",
               atomic_load(&open_connections));
}
