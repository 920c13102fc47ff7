#!/usr/bin/python3
"""The web console in a real browser (headless Chromium through Selenium) against real daemons.

Started by scripts/browser-check.sh, which installs Chromium, chromium-driver and
python3-selenium. Two daemons from ORBREC_BIN, each on a temporary configuration:

  A, on loopback with a token: a local fleet, a local pool with a task that fails once (a dead
    letter; it succeeds on its next attempt, by a marker file) and a workflow of three steps.
    The overview loads; a fleet scaled by a file save shows its new machines within 2 s without
    a reload; the failed task's log opens in place; its dead letter is requeued from the page
    and runs again; a workflow run started from the page is drawn as a DAG whose steps end;
    the events and the plan pages show what happened; the pages work by keyboard.
  B, on a non-loopback address (loopback when the machine has none) with a token: the page
    asks for the token, a wrong one is refused, the right one shows the resources.

Screenshots of each page go to --artifacts. Any expectation missed fails the run (exit 1)
with what was expected and a screenshot of what the page showed.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TOKEN = "console-test-token-0123456789abcdef"

CONFIG = """\
apiVersion: orbrec/v1
kind: Provider
metadata: {{name: here}}
spec: {{type: local}}
---
apiVersion: orbrec/v1
kind: Scheduler
metadata: {{name: cpu}}
spec: {{type: local, slots: 2}}
---
apiVersion: orbrec/v1
kind: Template
metadata: {{name: worker}}
spec: {{provider: here, command: ["sleep", "300"], stopTimeout: 1s, maxMachines: 8}}
---
apiVersion: orbrec/v1
kind: Fleet
metadata: {{name: workers}}
spec: {{template: worker, count: {count}}}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {{name: jobs}}
spec:
  scheduler: cpu
  items: [good, flaky]
  # flaky fails the first time (exit 3, a dead letter after one attempt) and leaves a marker:
  # run again, it succeeds.
  command: ["sh", "-c", "if [ \\"$1\\" = flaky ] && [ ! -e \\"$3\\" ]; then touch \\"$3\\"; echo \\"flaky failed on attempt $2\\"; echo \\"mesh diverged\\" >&2; exit 3; fi; echo \\"$1 done on attempt $2\\"", "sh", "${{item}}", "${{attempt}}", "{marker}"]
  retry: {{maxAttempts: 1}}
---
apiVersion: orbrec/v1
kind: TaskPool
metadata: {{name: stage}}
spec:
  scheduler: cpu
  range: {{from: 1, to: 3}}
  command: ["sh", "-c", "sleep 0.3; echo stage $1", "sh", "${{item}}"]
---
apiVersion: orbrec/v1
kind: Workflow
metadata: {{name: nightly}}
spec:
  concurrency: allow
  steps:
    - name: prepare
      run: {{scheduler: cpu, command: ["sh", "-c", "sleep 0.5; echo prepared"]}}
    - name: simulate
      needs: [prepare]
      taskPool: {{ref: stage}}
    - name: check
      needs: [prepare]
      run: {{scheduler: cpu, command: ["sh", "-c", "sleep 0.3; echo checked"]}}
    - name: report
      needs: [simulate, check]
      run: {{scheduler: cpu, command: ["sh", "-c", "echo reported"]}}
---
apiVersion: orbrec/v1
kind: Workflow
metadata: {{name: slow}}
spec:
  steps:
    - name: wait
      run: {{scheduler: cpu, command: ["sleep", "60"]}}
    - name: after
      needs: [wait]
      run: {{scheduler: cpu, command: ["true"]}}
"""

# A guardrail that holds every plan back while the fleet asks for more than 2 machines.
POLICY = """\
---
apiVersion: orbrec/v1
kind: Policy
metadata: {name: guardrails}
spec:
  enforcement: hard-mandatory
  rules:
    - name: fleet-size-cap
      match: {kinds: [Fleet]}
      deny: "spec.count > 2"
      message: "fleet {{metadata.name}} asks for {{spec.count}} machines; the cap is 2"
