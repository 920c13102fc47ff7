import HTTPTypes
@testable import OrbrecServer
import Testing

@Suite("Server: addresses and tokens")
struct ServerSecurityTests {
    @Test(arguments: ["127.0.0.1", "127.1.2.3", "::1", "localhost"])
    func loopback(_ host: String) {
        #expect(APIServer.isLoopback(host))
    }

    @Test(arguments: ["0.0.0.0", "10.0.0.1", "127.example.com", "127.0.0.1.nip.io", "::", "::ffff:127.0.0.1", "128.0.0.1", "", "127..0.1"])
    func notLoopback(_ host: String) {
        #expect(!APIServer.isLoopback(host))
    }

    @Test func tokensAreTrimmedAndMustBeLongEnough() {
        #expect(BearerToken("short") == nil)
        #expect(BearerToken("  0123456789abcdef\n") != nil)
        #expect("\(BearerToken("0123456789abcdef")!)" == "BearerToken(redacted)")
    }

    @Test func onlyTheExactTokenIsAccepted() throws {
        let token = try #require(BearerToken("0123456789abcdef"))
        func fields(_ value: String?) -> HTTPFields {
            var fields = HTTPFields()
            if let value { fields[.authorization] = value }
            return fields
        }
        #expect(token.accepts(fields("Bearer 0123456789abcdef")))
        #expect(token.accepts(fields("bearer 0123456789abcdef")))
        for wrong in [nil, "", "Bearer", "Bearer ", "Basic 0123456789abcdef", "Bearer 0123456789abcdeF", "Bearer 0123456789abcde",
                      "Bearer 0123456789abcdef0", "Bearer  0123456789abcdef", "0123456789abcdef"] {
            #expect(!token.accepts(fields(wrong)), "\(String(describing: wrong))")
        }
    }

    @Test func constantTimeComparisonComparesEverything() {
        let expected = Array("secret-secret-secret".utf8)
        #expect(BearerToken.constantTimeEquals(expected, expected))
        #expect(!BearerToken.constantTimeEquals(Array("secret-secret-secreT".utf8), expected))
        #expect(!BearerToken.constantTimeEquals([], expected))
        #expect(!BearerToken.constantTimeEquals(expected + [0], expected))
        // A prefix padded so the lengths differ by 256 must not wrap to "equal".
        #expect(!BearerToken.constantTimeEquals(expected + Array(repeating: 0, count: 256), expected))
    }
}

@Suite("Server: Prometheus text")
struct PrometheusTextTests {
    @Test func labelsAreEscapedAndNumbersPlain() {
        var text = PrometheusText()
        text.family("orbrec_x", "counter", "An example.")
        text.sample("orbrec_x", [("verb", "a\"b\\c\nd")], 3)
        text.sample("orbrec_y", [], 0.25)
        #expect(text.text == "# HELP orbrec_x An example.\n# TYPE orbrec_x counter\norbrec_x{verb=\"a\\\"b\\\\c\\nd\"} 3\norbrec_y 0.25\n")
    }
}
