#!/usr/bin/env python3
"""bench/activities/generate.py: N synthetic activities as CSV in the import format
(the columns `polis export csv` writes), with distributions shaped like a real registry:
a few lead organisations and countries carry most activities (Zipf-like weights over the
codes of data/framework.json), years 2005-2026 with growth over time, a mix of types,
statuses that follow the dates (past: completed or cancelled, current: ongoing, future:
planned) with the participant figures a completed activity must have, and titles built
from a topic vocabulary per thematic priority so the full-text and overlap searches see
realistic word overlap. Deterministic for a given --seed.

Usage: generate.py [--n N] [--seed S] [--today YYYY-MM-DD] [--framework PATH] OUT.csv
"""
import argparse
import csv
import datetime as dt
import json
import os
import random
import sys

COLUMNS = ["id", "title_en", "title_ru", "description_en", "type", "status", "lead_org",
           "partners", "host_country", "beneficiary_countries", "priorities", "focus_areas",
           "lines", "target_groups", "planned_start", "planned_end", "actual_start",
           "actual_end", "participants_total", "participants_women", "participants_men",
           "tot", "budget_amount", "budget_currency", "budget_source"]

TYPES = [("training", 30), ("workshop", 20), ("conference", 8), ("seminar", 10),
         ("needs_assessment", 4), ("advice", 6), ("equipment_donation", 4), ("study_tour", 4),
         ("exercise", 3), ("publication", 3), ("forum_support", 3), ("survey", 2),
         ("awareness_campaign", 3)]
TYPE_WORDS = {"training": "Training course", "workshop": "Workshop", "conference": "Conference",
              "seminar": "Seminar", "needs_assessment": "Needs assessment",
              "advice": "Expert advice", "equipment_donation": "Equipment donation",
              "study_tour": "Study tour", "exercise": "Simulation exercise",
              "publication": "Guidebook", "forum_support": "Support to the forum",
              "survey": "Perception survey", "awareness_campaign": "Awareness campaign"}
TYPE_RU = {"training": "Учебный курс", "workshop": "Семинар-практикум",
           "conference": "Конференция", "seminar": "Семинар"}
TOPICS = {
    "PDR": ["community policing", "police reform", "police accountability", "public order",
            "police-public partnerships", "gender mainstreaming", "multi-ethnic policing",
            "police ethics", "criminal justice reform", "anti-corruption"],
    "OC": ["organized crime", "criminal intelligence", "financial investigations",
           "asset recovery", "forensic science", "witness protection", "money laundering",
           "international co-operation", "special investigative techniques"],
    "CT": ["countering violent extremism", "radicalization prevention", "terrorist financing",
           "critical infrastructure", "foreign terrorist fighters", "travel document security"],
    "DRUGS": ["drug trafficking", "precursor control", "border drug interdiction",
              "drug demand reduction", "container control", "synthetic drugs"],
    "THB": ["human trafficking", "victim identification", "national referral mechanisms",
            "labour exploitation", "trafficking investigations", "child trafficking"],
    "CYBER": ["cybercrime", "digital forensics", "online child exploitation",
              "cyber security", "electronic evidence", "online hate crime"],
}
AUDIENCES = ["police officers", "prosecutors", "judges", "border guards", "investigators",
             "trainers", "civil society", "police cadets", "senior police managers",
             "customs officers", "labour inspectors", "analysts"]
PLACES = ["regional", "national", "sub-regional", "cross-border", "local", "advanced",
          "basic", "follow-up", "pilot", "train-the-trainer"]
TARGET_GROUPS = ["police", "prosecutors", "judges", "border_guards", "customs",
                 "labour_inspectors", "migration_officers", "financial_investigators",
                 "civil_society", "government_officials", "other"]
CURRENCIES = [("EUR", 80), ("USD", 15), ("CHF", 5)]
SOURCES = ["Unified Budget", "Extra-budgetary: Germany", "Extra-budgetary: United States",
           "Extra-budgetary: Norway", "Extra-budgetary: European Union", "Unified Budget"]


