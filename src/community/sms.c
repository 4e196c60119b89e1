/* sms.c (community): concerns by text message, through a phone running the SMSSync gateway.
 * The gateway posts each incoming message (from, message, message_id, secret, sent_to,
 * sent_timestamp); a message that is a tracking code is answered with that concern's
 * status, any other message becomes a concern (its first word may name the service) and is
 * answered with its tracking code. The reply travels back in SMSSync's "send" task. The
 * shared secret comes from POLIS_SMS_SECRET; without it the endpoint is closed. Message
 * texts and numbers are personal data: they are never logged. */
#include "community/internal.h"

#include "core/text.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { SMS_TEXT_MAX = 1600, SMS_FROM_MAX = 40 };

static void reply_payload(http_request *req, int status, bool success, const char *error,
                          const char *to, const char *message)
{
    json_t *payload = json_pack("{s:b}", "success", success);
    json_object_set_new(payload, "error", error ? json_string(error) : json_null());
    if (to && message) {
        json_object_set_new(payload, "task", json_string("send"));
        json_object_set_new(payload, "messages",
                            json_pack("[{s:s, s:s}]", "to", to, "message", message));
    }
    http_reply_json(req, status, json_pack("{s:o}", "payload", payload));
}

static bool secret_ok(const char *given)
{
    const char *want = getenv("POLIS_SMS_SECRET");
    if (!want || !*want || !given) return false;
    size_t n = strlen(want);
    return strlen(given) == n && sodium_memcmp(want, given, n) == 0;
}

/* The service a message's first word names (a service code or one of its keywords), or
 * "other". Writes into out (41 bytes). */
static int service_of_message(store *s, const char *text, char out[static 41], p_error *err)
{
    snprintf(out, 41, "other");
    char word[41] = "";
    size_t n = 0;
    while (*text == ' ')
        text++;
    while (text[n] && text[n] != ' ' && text[n] != ',' && text[n] != ':' && n < 40)
        n++;
    memcpy(word, text, n);
    word[n] = '\0';
    if (!*word) return P_OK;
    json_t *services = NULL;
    int rc = community_services(s, &services, err);
    if (rc != P_OK) return rc;
    size_t i;
    json_t *sv;
    json_array_foreach(services, i, sv)
    {
        const char *code = json_string_value(json_object_get(sv, "code"));
        const char *kw = json_string_value(json_object_get(sv, "keywords"));
        bool hit = strcasecmp(code, word) == 0;
        for (const char *p = kw; !hit && p && *p;) {
            const char *comma = strchr(p, ',');
            size_t len = comma ? (size_t)(comma - p) : strlen(p);
            hit = len == strlen(word) && strncasecmp(p, word, len) == 0;
            p = comma ? comma + 1 : NULL;
        }
        if (hit) {
            snprintf(out, 41, "%s", code);
            break;
        }
    }
    json_decref(services);
    return P_OK;
}

static void status_reply(http_request *req, json_t *rec, const char *from)
{
    char text[200];
    json_t *events = json_object_get(rec, "events");
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    const char *note = json_string_value(json_object_get(last, "note"));
    snprintf(text, sizeof text, "Polis %s: %s%s%.120s",
             json_string_value(json_object_get(rec, "tracking_code")),
             json_string_value(json_object_get(rec, "status")), note && *note ? ". " : "",
             note ? note : "");
    reply_payload(req, 200, true, NULL, from, text);
}

static void smssync_handler(http_request *req)
{
    form f;
    memset(&f, 0, sizeof f);
    p_error err;
    p_error_clear(&err);
    if (form_parse(buf_str(&req->body), req->body.len, &f, &err) != P_OK) {
        reply_payload(req, 400, false, err.message, NULL, NULL);
        return;
    }
    const char *from = form_get(&f, "from"), *message = form_get(&f, "message");
    const char *message_id = form_get(&f, "message_id");
    store *s = NULL;
    if (!secret_ok(form_get(&f, "secret"))) {
        reply_payload(req, 403, false, "wrong secret", NULL, NULL);
    } else if (!from || !*from || strlen(from) > SMS_FROM_MAX || !message || !*message ||
               strlen(message) > SMS_TEXT_MAX || !message_id || !*message_id ||
               strlen(message_id) > 60) {
        reply_payload(req, 400, false, "from, message and message_id are required", NULL, NULL);
    } else if ((s = api_store(req))) {
        json_t *rec = NULL;
        char code[CONCERN_TRACKING_LEN + 1];
        bool is_code = concern_tracking_normalise(message, code);
        int rc = is_code ? concern_public(s, code, &rec, &err) : P_ENOTFOUND;
        if (rc == P_OK) {
            status_reply(req, rec, from);
        } else if (rc != P_ENOTFOUND) {
            reply_payload(req, 500, false, "the concern could not be read", NULL, NULL);
        } else {
            char service[41], client_id[80];
            rc = service_of_message(s, message, service, &err);
            snprintf(client_id, sizeof client_id, "sms:%s", message_id);
            struct concern_new c = {.channel = "sms",
                                    .service_code = service,
                                    .description = message,
                                    .contact_phone = from,
                                    .client_id = client_id,
                                    .cannot_ask = true};
            bool created = false;
            struct actor by = {"sms", http_client(req)};
            if (rc == P_OK) rc = concern_create(s, &c, &by, &rec, &created, &err);
            if (rc == P_OK) {
                char text[160];
                const char *t = json_string_value(json_object_get(rec, "tracking_code"));
                snprintf(text, sizeof text,
                         "Polis: your concern is received. Tracking code %.5s-%s. Send the code "
                         "to get its status.",
                         t, t + 5);
                reply_payload(req, 200, true, NULL, from, text);
            } else if (rc == P_EINVAL || rc == P_EUNPROC) {
                /* A message that cannot become a concern (bad UTF-8, say) is still taken,
                 * so the gateway does not send it again and again. */
                reply_payload(req, 200, true, NULL, from,
                              "Polis: your message could not be recorded. Please call the police "
                              "station or visit the reception.");
            } else {
                reply_payload(req, 500, false, "the concern could not be recorded", NULL, NULL);
            }
        }
        json_decref(rec);
    }
    form_free(&f);
}

void community_sms_register(void)
{
    const struct route r = {
        .methods = HTTP_POST, .pattern = "/sms/smssync", .handler = smssync_handler};
    router_add(&r);
}
