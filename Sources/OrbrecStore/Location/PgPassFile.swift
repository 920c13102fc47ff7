internal import Foundation
internal import Glibc

/// libpq's password file (`~/.pgpass`, or `PGPASSFILE`): lines `host:port:database:user:password`.
///
/// Read as libpq reads it: a line whose first byte is '#' is a comment; a field that is exactly
/// `*` matches anything; `\` takes the next byte literally (`\:`, `\\`, `\*`); the password
/// ends at the next unescaped ':'; the first line that matches wins, even with an empty
/// password; fields compare byte for byte (no Unicode folding, no case folding).
package struct PgPassFile: Sendable, Equatable {
    package enum Field: Sendable, Equatable {
        case any
        case exactly(String)

        func matches(_ value: String) -> Bool {
            switch self {
            case .any: true
            case .exactly(let text): text.utf8.elementsEqual(value.utf8)
            }
        }
    }

    package struct Entry: Sendable, Equatable {
        package var host, port, database, user: Field
        package var password: String
    }

    /// What reading the file gave: libpq skips a missing or unreadable file silently, and an
    /// unsafe one with a warning.
    package enum Reading: Sendable, Equatable {
        case read(PgPassFile)
        case absent
        case ignored(warning: String)
    }

    package let entries: [Entry]

    package init(contents: String) { self.init(bytes: Array(contents.utf8)) }

    package init(bytes: [UInt8]) {
        entries = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap(Self.entry)
    }

    package func password(host: String, port: Int, database: String, user: String) -> String? {
        entries.first { entry in
            entry.host.matches(host) && entry.port.matches(String(port)) && entry.database.matches(database) && entry.user.matches(user)
        }?.password
    }

    /// libpq's checks before it reads: a plain file (after symbolic links), with no group or
    /// world permission bits, since it holds passwords in the clear.
    package static func read(at path: String) -> Reading {
        var status = stat()
        guard stat(path, &status) == 0 else { return .absent }
        guard status.st_mode & 0o170_000 == 0o100_000 else {
            return .ignored(warning: "password file \"\(path)\" is not a plain file")
        }
        guard status.st_mode & 0o077 == 0 else {
            return .ignored(warning: "password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less")
        }
        guard let data = FileManager.default.contents(atPath: path) else { return .absent }
        return .read(PgPassFile(bytes: Array(data)))
    }

    private static func entry(_ line: ArraySlice<UInt8>) -> Entry? {
        var line = line
        while let last = line.last, last == UInt8(ascii: "\r") || last == UInt8(ascii: "\n") { line.removeLast() }
        guard let first = line.first, first != UInt8(ascii: "#") else { return nil }
        let fields = Self.fields(line)
        // A line needs the four fields and a ':' after the user before it can match, as in libpq.
        guard fields.count >= 5 else { return nil }
        func field(_ index: Int) -> Field { fields[index].raw == [UInt8(ascii: "*")] ? .any : .exactly(fields[index].text) }
        return Entry(host: field(0), port: field(1), database: field(2), user: field(3), password: fields[4].text)
    }

    /// The line cut at unescaped ':'s: each field's text with its escapes removed, and its raw
    /// bytes, because only a raw `*` is the wildcard.
    private static func fields(_ line: ArraySlice<UInt8>) -> [(raw: ArraySlice<UInt8>, text: String)] {
        var result: [(raw: ArraySlice<UInt8>, text: String)] = []
        var start = line.startIndex
        var text: [UInt8] = []
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: "\\"), line.index(after: index) < line.endIndex {
                index = line.index(after: index)
                text.append(line[index])
            } else if byte == UInt8(ascii: ":") {
                result.append((line[start..<index], String(decoding: text, as: UTF8.self)))
                text = []
                start = line.index(after: index)
            } else {
                text.append(byte)
            }
            index = line.index(after: index)
        }
        result.append((line[start...], String(decoding: text, as: UTF8.self)))
        return result
    }
}
