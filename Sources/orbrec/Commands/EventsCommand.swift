internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore
internal import OrbrecAPI

/// `orbrec events`: the journal's events, each with its sequence number, the id the daemon's
/// event stream gives the same event (`GET /api/v1/events`, SSE `id:`). A reader resumes
/// with `--after` the last number it saw, as an SSE client does with `Last-Event-ID`.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Print the journal's events (with -f, as they are written); each starts with its sequence number.",
        discussion: "Resume where you stopped with --after SEQ: the number is the event's id in the daemon's event stream too.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.customShort("f"), .long], help: "Keep printing events as they are written, until Ctrl-C.")
    var follow = false

    @Option(help: ArgumentHelp("Only events after this sequence number (as the event stream's Last-Event-ID).", valueName: "seq"))
    var after: Int64?

    @Option(help: ArgumentHelp("Only the last N events (before following).", valueName: "n"))
    var tail: Int?

    @Option(help: ArgumentHelp("Only events of this resource, KIND/NAME.", valueName: "resource"))
    var resource: String?

    @Option(name: [.customShort("o"), .long], help: "table (one line an event) or json (one JSON document a line, as the event stream's data)")
    var output: OutputFormat = .table

    func validate() throws {
        if let after, after < 0 { throw ValidationError("--after must be an event sequence number (0 or more)") }
        if let tail, tail < 0 { throw ValidationError("--tail must be 0 or more") }
        if let resource, ResourceID(parsing: resource) == nil { throw ValidationError("--resource must be KIND/NAME, like Fleet/web") }
    }

    func run() async throws {
        try await Session.run(global) { session in
            let filter = resource.flatMap(ResourceID.init(parsing:))?.description
            let printer = EventPrinter(terminal: session.terminal, json: output == .json, resource: filter)
            guard follow else {
                guard let store = try await session.openJournal() else { return .success }
                try await printer.printBacklog(store, after: after, tail: tail)
                return .success
            }
            let (after, tail) = (after, tail)
            let status = try await StopOnSignal.run {
                var store: StateStore?
                while store == nil {
                    store = try await session.openExistingStore()
                    if store == nil { try await Task.sleep(for: .milliseconds(500)) }
                }
                guard let store else { return }
                var last = try await printer.printBacklog(store, after: after, tail: tail)
                while !Task.isCancelled {
                    try await Task.sleep(for: EventPrinter.interval)
                    last = try await printer.print(store.events(after: last, limit: 1000), last: last)
                }
            }
            return status
        }
    }
}

/// Prints events as `events` shows them, one a line, flushed at once for a pipe's reader.
struct EventPrinter: Sendable {
    let terminal: Terminal
    let json: Bool
    /// Only this resource's events (`Fleet/web`), when given.
    let resource: String?
    /// How often a follow looks for new events (the event stream's own poll is 100 ms).
    static let interval: Duration = .milliseconds(250)

    /// Prints what is already journaled after `after` (the last `tail` of it); returns the
    /// sequence number to go on from.
    @discardableResult
    func printBacklog(_ store: StateStore, after: Int64?, tail: Int?) async throws -> Int64 {
        let newest = try await store.lastEventSeq()
        // Sequence numbers have no gaps (events are never deleted), so the last N start at newest - N.
        var last = max(after ?? 0, tail.map { newest - Int64($0) } ?? 0)
        while last < newest {
            let page = try await store.events(after: last, limit: 1000)
            guard !page.isEmpty else { break }
            last = print(page, last: last)
        }
        return last
    }

    /// Prints `events`; returns the sequence number of the last one (`last` when none).
    func print(_ events: [EventRecord], last: Int64) -> Int64 {
        var last = last
        var text = ""
        for event in events {
            let document = EventDocument(event)
            last = document.seq
            if let resource, event.resource != resource { continue }
            text += line(document) + "\n"
        }
        if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
        return last
    }

    private func line(_ event: EventDocument) -> String {
        if json {
            return (try? APIJSON.string(event)) ?? "{}"
        }
        // A cause or key holds what users wrote: one line, nothing that moves the cursor.
        let cells = [String(event.seq), Format.time(Instant(millisecondsSinceEpoch: event.at)), event.resource, event.subject,
                     "\(event.from ?? "-") → \(event.to)", event.cause].map { Terminal.displayable($0, keepingLines: false) }
        return cells.joined(separator: "  ")
    }
}
