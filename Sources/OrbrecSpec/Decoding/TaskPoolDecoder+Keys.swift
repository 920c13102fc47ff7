internal import OrbrecCore
internal import Yams

/// Task keys are identities (in the journal, on disk, in a worker's claim): a pool whose keys
/// collide, or whose key cannot be a file name, is refused here rather than failing at apply.
extension TaskPoolDecoder {
    /// One located error when the key's path component (`TaskKeyPath`) is longer than a file
    /// name may be: its attempts' output directory could never be made.
    static func checkKeyLength(_ key: String, describing what: String, at location: SourceLocation?, context: DecodeContext) -> Bool {
        let length = TaskKeyPath.componentLength(key)
        guard length > TaskKeyPath.maxComponentBytes else { return true }
        context.error("key-too-long", "\(what) '\(TextEscaping.quoted(key, limit: 60))' makes a task key of \(length) bytes as a file name; "
                          + "the limit is \(TaskKeyPath.maxComponentBytes) (bytes other than letters, digits and -_=,. count 3)",
                      at: location)
        return false
    }

    /// Matrix keys are `name=value` pairs joined by `,`; values holding `,` or `=` can make two
    /// combinations spell the same key. Reports the first collision and the first key too long.
    static func checkMatrixKeys(_ source: TaskPoolSpec.Source, at node: Node, context: DecodeContext) -> Bool {
        let location = context.location(of: node)
        var seen: [String: Int] = [:]
        for task in source.taskDefinitions {
            if let earlier = seen[task.key] {
                context.error("duplicate-task", "spec.matrix makes combinations \(earlier + 1) and \(task.index + 1) with the same task key "
                                  + "'\(TextEscaping.quoted(task.key, limit: 120))'; a value holding ',' or '=' can spell another combination",
                              at: location)
                return false
            }
            guard checkKeyLength(task.key, describing: "spec.matrix combination \(task.index + 1)", at: location, context: context) else {
                return false
            }
            seen[task.key] = task.index
        }
        return true
    }
}
