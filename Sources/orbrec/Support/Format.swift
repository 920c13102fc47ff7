internal import Foundation
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecAPI

/// Small formatting helpers shared by the renderers.
enum Format {
    static func time(_ instant: Instant) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }

    /// `42s`, `5m`, `3h`, `2d`: how long ago.
    static func age(_ instant: Instant, now: Instant) -> String {
        let seconds = max(0, now.milliseconds(since: instant) / 1000)
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }
}

/// A plain aligned table, the same on a terminal and in a pipe.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { add(cells) }
    /// A cell is one line: a line feed or tab in a key or message would forge a row.
    mutating func add(_ cells: [String]) { rows.append(cells.map { Terminal.displayable($0, keepingLines: false) }) }

    /// Columns padded to their widest cell as it shows (colour codes take no room), two
    /// spaces apart, no space at the end of a line.
    var rendered: String {
        var widths = headers.map(Self.visibleWidth)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], Self.visibleWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { index, cell in
                index == cells.count - 1 || index >= widths.count
                    ? cell : cell + String(repeating: " ", count: max(0, widths[index] - Self.visibleWidth(cell)))
            }.joined(separator: "  ")
            var end = padded.endIndex
            while end > padded.startIndex, padded[padded.index(before: end)] == " " { end = padded.index(before: end) }
            return String(padded[..<end])
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    /// How many columns `text` takes on a terminal: its characters, less the SGR sequences
    /// (`ESC [ … m`) that colour it.
    static func visibleWidth(_ text: String) -> Int {
        guard text.contains("\u{1B}") else { return text.count }
        var width = 0
        var inSequence = false
        var previousWasEscape = false
        for character in text {
            if inSequence {
                if character == "m" { inSequence = false }
            } else if previousWasEscape && character == "[" {
                inSequence = true
            } else if character != "\u{1B}" {
                width += 1
            }
            previousWasEscape = character == "\u{1B}"
        }
        return width
    }
}

/// JSON the way every `--json` output is written: sorted keys, pretty, stable.
enum JSONOutput {
    static func string<T: Encodable>(_ value: T) throws -> String {
        try APIJSON.string(value, pretty: true)
    }
}
