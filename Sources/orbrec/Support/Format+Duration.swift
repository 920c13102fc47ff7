extension Format {
    /// `850ms`, `42s`, `3m05s`, `2h04m`, `3d02h`: how long something took.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(max(0, milliseconds))ms" }
        let seconds = milliseconds / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(two(seconds % 60))s" }
        if seconds < 86400 { return "\(seconds / 3600)h\(two(seconds % 3600 / 60))m" }
        return "\(seconds / 86400)d\(two(seconds % 86400 / 3600))h"
    }
}
