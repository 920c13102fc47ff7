internal import Synchronization

/// Requests the API refused for who asked, by reason, for /metrics.
final class RefusalCounter: Sendable {
    enum Reason: String, CaseIterable {
        case unauthorized
        case missingScope = "missing-scope"
        case rateLimited = "rate-limited"
    }

    private let counts = Mutex<[Reason: Int]>([:])

    func count(_ reason: Reason) { counts.withLock { $0[reason, default: 0] += 1 } }

    /// `orbrec_http_refusals_total`, every reason present from the start.
    var rendered: String {
        let values = counts.withLock { $0 }
        var out = PrometheusText()
        out.family("orbrec_http_refusals_total", "counter", "API requests refused for their token: unauthorized, missing-scope, rate-limited.")
        for reason in Reason.allCases { out.sample("orbrec_http_refusals_total", [("reason", reason.rawValue)], Double(values[reason] ?? 0)) }
        return out.text
    }
}
