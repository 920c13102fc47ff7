import OrbrecCore
import Testing

@Suite("API error codes")
struct APIErrorCodeTests {
    /// The lease API's codes, published before the vocabulary was one, keep their names.
    static let published: Set<APIErrorCode> = [.staleAttempt, .machineGone, .idempotencyKeyReused, .idempotencyKeyInProgress]

    @Test func everyCodeIsKebabCaseButTheLeaseAPIsPublishedFour() {
        for code in APIErrorCode.allCases {
            let words = code.rawValue.split(separator: published(code) ? "_" : "-", omittingEmptySubsequences: false)
            #expect(!words.isEmpty && words.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }, "\(code.rawValue)")
        }
    }

    func published(_ code: APIErrorCode) -> Bool { Self.published.contains(code) }
}