"""

MINIMAL = """\
apiVersion: orbrec/v1
kind: Provider
metadata: {name: here}
spec: {type: local}
---
apiVersion: orbrec/v1
kind: Template
metadata: {name: worker}
spec: {provider: here, command: ["sleep", "300"], stopTimeout: 1s}
---
apiVersion: orbrec/v1
kind: Fleet
metadata: {name: guarded}
spec: {template: worker, count: 1}
"""


class Failure(Exception):
    pass


class Check:
    def __init__(self, artifacts):
        self.artifacts = artifacts
        self.passed = []
        self.driver = None

    def shot(self, name):
        path = os.path.join(self.artifacts, name + ".png")
        self.driver.save_screenshot(path)
        return path

    def ok(self, what):
        self.passed.append(what)
        print(f"  ok  {what}", flush=True)

    def wait(self, what, condition, timeout=15.0):
        """Waits for condition(driver) to be truthy; fails with a screenshot when it is not."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(condition)
        except TimeoutException:
            shot = self.shot("FAILED-" + "".join(c if c.isalnum() else "-" for c in what)[:60])
            raise Failure(f"{what}: not within {timeout:g} s (the page: {shot})")

    def expect(self, condition, what):
        if not condition:
            shot = self.shot("FAILED-" + "".join(c if c.isalnum() else "-" for c in what)[:60])
            raise Failure(f"{what} (the page: {shot})")
        self.ok(what)


