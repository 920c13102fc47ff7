#!/usr/bin/env python3
"""Writes orbrec(1) in man(7) format from `orbrec --experimental-dump-help` (read on stdin).

The help the binary prints and the man page come from one source, the command tree of
swift-argument-parser: a flag added to a command appears in both. Hidden commands and
options (shouldDisplay false) are left out, as in --help."""
import json
import sys
from datetime import date


def escape(text):
    text = (text or "").replace("\\", "\\e").replace("-", "\\-")
    # troff reads bytes: anything past ASCII is named by its code point.
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    # A line starting with . or ' is a request to troff.
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n"))


def synopsis_of(argument):
    names = argument.get("names") or []
    long = next((n["name"] for n in names if n["kind"] == "long"), None)
    short = next((n["name"] for n in names if n["kind"] == "short"), None)
    value = argument.get("valueName") or ""
    kind = argument["kind"]
    if kind == "positional":
        text = f"\\fI{escape(value)}\\fR"
        if argument.get("isRepeating"):
            text += " ..."
    else:
        flag = f"\\-\\-{escape(long)}" if long else f"\\-{escape(short)}"
        text = f"\\fB{flag}\\fR"
        if kind == "option":
            text += f" \\fI{escape(value)}\\fR"
    return f"[{text}]" if argument.get("isOptional") else text


def option_block(argument, out):
    names = argument.get("names") or []
    shown = []
    for name in names:
        prefix = "\\-" if name["kind"] == "short" else "\\-\\-"
        shown.append(f"\\fB{prefix}{escape(name['name'])}\\fR")
    if argument["kind"] == "positional":
        shown = [f"\\fI{escape(argument.get('valueName') or '')}\\fR"]
    label = ", ".join(shown)
    if argument["kind"] == "option":
        label += f" \\fI{escape(argument.get('valueName') or '')}\\fR"
    out.append(".TP")
    out.append(label)
    text = argument.get("abstract") or ""
    if argument.get("defaultValue"):
        text += f" (default: {argument['defaultValue']})"
    values = argument.get("allValues") or argument.get("allValueStrings")
    if values:
        text += f" (values: {', '.join(values)})"
    out.append(escape(text) if text else "")


def command_section(command, path, out):
    if not command.get("shouldDisplay", True) or command["commandName"].startswith("_") or command["commandName"] == "help":
        return
    name = " ".join(path + [command["commandName"]])
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)
                 and not any(n["name"] in ("help", "h", "version") for n in a.get("names") or [])]
    subcommands = [s for s in command.get("subcommands", []) if s.get("shouldDisplay", True)
                   and not s["commandName"].startswith("_") and s["commandName"] != "help"]
    out.append(f".SS {escape(name)}")
    if command.get("abstract"):
        out.append(escape(command["abstract"]))
    usage = " ".join(synopsis_of(a) for a in arguments)
    out.append(".PP")
    out.append(f"\\fB{escape(name)}\\fR {usage}" + (" \\fIsubcommand\\fR" if subcommands else ""))
    if command.get("discussion"):
        out += [".PP", ".nf", escape(command["discussion"]), ".fi"]
    if arguments:
        out.append(".RS")
        for argument in arguments:
            option_block(argument, out)
        out.append(".RE")
    for sub in subcommands:
        command_section(sub, path + [command["commandName"]], out)


def main():
    tool = json.load(sys.stdin)["command"]
    name = tool["commandName"]
    out = [
        f'.TH {name.upper()} 1 "{date.today().isoformat()}" "{name}" "User Commands"',
        ".SH NAME",
        f"{escape(name)} \\- {escape(tool.get('abstract') or '')}",
        ".SH SYNOPSIS",
        f"\\fB{escape(name)}\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR]",
    ]
    if tool.get("discussion"):
        # Discussions are laid out by hand (tables of options, exit codes): kept as written.
        out += [".SH DESCRIPTION", ".nf", escape(tool["discussion"]), ".fi"]
    out.append(".SH COMMANDS")
    for sub in tool.get("subcommands", []):
        command_section(sub, [name], out)
    out += [
        ".SH FILES",
        ".TP",
        "\\fICONFIG_DIR/.orbrec/state.db\\fR",
        "The state (journal) when neither \\fB\\-\\-state\\fR nor \\fBORBREC_STATE\\fR is given.",
        ".SH ENVIRONMENT",
        ".TP",
        "\\fBORBREC_STATE\\fR",
        "The state file, as \\fB\\-\\-state\\fR.",
        ".TP",
        "\\fBNO_COLOR\\fR",
        "No colour in text output.",
        ".SH SEE ALSO",
        "The configuration, CLI and operations references in the docs/ directory of the source.",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