def zipf_weights(n, s=1.1):
    return [1.0 / (i + 1) ** s for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=2012)
    ap.add_argument("--today", default="2026-11-28")
    ap.add_argument("--framework", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "framework.json"))
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    fw = json.load(open(a.framework, encoding="utf-8"))
    orgs = fw["organisations"]
    # Field operations and the Secretariat's units lead most activities; partners rarely.
    lead_pool = [o for o in orgs if o["kind"] in ("field_operation", "unit", "secretariat",
                                                   "institution")]
    rng.shuffle(lead_pool)
    lead_w = zipf_weights(len(lead_pool), 0.9)
    partner_pool = [o["code"] for o in orgs]
    countries = [c["code"] for c in fw["countries"]]
    rng.shuffle(countries)
    country_w = zipf_weights(len(countries), 1.0)
    priorities = fw["priorities"]
    prio_w = [30, 22, 12, 10, 14, 12][:len(priorities)]
    lines = [l["code"] for l in fw["lines_of_action"]]
    types = [t for t, _ in TYPES]
    type_w = [w for _, w in TYPES]
    # Activity counts grow over the years 2005-2026.
    years = list(range(2005, 2027))
    year_w = [1.0 + 0.12 * (y - 2005) for y in years]
    today = dt.date.fromisoformat(a.today)

    out = open(a.out, "w", newline="", encoding="utf-8")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    choices = rng.choices
    for i in range(a.n):
        lead = choices(lead_pool, lead_w)[0]
        if lead["country"]:
            host = lead["country"]
        else:
            host = choices(countries, country_w)[0] if rng.random() < 0.85 else ""
        ben = {host} if host else set()
        for _ in range(choices([0, 1, 2, 3], [50, 30, 15, 5])[0]):
            ben.add(choices(countries, country_w)[0])
        ben.discard("")
        pr = choices(priorities, prio_w)[0]
        prios = [pr["code"]]
        if rng.random() < 0.2:
            other = choices(priorities, prio_w)[0]["code"]
            if other not in prios:
                prios.append(other)
        fas = [f["code"] for f in pr["focus_areas"]]
        focus = rng.sample(fas, min(len(fas), choices([1, 2], [70, 30])[0]))
        typ = choices(types, type_w)[0]
        topic = rng.choice(TOPICS.get(pr["code"], TOPICS["PDR"]))
        audience = rng.choice(AUDIENCES)
        place = rng.choice(PLACES)
        title = f"{TYPE_WORDS[typ]} on {topic} for {audience} ({place}, no. {i % 997 + 1})"
        title_ru = f"{TYPE_RU[typ]}: {topic}" if typ in TYPE_RU and rng.random() < 0.3 else ""
        year = choices(years, year_w)[0]
        start = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        length = choices([0, 1, 2, 4, 9, 30, 90, 365], [25, 25, 20, 12, 8, 5, 3, 2])[0]
        end = start + dt.timedelta(days=length)
        if end < today and start < today:
            status = choices(["completed", "cancelled"], [93, 7])[0]
        elif start <= today:
            status = "ongoing"
        else:
            status = choices(["planned", "cancelled"], [97, 3])[0]
        actual_start = actual_end = ""
        total = women = men = ""
        if status in ("completed", "ongoing"):
            actual_start = start.isoformat()
            if status == "completed":
                actual_end = end.isoformat()
            if status == "completed" or rng.random() < 0.3:
                t = int(rng.lognormvariate(3.0, 0.8)) + 3
                wm = int(t * rng.uniform(0.1, 0.6))
                total, women, men = str(t), str(wm), str(t - wm)
        tgs = rng.sample(TARGET_GROUPS, choices([1, 2, 3], [50, 35, 15])[0])
        partners = []
        if rng.random() < 0.35:
            p = rng.choice(partner_pool)
            if p != lead["code"]:
                partners.append(p)
        budget = cur = src = ""
        if rng.random() < 0.6:
            budget = str(int(rng.lognormvariate(9.5, 1.2)))
            cur = choices([c for c, _ in CURRENCIES], [x for _, x in CURRENCIES])[0]
            src = rng.choice(SOURCES)
        desc = (f"{TYPE_WORDS[typ]} on {topic} for {audience}, organized by {lead['code']}"
                f" with national counterparts.")
        w.writerow(["", title, title_ru, desc, typ, status, lead["code"], ";".join(partners),
                    host, ";".join(sorted(ben)), ";".join(prios), ";".join(focus),
                    ";".join(rng.sample(lines, choices([1, 2], [75, 25])[0])), ";".join(tgs),
                    start.isoformat(), end.isoformat() if length else "", actual_start,
                    actual_end, total, women, men,
                    "true" if rng.random() < 0.08 else "false", budget, cur, src])
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
