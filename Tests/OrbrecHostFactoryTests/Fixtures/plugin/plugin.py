#!/usr/bin/env python3
"""A HostFactory provider plugin for orbrec's tests: a pretend cloud kept in files.

Called as `SCRIPT -f INPUT.json` through the five wrappers beside it, like any plugin.
State: $HF_PROVIDER_WORKDIR/cloud.json. Templates: $HF_PROVIDER_CONFDIR/templates.json.
Behaviour, read at every call from $HF_PROVIDER_CONFDIR/control.json:
  fail:    {script: message}   print the message, exit 1
  hang:    [script]            start a child and sleep until killed (pids in hang.pids)
  garbage: [script]            print what is not JSON, exit 0
  noise:   true                print log lines before the JSON answer (as ORB's scripts do)
  fulfil:  N                   make at most N machines per request
  polls:   N                   a machine runs after N getRequestStatus calls (default 1)
  finishAtLaunch: true         a request is complete at once and its machines stay
                               `executing` (what ORB 1.8.5 does with RunInstances)
  slow:    {script: seconds}   sleep before answering
Every call is appended to $HF_PROVIDER_WORKDIR/calls.log as one JSON line.
`plugin.py admin terminate|reclaim MACHINE-ID` plays the cloud acting behind orbrec's back.
"""
import fcntl
import json
import os
import subprocess
import sys
import time

script = sys.argv[1]
args = sys.argv[2:]
work = os.environ["HF_PROVIDER_WORKDIR"]
conf = os.environ.get("HF_PROVIDER_CONFDIR", work)

