internal import Foundation
internal import OrbrecCore

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

    /// The key as one safe path component (`TaskKeyPath`).
    static func escape(_ key: String) -> String { TaskKeyPath.component(key) }
}
