#!/usr/bin/env python3
"""Talks to `orbrec mcp` with the official MCP Python SDK (PyPI `mcp`), as an agent's host
would: the handshake and version negotiation, tools/list, and a few calls, one of which
must fail as a tool (isError), not as a protocol error.

    python3 -m venv /tmp/mcp-venv && /tmp/mcp-venv/bin/pip install mcp
    /tmp/mcp-venv/bin/python scripts/mcp-client-check.py ORBREC_BIN CONFIG_DIR STATE_PATH

Exits 0 when every check holds, 1 otherwise (naming the check).
"""
import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

EXPECTED_TOOLS = {
    "list_resources", "status", "plan_preview", "show_request", "list_tasks", "requeue_tasks",
    "claim_task", "complete_task", "fail_task", "heartbeat_task", "release_task",
}


def field(value, name):
    """A field by its 1.x (camelCase) or 2.x (snake_case) name."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
    return getattr(value, name) if hasattr(value, name) else getattr(value, snake)


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def body(result):
    check(result.content and result.content[0].type == "text", "a text content")
    return json.loads(result.content[0].text)


async def main(binary, config, state):
    server = StdioServerParameters(command=binary, args=["mcp", "-c", config, "--state", state])
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            initialized = await session.initialize()
            check(field(initialized, "serverInfo").name == "orbrec", "serverInfo.name is orbrec")
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            check(set(tools) == EXPECTED_TOOLS, f"the tools: {sorted(tools)}")
            check(all(field(tool, "inputSchema").get("type") == "object" for tool in tools.values()), "object input schemas")

            status = await session.call_tool("status", {})
            check(not field(status, "isError"), f"status: {status.content}")
            check("resources" in body(status), "status has resources")

            plan = await session.call_tool("plan_preview", {})
            check(not field(plan, "isError"), f"plan_preview: {plan.content}")
            check(body(plan).get("format_version") == "1.0", "plan_preview is the plan document")
            check(isinstance(field(plan, "structuredContent"), dict), "structuredContent is the same object")

            missing = await session.call_tool("show_request", {"id": "req-none"})
            check(field(missing, "isError"), "an unknown request is a tool error")
            check(body(missing)["error"]["code"] == "not_found", f"its code: {missing.content}")
            print(f"ok: protocol {field(initialized, 'protocolVersion')}, {len(tools)} tools, status, plan_preview, isError")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(*sys.argv[1:]))
