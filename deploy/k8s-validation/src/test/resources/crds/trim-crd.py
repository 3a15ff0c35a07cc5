#!/usr/bin/env python3
"""Trims an operator's CustomResourceDefinition to what the structural validator reads.

Usage: trim-crd.py SOURCE-NOTE < crd.yaml > trimmed.yaml

Keeps apiVersion, kind, metadata.name, spec.group, spec.names.kind and, per served version, its name and
openAPIV3Schema; drops the schema keywords "description" and "example" (prose, most of the bytes). Property names
are never dropped: a property called "description" stays.
"""
import sys

import yaml

DROPPED_KEYWORDS = {"description", "example"}


def trim(schema):
    if isinstance(schema, list):
        return [trim(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in DROPPED_KEYWORDS:
            continue
        if key == "properties":
            out[key] = {name: trim(sub) for name, sub in value.items()}
        elif key in ("default", "enum"):
            out[key] = value
        else:
            out[key] = trim(value)
    return out


crd = yaml.safe_load(sys.stdin)
trimmed = {
    "apiVersion": crd["apiVersion"],
    "kind": crd["kind"],
    "metadata": {"name": crd["metadata"]["name"]},
    "spec": {
        "group": crd["spec"]["group"],
        "names": {"kind": crd["spec"]["names"]["kind"]},
        "versions": [
            {"name": v["name"], "schema": {"openAPIV3Schema": trim(v["schema"]["openAPIV3Schema"])}}
            for v in crd["spec"]["versions"]
            if v.get("served", False)
        ],
    },
}
print("# " + sys.argv[1])
print("# Trimmed by trim-crd.py: the served versions' openAPIV3Schema without description and example keywords.")
print(yaml.safe_dump(trimmed, sort_keys=False, width=120), end="")