if script == "admin":
    # The cloud acting on its own, for the tests: `admin terminate|reclaim MACHINE-ID`.
    verb, mid = args
    with open(os.path.join(work, "cloud.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = os.path.join(work, "cloud.json")
        with open(path) as f:
            cloud = json.load(f)
        if verb == "terminate":
            cloud["machines"][mid]["state"] = "terminated"
        else:
            cloud["machines"][mid]["reclaimed"] = True
        with open(path + ".tmp", "w") as f:
            json.dump(cloud, f, indent=1)
        os.replace(path + ".tmp", path)
    sys.exit(0)


def load(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def answer(document):
    if control.get("noise"):
        print("2026-01-01 INFO loading configuration")
        print("Templates file found")
    print(json.dumps(document, indent=2))
    sys.exit(0)


def fail(message):
    print(message)
    sys.exit(1)


control = load(os.path.join(conf, "control.json"), {})
if len(args) != 2 or args[0] != "-f":
    fail("usage: %s -f INPUT.json" % script)
with open(args[1]) as f:
    request = json.load(f)
with open(os.path.join(work, "calls.log"), "a") as log:
    log.write(json.dumps({"script": script, "input": request, "cwd": os.getcwd(),
                          "env": {k: v for k, v in os.environ.items() if k.startswith("HF_") or k.startswith("FAKE_")}}) + "\n")

time.sleep(control.get("slow", {}).get(script, 0))
if script in control.get("fail", {}):
    fail(control["fail"][script])
if script in control.get("hang", []):
    child = subprocess.Popen(["sleep", "600"])
    with open(os.path.join(work, "hang.pids"), "w") as f:
        f.write("%d %d\n" % (os.getpid(), child.pid))
    time.sleep(600)
if script in control.get("garbage", []):
    print("Traceback (most recent call last): this is not JSON")
    sys.exit(0)

lock = open(os.path.join(work, "cloud.lock"), "w")
fcntl.flock(lock, fcntl.LOCK_EX)
cloud_path = os.path.join(work, "cloud.json")
cloud = load(cloud_path, {"next": 1, "requests": {}, "machines": {}})


def save():
    with open(cloud_path + ".tmp", "w") as f:
        json.dump(cloud, f, indent=1)
    os.replace(cloud_path + ".tmp", cloud_path)


def next_id():
    n = cloud["next"]
    cloud["next"] = n + 1
    return n


def machine_view(mid, kind):
    m = cloud["machines"][mid]
    if kind == "return":
        result = {"shutting-down": "executing", "terminated": "succeed"}.get(m["state"], "executing")
    elif m.get("frozen"):
        result, state = "executing", "pending"
    else:
        result = {"pending": "executing", "running": "succeed"}.get(m["state"], "fail")
    view = {"machineId": mid, "name": m["name"], "result": result, "status": m["state"] if not m.get("frozen") else "pending",
            "privateIpAddress": m["ip"], "publicIpAddress": None, "launchtime": m["launched"], "message": ""}
    if result == "fail":
        view["message"] = "instance %s" % m["state"]
    return view


if script == "getAvailableTemplates":
    answer(load(os.path.join(conf, "templates.json"), {"templates": []}))

elif script == "requestMachines":
    template = request["template"]
    known = [t["templateId"] for t in load(os.path.join(conf, "templates.json"), {"templates": []})["templates"]]
    if template["templateId"] not in known:
        fail("template %s does not exist" % template["templateId"])
    count = int(template["machineCount"])
    made = min(count, int(control.get("fulfil", count)))
    rid = "fake-req-%d" % next_id()
    mids = []
    for _ in range(made):
        n = next_id()
        mid = "m-%d" % n
        cloud["machines"][mid] = {"name": "host-%d" % n, "ip": "10.0.0.%d" % n, "state": "pending", "request": rid,
                                  "polls": int(control.get("polls", 1)), "launched": int(time.time()),
                                  "frozen": bool(control.get("finishAtLaunch"))}
        mids.append(mid)
    cloud["requests"][rid] = {"kind": "create", "count": count, "machines": mids,
                              "finished": bool(control.get("finishAtLaunch"))}
    save()
    answer({"requestId": rid, "message": "asked for %d, making %d" % (count, made)})

elif script == "requestReturnMachines":
    mids = []
    for m in request.get("machines", []):
        mid = m.get("machineId") or next((k for k, v in cloud["machines"].items() if v["name"] == m["name"]), None)
        if mid not in cloud["machines"]:
            fail("no machine %s" % json.dumps(m))
        if cloud["machines"][mid]["state"] != "terminated":
            cloud["machines"][mid]["state"] = "shutting-down"
        mids.append(mid)
    rid = "fake-ret-%d" % next_id()
    cloud["requests"][rid] = {"kind": "return", "machines": mids}
    save()
    answer({"requestId": rid, "message": "returning %d" % len(mids)})

elif script == "getRequestStatus":
    out = []
    for r in request.get("requests", []):
        rid = r["requestId"]
        if rid not in cloud["requests"]:
            fail("unknown request %s" % rid)
        req = cloud["requests"][rid]
        for mid in req["machines"]:
            m = cloud["machines"][mid]
            if req["kind"] == "create" and m["state"] == "pending" and not m.get("frozen"):
                m["polls"] -= 1
                if m["polls"] <= 0:
                    m["state"] = "running"
            if req["kind"] == "return" and m["state"] == "shutting-down":
                m["state"] = "terminated"
        views = [machine_view(mid, req["kind"]) for mid in req["machines"]]
        if req["kind"] == "create":
            if req.get("finished"):
                status = "complete" if len(views) == req["count"] else "complete_with_error"
            elif any(v["result"] == "executing" for v in views):
                status = "running"
            elif len(views) < req["count"] or any(v["result"] == "fail" for v in views):
                status = "complete_with_error"
            else:
                status = "complete"
        else:
            status = "running" if any(v["result"] == "executing" for v in views) else "complete"
        out.append({"requestId": rid, "status": status, "message": "%d of %d" % (len(views), req.get("count", len(views))),
                    "machines": views})
    save()
    answer({"requests": out})

elif script == "getReturnRequests":
    asked = {m.get("machineId") for m in request.get("machines", [])}
    out = [{"machine": cloud["machines"][mid]["name"], "gracePeriod": 30}
           for mid in sorted(asked) if mid in cloud["machines"] and cloud["machines"][mid].get("reclaimed")]
    answer({"status": "complete", "message": "", "requests": out})

else:
    fail("unknown script %s" % script)