def free_port(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def non_loopback_address():
    """An IPv4 address of this machine that is not loopback, or None."""
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    for address in out:
        if "." in address and not address.startswith("127."):
            return address
    return None


class Daemon:
    def __init__(self, orbrec, directory, host, config, token, extra=()):
        self.directory = directory
        self.config_dir = os.path.join(directory, "config")
        os.makedirs(self.config_dir)
        self.write_config(config)
        self.host = host
        self.port = free_port(host)
        self.base = f"http://{host}:{self.port}"
        env = dict(os.environ, ORBREC_TOKEN=token, NO_COLOR="1")
        self.log = open(os.path.join(directory, "daemon.log"), "w")
        self.process = subprocess.Popen(
            [orbrec, "-c", self.config_dir, "--state", os.path.join(directory, "state.db"), "run",
             "--listen", f"{host}:{self.port}", "--observe-interval", "2s", "--task-interval", "1s", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.token = token

    def write_config(self, text):
        """Saves the configuration as an editor does: a new file renamed over the old one."""
        path = os.path.join(self.config_dir, "orbrec.yaml")
        temporary = path + ".swp"
        with open(temporary, "w") as f:
            f.write(text)
        os.replace(temporary, path)

    def get(self, path, token=True):
        request = urllib.request.Request(self.base + path)
        if token:
            request.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise Failure(f"the daemon exited ({self.process.returncode}); see {self.log.name}")
            try:
                if self.get("/readyz").get("ready"):
                    return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                pass
            time.sleep(0.1)
        raise Failure(f"the daemon at {self.base} was not ready within {timeout} s; see {self.log.name}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--no-first-run", "--disable-extensions", "--force-color-profile=srgb"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def rows(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def settled(action, attempts=40):
    """Runs action() again when a live update redrew the page under it: the element it found
    was replaced before it was used (StaleElementReferenceException). A stale element takes
    no click and no keys, so running the whole action again does nothing twice."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def click(driver, by, selector):
    settled(lambda: driver.find_element(by, selector).click())


def seqs(driver):
    return settled(lambda: [int(r.get_attribute("data-seq")) for r in rows(driver, "#events tr[data-seq]")])


def console_errors(driver):
    """Errors the page logged: a script error or a resource the policy refused. (An API answer
    with an error status is logged too; the page handles those, so they are left out.)"""
    try:
        return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
                and "favicon" not in entry["message"] and "the server responded with a status of" not in entry["message"]]
    except WebDriverException:
        return []


def give_token(check, token):
    d = check.driver
    if not d.find_element(By.ID, "token-dialog").get_attribute("open"):
        click(d, By.ID, "token-button")
    field = check.wait("the token dialog opens", lambda d: d.find_element(By.ID, "token-input"))
    field.clear()
    field.send_keys(token)
    field.send_keys(Keys.ENTER)


def scenario_a(check, orbrec, directory):
    marker = os.path.join(directory, "flaky-ran-once")
    daemon = Daemon(orbrec, os.path.join(directory, "a"), "127.0.0.1", CONFIG.format(count=1, marker=marker), TOKEN)
    try:
        daemon.wait_ready()
        d = check.driver

        # A loopback daemon serves the console only to loopback names (a rebound DNS name is refused).
        connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=5)
        connection.request("GET", "/", headers={"Host": f"rebound.example:{daemon.port}"})
        answer = connection.getresponse()
        answer.read()
        connection.close()
        check.expect(answer.status == 421, f"a request for / named rebound.example is refused with 421 ({answer.status})")
        answer = urllib.request.urlopen(daemon.base + "/", timeout=5)
        policy = answer.headers.get("Content-Security-Policy", "")
        check.expect(answer.headers.get("Content-Type") == "text/html; charset=utf-8" and "script-src 'self'" in policy
                     and "unsafe" not in policy, f"/ is HTML with a self-only Content-Security-Policy ({policy})")

        # The overview loads, without a token on loopback.
        d.get(daemon.base + "/")
        check.wait("the overview lists Fleet/workers", lambda d: rows(d, '#resources tr[data-resource="Fleet/workers"]'))
        check.wait("the overview lists TaskPool/jobs", lambda d: rows(d, '#resources tr[data-resource="TaskPool/jobs"]'))
        check.wait("the live stream is connected", lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "on")
        check.ok("overview: every resource with its sync and health, live stream connected")
        check.shot("overview")
        check.expect(not d.find_element(By.ID, "token-dialog").get_attribute("open"), "on loopback the page asks for no token to read")
        check.expect(not rows(d, "#reconcile-now"), "without a token no action is offered")

        # A token with operate: the actions appear.
        give_token(check, TOKEN)
        check.wait("whoami names the token and its scopes", lambda d: "operate" in d.find_element(By.ID, "who").text)
        check.wait("the reconcile action appears", lambda d: rows(d, "#reconcile-now"))
        check.ok("with an operate token the page offers actions")

        # Fleets: one machine running; a file save scales the fleet to 3 and the page shows them without a reload.
        d.get(daemon.base + "/#/fleets")
        check.wait("fleet workers shows its running machine",
                   lambda d: len(rows(d, 'section[data-fleet="workers"] tr[data-machine][data-state="running"]')) == 1, timeout=20)
        d.execute_script("window.__sameDocument = 'yes';")
        daemon.write_config(CONFIG.format(count=3, marker=marker))
        saved = time.monotonic()
        check.wait("fleet workers shows 3 machines after the file save",
                   lambda d: len(rows(d, 'section[data-fleet="workers"] tr[data-machine]')) == 3, timeout=5)
        seen = time.monotonic() - saved
        check.expect(d.execute_script("return window.__sameDocument;") == "yes", "the page was not reloaded")
        check.expect(seen <= 2.0, f"the new machines were shown {seen:.2f} s after the file save (at most 2 s)")
        row = rows(d, 'section[data-fleet="workers"] tr[data-machine]')[0]
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        check.expect(cells[0].startswith("m-") or len(cells[0]) > 3, f"a machine row shows its id ({cells[0]!r})")
        check.wait("every machine runs", lambda d: len(rows(d, 'section[data-fleet="workers"] tr[data-machine][data-state="running"]')) == 3, timeout=20)
        check.expect(rows(d, "tr[data-request]"), "the requests table lists the fleet's requests")
        check.shot("fleets")

        # Pools: the failed task's log opens in place.
        d.get(daemon.base + "/#/pools")
        check.wait("task flaky is a dead letter", lambda d: rows(d, 'section[data-pool="jobs"] tr[data-task="flaky"][data-state="dead_letter"]'), timeout=30)
        check.wait("task good completed", lambda d: rows(d, 'section[data-pool="jobs"] tr[data-task="good"][data-state="completed"]'), timeout=30)
        bar = d.find_element(By.CSS_SELECTOR, 'section[data-pool="jobs"] [role="progressbar"]')
        check.expect(bar.get_attribute("aria-valuenow") == "2" and bar.get_attribute("aria-valuemax") == "2", "the progress bar says 2 of 2 finished")
        click(d, By.CSS_SELECTOR, 'section[data-pool="jobs"] tr[data-task="flaky"][data-attempt="1"] button[data-logs]')
        check.wait("the log of flaky's attempt 1 opens in place",
                   lambda d: any("flaky failed on attempt 1" in p.text for p in rows(d, 'section[data-pool="jobs"] pre.logs')))
        check.shot("pools-logs")
        click(d, By.XPATH, '//section[@data-pool="jobs"]//tr[@class="logs-row"]//button[text()="stderr"]')
        check.wait("its standard error shows too", lambda d: any("mesh diverged" in p.text for p in rows(d, 'section[data-pool="jobs"] pre.logs')))

        # The dead letter is requeued from the page and runs again (and succeeds: the marker is there).
        click(d, By.CSS_SELECTOR, 'section[data-pool="jobs"] button[data-requeue="flaky"]')
        check.wait("flaky runs a second attempt and completes",
                   lambda d: rows(d, 'section[data-pool="jobs"] tr[data-task="flaky"][data-attempt="2"][data-state="completed"]'), timeout=30)
        tasks = daemon.get("/api/v1/tasks?pool=jobs")
        flaky = next(t for t in tasks if t["key"] == "flaky")
        check.expect(flaky["state"] == "completed" and flaky["attempts_started"] == 2,
                     f"the API agrees: flaky completed on attempt 2 ({flaky['state']}, {flaky['attempts_started']} attempts)")
        check.shot("pools")

        # Workflows: a run started from the page, drawn as a DAG whose steps all end.
        d.get(daemon.base + "/#/workflows/nightly")
        check.wait("the workflow page offers to start a run", lambda d: rows(d, "#start-run"))
        click(d, By.ID, "start-run")
        check.wait("the run's DAG shows its four steps", lambda d: len(rows(d, ".dag g.node")) == 4)
        check.wait("every step of the run succeeded",
                   lambda d: len(rows(d, '.dag g.node[data-state="succeeded"]')) == 4, timeout=40)
        check.expect(len(rows(d, ".dag path.edge")) >= 4, "the DAG draws an edge for each need")
        label = d.find_element(By.CSS_SELECTOR, '.dag g.node[data-step="report"]').get_attribute("aria-label")
        check.expect(label.startswith("report: succeeded"), f"a step's accessible name gives its state and timing ({label!r})")
        notice = d.find_element(By.ID, "notice")
        check.expect(notice.text == "Start nightly: done" and notice.get_attribute("role") == "alert",
                     f"the start is announced in the alert region ({notice.text!r})")
        d.execute_script("document.getElementById('notice').hidden = true;")
        check.shot("workflows")

        # A run cancelled from the page: its running step stops, the one after it never starts.
        d.get(daemon.base + "/#/workflows/slow")
        check.wait("the slow workflow's page offers to start a run", lambda d: rows(d, "#start-run") and "slow" in d.find_element(By.ID, "wf-title").text)
        click(d, By.ID, "start-run")
        check.wait("its first step runs", lambda d: rows(d, '.dag g.node[data-step="wait"][data-state="running"]'), timeout=15)
        click(d, By.ID, "cancel-run")
        check.wait("the cancelled run's step is drawn cancelled", lambda d: rows(d, '.dag g.node[data-step="wait"][data-state="cancelled"]'), timeout=15)
        runs = daemon.get("/api/v1/workflows/slow/runs")
        check.expect(runs and runs[0]["state"] == "cancelled", f"the API agrees: the run is cancelled ({runs[0]['state'] if runs else 'no run'})")

        # Reconcile now, from the overview.
        d.get(daemon.base + "/#/overview")
        check.wait("the overview offers to reconcile now", lambda d: rows(d, "#reconcile-now"))
        click(d, By.ID, "reconcile-now")
        check.wait("reconcile now is accepted", lambda d: d.find_element(By.ID, "notice").text == "Reconcile now: done")

        # Events: the stream seen since the page opened, with filters.
        d.get(daemon.base + "/#/events")
        # A new page load starts a new stream: make an event happen after it.
        check.wait("the live stream is connected", lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "on")
        check.wait("the events before the page opened are shown", lambda d: len(rows(d, "#events tr[data-seq]")) >= 10)
        newest = max(seqs(d))
        daemon.write_config(CONFIG.format(count=2, marker=marker))
        check.wait("events after the file save arrive live",
                   lambda d: max(seqs(d), default=0) > newest, timeout=5)
        before = len(seqs(d))
        settled(lambda: d.find_element(By.ID, "event-resource").send_keys("no-such-resource-xyz"))
        check.wait("a filter hides what does not match", lambda d: len(rows(d, "#events tr[data-seq]")) == 0)
        settled(lambda: d.find_element(By.ID, "event-resource").clear())
        settled(lambda: d.find_element(By.ID, "event-resource").send_keys("Fleet/workers"))
        check.wait("a filter keeps what matches",
                   lambda d: rows(d, "#events tr[data-seq]") and all("Fleet/workers" in r.text for r in rows(d, "#events tr[data-seq]")))
        check.ok(f"events: {before} shown (the last before the page opened, then live), filtered by resource")
        check.shot("events")

        # The plan the daemon would act on next: a scale-up that a policy holds back.
        d.get(daemon.base + "/#/plan")
        check.wait("the plan page shows the last pass's plan", lambda d: rows(d, "#plan-actions"))
        daemon.write_config(CONFIG.format(count=3, marker=marker) + POLICY)
        check.wait("the plan shows the held scale-up with its reason",
                   lambda d: any("scale-up" in r.text and "Fleet/workers" in r.text for r in rows(d, '#plan-actions tr[data-verb="provision"]')),
                   timeout=10)
        check.wait("the plan shows the policy that holds it", lambda d: "the cap is 2" in d.find_element(By.ID, "main").text)
        # The answer is the plan document of `orbrec plan --json`, with the daemon's denials.
        plan = daemon.get("/api/v1/plan")
        listed = settled(lambda: sorted(tuple(c.text for c in r.find_elements(By.TAG_NAME, "td")[1:4])
                                        for r in rows(d, "#plan-actions tr[data-verb]")))
        planned = sorted((a["verb"], a["resource"], a["reason"]) for a in plan["actions"])
        check.expect(plan["format_version"] == "1.0" and listed == planned and plan["policy_denials"],
                     f"the page lists the plan's {len(plan['actions'])} action(s), each with its reason, and its {len(plan['policy_denials'])} denial(s)")
        check.shot("plan")

        # Keyboard: the skip link comes first; a nav link opens its page with Enter.
        # (A fresh load: a hash change keeps the document, and with it where Tab starts from.)
        d.get(daemon.base + "/#/overview")
        d.refresh()
        check.wait("the overview loads again", lambda d: rows(d, "#resources tr[data-resource]"))
        ActionChains(d).send_keys(Keys.TAB).perform()
        first = d.execute_script("return document.activeElement && document.activeElement.outerHTML.slice(0, 80)")
        check.expect(d.switch_to.active_element.get_attribute("id") == "skip", f"Tab reaches the skip link first ({first})")
        for _ in range(12):
            ActionChains(d).send_keys(Keys.TAB).perform()
            if d.switch_to.active_element.get_attribute("data-page") == "pools":
                break
        check.expect(d.switch_to.active_element.get_attribute("data-page") == "pools", "Tab reaches the Pools link")
        ActionChains(d).send_keys(Keys.ENTER).perform()
        check.wait("Enter opens the pools page", lambda d: d.execute_script("return location.hash") == "#/pools")
        check.wait("the pools page is drawn", lambda d: rows(d, 'section[data-pool="jobs"]'))

        # A link with a broken escape (#/pools/%) still draws its page, not a blank one.
        # (A fresh load: that is when a throwing router left the page blank.)
        d.get(daemon.base + "/#/pools/%")
        d.refresh()
        check.wait("a hash that is not valid percent-encoding still draws the pools page",
                   lambda d: d.execute_script("return document.title").startswith("Pools")
                   and d.find_elements(By.CSS_SELECTOR, "#main h1"))

        # The dark theme, by its toggle.
        d.get(daemon.base + "/#/overview")
        check.wait("the overview loads again", lambda d: rows(d, "#resources tr[data-resource]"))
        pressed = d.find_element(By.ID, "theme-toggle").get_attribute("aria-pressed")
        if pressed == "true":
            click(d, By.ID, "theme-toggle")
        click(d, By.ID, "theme-toggle")
        check.expect(d.execute_script("return document.documentElement.dataset.theme") == "dark"
                     and d.find_element(By.ID, "theme-toggle").get_attribute("aria-pressed") == "true", "the toggle turns the dark theme on")
        background = d.execute_script("return getComputedStyle(document.body).backgroundColor")
        check.expect(background in ("rgb(17, 19, 24)",), f"the dark theme darkens the page ({background})")
        check.shot("overview-dark")
        click(d, By.ID, "theme-toggle")

        errors = console_errors(d)
        check.expect(not errors, "the page logged no script error or refused resource" + (f": {errors}" if errors else ""))
    finally:
        daemon.stop()


def tokens_file(orbrec, path, entries):
    """A tokens file of (name, secret, scopes), each secret hashed by `orbrec token hash`."""
    lines = ["tokens:"]
    for name, secret, scopes in entries:
        digest = subprocess.run([orbrec, "token", "hash"], input=secret, capture_output=True, text=True, check=True).stdout.strip()
        lines += [f"  - name: {name}", f"    sha256: {digest}", f"    scopes: [{', '.join(scopes)}]"]
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


VIEWER = "viewer-secret-0123456789abcdef"


def scenario_b(check, orbrec, directory):
    host = non_loopback_address()
    os.makedirs(os.path.join(directory, "b-tokens"))
    tokens = tokens_file(orbrec, os.path.join(directory, "b-tokens", "tokens.yaml"), [("viewer", VIEWER, ["read"])])
    daemon = Daemon(orbrec, os.path.join(directory, "b"), host or "127.0.0.1", MINIMAL, TOKEN + "-b", extra=("--tokens-file", tokens))
    try:
        daemon.wait_ready()
        d = check.driver
        d.get(daemon.base + "/")
        if host:
            check.wait(f"on {host} (not loopback) the page asks for a token",
                       lambda d: d.find_element(By.ID, "token-dialog").get_attribute("open") is not None)
            check.expect(not rows(d, "#resources tr[data-resource]"), "nothing is shown before a token is given")
        give_token(check, "wrong-token-0123456789abcdef")
        check.wait("a wrong token is refused",
                   lambda d: "Refused" in d.find_element(By.ID, "token-error").text)
        check.expect(d.find_element(By.ID, "token-dialog").get_attribute("open") is not None, "the dialog stays open after the refusal")
        check.shot("token-refused")
        give_token(check, TOKEN + "-b")
        check.wait("the right token closes the dialog", lambda d: d.find_element(By.ID, "token-dialog").get_attribute("open") is None)
        check.wait("the right token shows the resources", lambda d: rows(d, '#resources tr[data-resource="Fleet/guarded"]'))
        check.wait("the page offers actions to the operator's token", lambda d: rows(d, "#reconcile-now"))
        check.ok(f"token: asked for on {'a non-loopback address' if host else 'loopback (no other address here)'}, a wrong one refused, the right one accepted")
        # A token with the read scope only: the same page, without actions.
        give_token(check, VIEWER)
        check.wait("whoami names the read-only token", lambda d: d.find_element(By.ID, "who").text == "token viewer · read")
        check.wait("the read-only token shows the resources", lambda d: rows(d, '#resources tr[data-resource="Fleet/guarded"]'))
        check.expect(not rows(d, "#reconcile-now"), "a read token is offered no action")
        check.shot("read-only")
    finally:
        daemon.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orbrec", required=True)
    parser.add_argument("--artifacts", required=True)
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    for name in os.listdir(args.artifacts):
        if name.endswith(".png"):
            os.remove(os.path.join(args.artifacts, name))
    started = time.monotonic()
    check = Check(args.artifacts)
    directory = tempfile.mkdtemp(prefix="orbrec-console-")
    status = 0
    try:
        check.driver = browser()
        print("console: daemon A (loopback, local fleet, pool and workflow)", flush=True)
        scenario_a(check, args.orbrec, directory)
        print("console: daemon B (a token required)", flush=True)
        scenario_b(check, args.orbrec, directory)
    except Failure as failure:
        print(f"FAIL: {failure}", file=sys.stderr)
        status = 1
    except Exception as error:  # a crash of the check itself is a failure too, never a pass
        print(f"FAIL: {type(error).__name__}: {error}", file=sys.stderr)
        if check.driver:
            print(f"  (the page: {check.shot('FAILED-crash')})", file=sys.stderr)
        status = 1
    finally:
        if check.driver:
            check.driver.quit()
        if status == 0:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            print(f"  the daemons' state and logs are kept in {directory}", file=sys.stderr)
    took = time.monotonic() - started
    if status == 0:
        print(f"console: {len(check.passed)} checks passed in {took:.1f} s; screenshots in {args.artifacts}")
    return status


if __name__ == "__main__":
    sys.exit(main())
