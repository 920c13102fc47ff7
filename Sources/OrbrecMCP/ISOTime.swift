internal import Foundation
internal import OrbrecCore

/// Instants as the lease API writes them: ISO 8601 with milliseconds, in UTC.
enum ISOTime {
    static func string(_ instant: Instant) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }
}
