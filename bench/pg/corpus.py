#!/usr/bin/env python3
"""bench/pg/corpus.py: N synthetic library documents for `polis import documents`: a
META.json and one plain-text English edition of about 3 KB per document, built from a
policing vocabulary so that common words ("police", "training") match many documents and
rare ones few. Deterministic for a given --seed.

Usage: corpus.py [--n N] [--seed S] OUTDIR     (writes OUTDIR/meta.json and OUTDIR/txt/*.txt)
"""
import argparse
import json
import os
import random

COMMON = ["police", "policing", "community", "training", "officers", "public", "reform",
          "security", "justice", "cooperation", "national", "regional", "guidance"]
TOPICS = ["accountability", "oversight", "trafficking", "cybercrime", "forensics",
          "extremism", "border", "corruption", "gender", "victims", "evidence", "intelligence",
          "investigation", "prosecution", "integrity", "ethics", "procurement", "detention",
          "interviewing", "patrol", "neighbourhood", "youth", "schools", "violence",
          "domestic", "migration", "customs", "laundering", "narcotics", "weapons",
          "terrorism", "prevention", "partnership", "trust", "complaints", "discipline"]
FILLER = ["the", "of", "and", "to", "in", "for", "with", "on", "by", "a", "is", "are",
          "should", "may", "each", "their", "this", "that", "practice", "principles",
          "states", "services", "staff", "management", "standards", "rights", "law",
          "measures", "approach", "review", "data", "experience", "framework", "support"]
PRIORITIES = ["PDR", "OC", "CT", "DRUGS", "THB", "CYBER"]


def sentence(rng, topics):
    words = []
    for _ in range(rng.randint(10, 22)):
        r = rng.random()
        if r < 0.08:
            words.append(rng.choice(COMMON))
        elif r < 0.20:
            words.append(rng.choice(topics))
        else:
            words.append(rng.choice(FILLER))
    return " ".join(words).capitalize() + "."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "txt"), exist_ok=True)
    docs = []
    for i in range(a.n):
        topics = rng.sample(TOPICS, 3)
        title = f"Guide to {topics[0]} and {topics[1]} in {rng.choice(COMMON)} work, no. {i + 1}"
        paragraphs, size = [], 0
        while size < 3000:
            p = " ".join(sentence(rng, topics) for _ in range(rng.randint(3, 6)))
            paragraphs.append(p)
            size += len(p) + 2
        name = f"txt/doc{i + 1:06d}.txt"
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.write(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
        docs.append({"title": title, "year": 2000 + i % 27,
                     "priorities": [rng.choice(PRIORITIES)],
                     "abstract": sentence(rng, topics),
                     "editions": {"en": {"title": title, "file": name}}})
    with open(os.path.join(a.out, "meta.json"), "w", encoding="utf-8") as f:
        json.dump({"documents": docs}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
