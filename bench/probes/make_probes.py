#!/usr/bin/env python3
"""Writes the probe workloads of bench/README.md ("Sixth pass at item 2"): 10,000 event patterns per file, one JSON
pattern per line, each file leaning on one shape the scan's own mixes do not have. They run against the scan's events:

    python3 bench/probes/make_probes.py /tmp/probes
    dotnet run -c Release --project bench/OpenEvent.Rules.Bench -- scan 30000 --patterns-file /tmp/probes/ors.jsonl --patterns 10,1000,10000

and the long texts of "Seventh pass at item 2" with events of their own (3,000 events with an 18 KB `sqlText`, and
`contains` patterns on it):

    dotnet run -c Release --project bench/OpenEvent.Rules.Bench -- scan 3000 --patterns-file /tmp/probes/bigsql.jsonl \
      --events-file /tmp/probes/bigsql-events.jsonl --patterns 10,100,1000
"""
import json
import os
import random
import sys

r = random.Random(1)
TYPES = ["FileChange:CommitFile", "FileChange:DeployFile", "FileChange:RunFile", "FileChange:DeleteFile",
         "TableChange:CommitTable", "TableChange:DeployTable", "NodeChange:NodeChangeCreated",
         "NodeChange:NodeChangeUpdated", "InstanceStatusChanges:InstanceStatusChanges",
         "DqcCheck:DqcCheckFinishedEvent", "ResourcesDownload:DownloadResources", "ProjectChange:DeleteProject"]
LAYERS = ["dws_", "ods_", "dim_", "ads_", "tmp_", "adhoc_"]
TABLES = ["orders", "users", "sku", "payments", "events", "refunds", "stock", "sessions"]
REGIONS = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"]


def type_():
    return "dataworks:" + r.choice(TYPES)


def user():
    return str(200012345000000 + r.randrange(20000))  # the scan's users


def workspace():
    return 10_000_000 + r.randrange(4000)  # the scan's workspaces


def numeric(low, width, field):
    return {"data": {field: [{"numeric": [">=", low, "<", low + width]}]}}


PROBES = {
    # 20 users per policy: long lists, listed under each value
    "lists": lambda: {"type": [type_()], "data": {"operator": [user() for _ in range(20)]}},
    # a type and a range of workspaces
    "numeric": lambda: {"type": [type_()], **numeric(workspace(), 20, "projectId")},
    # ranges alone, overlapping: ~270 matches per event (the answer's size bounds the cost)
    "numericonly": lambda: numeric(283780000010000 + r.randrange(100), 3, "tenantId"),
    "ignorecase": lambda: {"data": {"operator": [{"equals-ignore-case": user()}]}},
    "suffix": lambda: {"data": {"fileName": [{"suffix": "_%d" % r.randrange(500)}]}, "type": [{"prefix": "dataworks:FileChange"}]},
    "existsfalse": lambda: {"type": [type_()], "data": {"projectId": [workspace()], "fileName": [{"exists": False}]}},
    # three branches on three fields
    "ors": lambda: {"$or": [{"data": {"projectId": [workspace()]}}, {"data": {"operator": [user()]}},
                            {"data": {"fileName": [{"prefix": r.choice(LAYERS) + r.choice(TABLES) + "_d"}]}}]},
    "envelope": lambda: {"aliyunaccountid": [str(1234567890123000 + r.randrange(100))],
                         "aliyunregionid": [r.choice(REGIONS), r.choice(REGIONS)],
                         "type": [{"prefix": "dataworks:" + r.choice(TYPES).split(':')[0]}]},
    "anythingbut": lambda: {"type": [{"anything-but": [type_() for _ in range(3)]}], "data": {"projectId": [workspace()]}},
    # a field per team: 5,000 fields no event has
    "wide": lambda: {"data": {"custom_%d" % r.randrange(5000): [str(r.randrange(100))]}},
    "sizeprefix": lambda: {"data": {"fileSize": [{"numeric": [">", r.randrange(1, 10**6)]}],
                                    "fileName": [{"prefix": r.choice(LAYERS) + r.choice(TABLES)}]}},
    # two types each, every event of them: ~1,600 matches per event
    "typesonly": lambda: {"type": ["dataworks:" + t for t in r.sample(TYPES[:5], 2)], "source": ["acs.dataworks"]},
}

SQL_WORDS = ["select", "from", "where", "insert", "overwrite", "table", "partition", "join", "on", "group", "by", "and",
             "or", "case", "when", "then", "end", "into", "ds"]


def table_name():
    return "%s%s_%d" % (r.choice(LAYERS), r.choice(TABLES), r.randrange(500))


def big_sql_event(number):
    words = []
    while sum(len(w) + 1 for w in words) < 18_000:
        words.append(table_name() if r.randrange(4) == 0 else r.choice(SQL_WORDS))
    return {"specversion": "1.0", "id": str(number), "source": "acs.dataworks", "type": "dataworks:FileChange:CommitFile",
            "data": {"projectId": workspace(), "sqlText": " ".join(words)}}


def write_long_texts(folder):
    """Patterns naming a table in the SQL (a trailing space: the whole name), and events made mostly of SQL text."""
    with open(os.path.join(folder, "bigsql.jsonl"), "w", encoding="utf-8") as out:
        for _ in range(10_000):
            out.write(json.dumps({"data": {"sqlText": [{"contains": table_name() + " "}]}}) + "\n")
    with open(os.path.join(folder, "bigsql-events.jsonl"), "w", encoding="utf-8") as out:
        for number in range(3_000):
            out.write(json.dumps(big_sql_event(number)) + "\n")
    print(os.path.join(folder, "bigsql.jsonl"), os.path.join(folder, "bigsql-events.jsonl"))


def write_wildcards(folder):
    """The wildcards of "Eighth pass at item 2" (each with a generator of its own, so the files above stay as they were):
    headtail.jsonl, 10,000 wildcards whose heads are the six layers and whose tails are a table, a period and a file
    number, as the scan's file names are made; bigwild.jsonl, 10 policies of 3,000 such wildcards in one list."""
    rw = random.Random(3)
    periods = ["", "_daily", "_hourly", "_tmp"]
    with open(os.path.join(folder, "headtail.jsonl"), "w", encoding="utf-8") as out:
        for _ in range(10_000):
            tail = rw.choice(TABLES) + rw.choice(periods) + "_" + str(rw.randrange(500))
            out.write(json.dumps({"data": {"fileName": [{"wildcard": rw.choice(LAYERS) + "*" + tail}]}}) + "\n")
    with open(os.path.join(folder, "bigwild.jsonl"), "w", encoding="utf-8") as out:
        for _ in range(10):
            entries = [{"wildcard": rw.choice(LAYERS) + "*_" + str(rw.randrange(100_000))} for _ in range(3000)]
            out.write(json.dumps({"data": {"fileName": entries}}) + "\n")
    print(os.path.join(folder, "headtail.jsonl"), os.path.join(folder, "bigwild.jsonl"))


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "probes"
    os.makedirs(folder, exist_ok=True)
    for name, make in PROBES.items():
        with open(os.path.join(folder, name + ".jsonl"), "w", encoding="utf-8") as out:
            for _ in range(10_000):
                out.write(json.dumps(make()) + "\n")
        print(os.path.join(folder, name + ".jsonl"))
    write_long_texts(folder)
    write_wildcards(folder)
