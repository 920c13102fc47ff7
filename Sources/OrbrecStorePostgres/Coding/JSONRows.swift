internal import Foundation

/// Many rows as one JSON array, bound as a single `$n::jsonb` parameter and read back by
/// `jsonb_to_recordset` or `jsonb_populate_recordset`: how a batch writes a table in one
/// statement. (postgres-nio's arrays cannot hold NULLs, so `unnest` of arrays cannot carry
/// nullable columns.)
///
/// Every value goes through its column type's input function, as text does: numbers and
/// booleans are written as JSON scalars, bytes as bytea's hex text, and a float that JSON
/// cannot spell as PostgreSQL spells it.
struct JSONRows {
    private var bytes: [UInt8] = [UInt8(ascii: "[")]
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ fields: [(String, RowEncoder.Value)]) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        bytes.append(UInt8(ascii: "{"))
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(name)
            bytes.append(UInt8(ascii: ":"))
            appendValue(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The array, for `\(rows.json)::jsonb`.
    var json: String { String(decoding: bytes + [UInt8(ascii: "]")], as: UTF8.self) }

    private mutating func appendValue(_ value: RowEncoder.Value) {
        switch value {
        case .null: appendASCII("null")
        case .text(let text): appendString(text)
        case .integer(let number): appendASCII(String(number))
        case .boolean(let flag): appendASCII(flag ? "true" : "false")
        case .real(let number):
            if number.isFinite {
                appendASCII(number.description)
            } else {
                appendString(number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity")
            }
        case .bytes(let data):
            appendString("\\x" + data.map { String(format: "%02x", $0) }.joined())
        }
    }

    private mutating func appendASCII(_ text: String) { bytes.append(contentsOf: text.utf8) }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
