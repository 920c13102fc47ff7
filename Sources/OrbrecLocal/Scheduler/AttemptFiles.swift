internal import Foundation

/// Where one attempt's files live: `<directory>/<pool>/<key>/<attempt>.{out,err,result.json}`,
/// the key escaped so that any key is one safe path component.
public struct AttemptFiles: Sendable, Hashable {
    public let directory: String

    public init(root: String, pool: String, key: String) {
        directory = "\(root)/\(pool)/\(Self.escape(key))"
    }

    public func stdout(_ attempt: Int) -> String { "\(directory)/\(attempt).out" }
    public func stderr(_ attempt: Int) -> String { "\(directory)/\(attempt).err" }
    public func result(_ attempt: Int) -> String { "\(directory)/\(attempt).result.json" }
    public func runnerLog(_ attempt: Int) -> String { "\(directory)/\(attempt).runner.log" }

    /// Every result file under `root`, skipping hidden directories (a cluster scheduler's own files).
    public static func resultFiles(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasPrefix(".") { enumerator.skipDescendants(); continue }
            if relative.hasSuffix(".result.json") { paths.append(root + "/" + relative) }
        }
        return paths
    }

    /// Letters, digits, `-`, `_`, `.`, `=` and `,` stay; every other byte becomes `%XX`.
    static func escape(_ key: String) -> String {
        var escaped = ""
        for byte in key.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte < 0x80 && (Character(scalar).isLetter || Character(scalar).isNumber)) || "-_=,".utf8.contains(byte)
                || (byte == UInt8(ascii: ".") && !escaped.isEmpty) {
                escaped.unicodeScalars.append(scalar)
            } else {
                escaped += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return escaped.isEmpty ? "%" : escaped
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
