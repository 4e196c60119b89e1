/* test_router.c: route matching, path parameters, 405 detection and declarative
 * parameter validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/router.h"

#include <stdlib.h>
#include <string.h>

static void handler_a(http_request *req)
{
    (void)req;
}

static const struct param_spec org_params[] = {
    {.name = "code", .type = PARAM_CODE, .max_len = 16},
    {.name = "kind", .type = PARAM_ENUM, .enum_values = "unit|partner"},
    {0}};

static int setup(void **state)
{
    (void)state;
    router_reset();
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/api/v1/organisations",
                               .handler = handler_a,
                               .params = org_params});
    router_add(&(struct route){.methods = HTTP_GET | HTTP_PATCH,
                               .pattern = "/api/v1/organisations/{code}",
                               .handler = handler_a,
                               .params = org_params});
    router_add(&(struct route){
        .methods = HTTP_POST, .pattern = "/api/v1/organisations", .handler = handler_a});
    return 0;
}

static void free_params(http_request *req)
{
    for (int i = 0; i < req->n_path_params; i++)
        free(req->path_params[i].value);
    req->n_path_params = 0;
}

static void test_exact_match(void **state)
{
    (void)state;
    http_request req;
    memset(&req, 0, sizeof req);
    bool matched;
    int allow;
    const struct route *r = router_match(HTTP_GET, "/api/v1/organisations", &req, &matched, &allow);
    assert_non_null(r);
    assert_string_equal(r->pattern, "/api/v1/organisations");
    assert_int_equal(req.n_path_params, 0);
    r = router_match(HTTP_POST, "/api/v1/organisations", &req, &matched, &allow);
    assert_non_null(r);
    assert_int_equal(r->methods, HTTP_POST);
}

static void test_path_parameter(void **state)
{
    (void)state;
    http_request req;
    memset(&req, 0, sizeof req);
    bool matched;
    int allow;
    const struct route *r =
        router_match(HTTP_PATCH, "/api/v1/organisations/SPMU", &req, &matched, &allow);
    assert_non_null(r);
    assert_int_equal(req.n_path_params, 1);
    assert_string_equal(req.path_params[0].name, "code");
    assert_string_equal(req.path_params[0].value, "SPMU");
    free_params(&req);
}

static void test_no_match_and_method_not_allowed(void **state)
{
    (void)state;
    http_request req;
    memset(&req, 0, sizeof req);
    bool matched;
    int allow;
    assert_null(router_match(HTTP_GET, "/api/v1/organisation", &req, &matched, &allow));
    assert_false(matched);
    assert_null(router_match(HTTP_GET, "/api/v1/organisations/", &req, &matched, &allow));
    assert_null(router_match(HTTP_GET, "/api/v1/organisations/A/B", &req, &matched, &allow));
    assert_false(matched);
    assert_null(router_match(HTTP_DELETE, "/api/v1/organisations/SPMU", &req, &matched, &allow));
    assert_true(matched);
    assert_int_equal(allow, HTTP_GET | HTTP_PATCH);
    assert_int_equal(req.n_path_params, 0);
}

static void test_head_uses_get(void **state)
{
    (void)state;
    http_request req;
    memset(&req, 0, sizeof req);
    bool matched;
    int allow;
    assert_non_null(router_match(HTTP_HEAD, "/api/v1/organisations", &req, &matched, &allow));
}

static void test_check_values(void **state)
{
    (void)state;
    p_error err;
    const struct param_spec code = {.name = "code", .type = PARAM_CODE, .max_len = 8};
    assert_int_equal(router_check_value(&code, "SPMU-1", &err), P_OK);
    assert_int_equal(router_check_value(&code, "a b", &err), P_EINVAL);
    assert_string_equal(err.field, "code");
    assert_int_equal(router_check_value(&code, "ABCDEFGHI", &err), P_EINVAL);
    assert_int_equal(router_check_value(&code, "", &err), P_EINVAL);
    assert_int_equal(router_check_value(&code, "x'--", &err), P_EINVAL);

    const struct param_spec lim = {.name = "limit", .type = PARAM_INT, .min = 1, .max = 1000};
    assert_int_equal(router_check_value(&lim, "50", &err), P_OK);
    assert_int_equal(router_check_value(&lim, "0", &err), P_EINVAL);
    assert_int_equal(router_check_value(&lim, "1001", &err), P_EINVAL);
    assert_int_equal(router_check_value(&lim, "12abc", &err), P_EINVAL);
    assert_int_equal(router_check_value(&lim, "99999999999999999999999", &err), P_EINVAL);
    assert_int_equal(router_check_value(&lim, " 5", &err), P_EINVAL);

    const struct param_spec en = {
        .name = "status", .type = PARAM_ENUM, .enum_values = "participating|partner"};
    assert_int_equal(router_check_value(&en, "partner", &err), P_OK);
    assert_int_equal(router_check_value(&en, "part", &err), P_EINVAL);
    assert_int_equal(router_check_value(&en, "partner|x", &err), P_EINVAL);

    const struct param_spec date = {.name = "from", .type = PARAM_DATE};
    assert_int_equal(router_check_value(&date, "2012-02-29", &err), P_OK);
    assert_int_equal(router_check_value(&date, "2011-02-29", &err), P_EINVAL);
    assert_int_equal(router_check_value(&date, "2012-13-01", &err), P_EINVAL);

    const struct param_spec str = {.name = "q", .type = PARAM_STRING, .max_len = 3};
    assert_int_equal(router_check_value(&str, "Ёжи", &err), P_OK); /* 3 code points, 6 bytes */
    assert_int_equal(router_check_value(&str, "abcd", &err), P_EINVAL);
    assert_int_equal(router_check_value(&str, "\xff\xfe", &err), P_EINVAL);
}

static void test_method_bits(void **state)
{
    (void)state;
    assert_int_equal(http_method_bit("GET"), HTTP_GET);
    assert_int_equal(http_method_bit("DELETE"), HTTP_DELETE);
    assert_int_equal(http_method_bit("get"), 0);
    assert_int_equal(http_method_bit("BREW"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_exact_match, setup),
        cmocka_unit_test_setup(test_path_parameter, setup),
        cmocka_unit_test_setup(test_no_match_and_method_not_allowed, setup),
        cmocka_unit_test_setup(test_head_uses_get, setup),
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_method_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
