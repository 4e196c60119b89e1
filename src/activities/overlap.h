/* overlap.h: co-ordination against duplication: for an activity (stored, or a draft on
 * the form before saving) the activities of other organisations that likely duplicate or
 * overlap it, ranked by a score.
 *
 * Candidates are found through indexes only: the date-range index (activity_periods,
 * periods.c) gives the activities of other organisations whose planned period comes within
 * the window and that share a focus area, a thematic priority or a country (at most
 * 3,000 index rows, read month by month from the activity's own months outwards, each
 * month in that order of codes), united with the best full-text (FTS5, BM25)
 * matches within the window of the activity's rarer title words (taken rarest first while
 * at most 1,000 activities hold them: common words would read much of the index and say
 * little). The likeliest 200 are scored in C, each from its row of activity_scoring
 * (schema 0021: its period, host, titles and codes, kept in step by the service):
 *
 *   score = 0.35 * topic + 0.25 * time + 0.20 * country + 0.20 * text
 *
 *   topic   Jaccard of the codes of priorities and focus areas (shared / all distinct)
 *   time    1 when the planned periods overlap, falling linearly to 0 at window_days apart
 *           (a period without planned_end is its planned_start day)
 *   country Jaccard of the countries touched: host and beneficiary countries
 *   text    Jaccard of the sets of title words (letters and digits, case-folded for Latin
 *           and Cyrillic, words of fewer than 3 characters, numbers and common English and
 *           Russian function words left out), the better of English and Russian
 *
 * A candidate is returned when it shares a priority or focus area or a title word, and its
 * score is at least OVERLAP_THRESHOLD. The activity itself and activities of its lead
 * organisation are never returned. */
#ifndef POLIS_ACTIVITIES_OVERLAP_H
#define POLIS_ACTIVITIES_OVERLAP_H

#include "store/store.h"

#include <jansson.h>

#define OVERLAP_WINDOW_DEFAULT 90   /* days, unless POLIS_OVERLAP_WINDOW_DAYS says */
#define OVERLAP_WINDOW_MAX     3650 /* days */
#define OVERLAP_LIMIT_DEFAULT  10
#define OVERLAP_LIMIT_MAX      100
#define OVERLAP_THRESHOLD      0.3

struct overlap_options {
    int window_days; /* 0..OVERLAP_WINDOW_MAX: how far apart planned periods may be */
    int limit;       /* 1..OVERLAP_LIMIT_MAX: most candidates returned */
};

/* Fills opt with the defaults: window_days from POLIS_OVERLAP_WINDOW_DAYS (an integer in
 * 0..OVERLAP_WINDOW_MAX, else OVERLAP_WINDOW_DEFAULT), limit OVERLAP_LIMIT_DEFAULT. */
void overlap_options_default(struct overlap_options *opt);

/* Finds the likely duplicates of activity, a record in the API shape (a stored one or a
 * draft: only id, title, lead_org, host_country, beneficiary_countries, priorities,
 * focus_areas, planned_start and planned_end are read; codes that exist nowhere match
 * nothing). opt NULL means the defaults. *out receives a new array of
 *   {"id", "title", "lead_org", "planned_start", "planned_end", "score",
 *    "reasons": {"shared_priorities", "shared_focus_areas", "shared_countries",
 *                "days_apart" (0 when the periods overlap), "text_similarity" (0..1)}}
 * sorted by score, highest first. P_EINVAL naming the member for a member of the wrong
 * type, a missing or malformed planned_start, or options out of range. */
MUST_CHECK int overlap_find_candidates(store *s, json_t *activity,
                                       const struct overlap_options *opt, json_t **out,
                                       p_error *err);

/* overlap_find_candidates for the stored activity public_id; P_ENOTFOUND when there is
 * none. */
MUST_CHECK int overlap_for_activity(store *s, const char *public_id,
                                    const struct overlap_options *opt, json_t **out, p_error *err);

/* The text part of the score: Jaccard of the title word sets of a and b (0..1). */
double overlap_title_similarity(const char *a, const char *b);

/* The score from its parts, each in 0..1 (see the formula above). */
double overlap_score(double topic, double time, double country, double text);

/* Registers GET /api/v1/activities/{id}/overlaps and POST
 * /api/v1/activities/overlaps-check (overlap_api.c). */
void overlap_register_routes(void);

#endif
