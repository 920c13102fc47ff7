import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import OrbrecServer
import Testing

/// The web console as the daemon's router serves it, in process: the page at `/` with its
/// Content-Security-Policy, every file the page names, and the token check of `whoami` that
/// the console relies on to ask for a token (a wrong one is refused even on loopback).
/// scripts/browser-check.sh drives the console itself in Chromium against real daemons, and
/// checks there that a loopback daemon serves it only to loopback names.
@Suite("Server: the web console", .serialized)
struct ConsoleTests {
    @Test func thePageAndEveryFileItNamesAreServedWithTheirTypeAndPolicy() async throws {
        let daemon = try InProcessDaemon()
        let app = Application(router: daemon.server.makeRouter())
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get, headers: [:])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"))
            #expect(!policy.contains("unsafe"), "the policy allows inline code: \(policy)")
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let html = String(buffer: page.body)
            #expect(html.contains("<main id=\"main\""))
            #expect(!html.contains("<script>") && !html.contains(" style="), "inline script or style would be refused by the policy")
            // Every file the page names is served from /console/, with its type.
            let named = Self.references(in: html)
            #expect(Set(named) == ["/console/console.css", "/console/console.js", "/console/dag.js", "/console/views.js"])
            for path in named {
                let file = try await client.execute(uri: path, method: .get, headers: [:])
                #expect(file.status == .ok, "\(path)")
                #expect(file.headers[.contentType] == (path.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"), "\(path)")
                #expect(file.headers[.contentSecurityPolicy] == ConsoleAssets.contentSecurityPolicy)
                #expect(file.body.readableBytes > 500, "\(path) is nearly empty")
                // (The SVG namespace is a name, not a place the page goes to.)
                let text = String(buffer: file.body).replacingOccurrences(of: "\"http://www.w3.org/2000/svg\"", with: "")
                #expect(!text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"), "\(path) names something outside the daemon")
            }
            let missing = try await client.execute(uri: "/console/nothing.js", method: .get, headers: [:])
            #expect(missing.status == .notFound)
            // The page is not served again under another name.
            let again = try await client.execute(uri: "/console/index.html", method: .get, headers: [:])
            #expect(again.status == .notFound)
        }
        await daemon.tearDown()
    }

    @Test func whoamiRefusesAWrongTokenEvenOnLoopbackAndNamesTheRightOne() async throws {
        let daemon = try InProcessDaemon()
        let app = Application(router: daemon.server.makeRouter())
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [:])
            #expect(anonymous.status == .ok)
            let open = try JSONSerialization.jsonObject(with: Data(anonymous.body.readableBytesView)) as? [String: Any]
            #expect(open?["scopes"] as? [String] == ["read"])
            #expect(open?["token"] == nil)
            let wrong = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer not-the-token-0123456789"])
            #expect(wrong.status == .unauthorized)
            let right = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: [.authorization: "Bearer \(InProcessDaemon.token)"])
            #expect(right.status == .ok)
            let known = try JSONSerialization.jsonObject(with: Data(right.body.readableBytesView)) as? [String: Any]
            #expect(known?["token"] as? String == "token")
            let scopes = Set(known?["scopes"] as? [String] ?? [])
            #expect(scopes.isSuperset(of: ["read", "operate"]))
        }
        await daemon.tearDown()
    }

    /// The `src` and `href` values of the page that point into the daemon.
    static func references(in html: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?:src|href)="(/[^"]*)""#)
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range(at: 1), in: html).map { String(html[$0]) }
        }
    }
}
