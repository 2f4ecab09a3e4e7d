#!/usr/bin/env python3
"""Writes AdmissionReview request bodies (shaped like kube-apiserver's, fixture 05) from deploy/examples."""
import json, os, subprocess, sys, uuid

root, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
picks = [
    ("valid-webhook", "deploy/examples/webhook.yaml"),
    ("valid-cron", "deploy/examples/cron.yaml"),
    ("invalid-bad-cron", "deploy/examples/invalid/bad-cron.yaml"),
    ("invalid-unknown-type", "deploy/examples/invalid/unknown-type.yaml"),
]
for name, path in picks:
    # kubectl converts YAML to JSON offline (reference/admission.md §6).
    obj = json.loads(subprocess.check_output(
        ["kubectl", "patch", "--local", "-f", os.path.join(root, path), "--type", "merge", "-p", "{}", "-o", "json"]))
    obj["metadata"].update({"uid": str(uuid.uuid4()), "creationTimestamp": "2026-11-28T08:00:00Z", "generation": 1})
    gvk = {"group": "arkonis.dev", "version": "v1alpha1", "kind": "ArkEvent"}
    gvr = {"group": "arkonis.dev", "version": "v1alpha1", "resource": "arkevents"}
    review = {"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {
        "uid": str(uuid.uuid4()), "kind": gvk, "resource": gvr, "requestKind": gvk, "requestResource": gvr,
        "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", "default"), "operation": "CREATE",
        "userInfo": {"username": "kubernetes-admin", "groups": ["system:masters", "system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False,
        "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-client-side-apply"}}}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(review, f, separators=(",", ":"))
    print(name, os.path.getsize(os.path.join(out, name + ".json")), "bytes")
